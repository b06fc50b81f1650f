package users

import (
	"context"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/store"
)

// record writes activity on the user, read in tx so the record names them
// as they are after the change.
func (s *Service) record(ctx context.Context, tx store.Tx, tenantID, userID, activity string, modified ...core.ModifiedProperty) error {
	u, err := tx.GetUser(ctx, tenantID, userID)
	if err != nil {
		return err
	}
	return audit.Record(ctx, tx, s.now(), tenantID, activity, audit.User(u, modified...))
}

// recordPatch records a PATCH as Entra names it: a new password is a
// password reset, accountEnabled alone disables or enables the account,
// anything else updates the user. The new password itself is never
// recorded, only that it changed.
func (s *Service) recordPatch(ctx context.Context, tx store.Tx, tenantID, userID string, p store.UserPatch, password bool) error {
	var mod []core.ModifiedProperty
	add := func(name string, v any) { mod = append(mod, audit.Set(name, nil, v)) }
	for _, f := range []struct {
		name string
		v    *string
	}{
		{"DisplayName", p.DisplayName}, {"UserType", p.UserType}, {"PreferredLanguage", p.PreferredLanguage},
		{"GivenName", p.GivenName}, {"Surname", p.Surname}, {"JobTitle", p.JobTitle},
		{"OfficeLocation", p.OfficeLocation}, {"MobilePhone", p.MobilePhone},
	} {
		if f.v != nil {
			add(f.name, *f.v)
		}
	}
	if p.BusinessPhones != nil {
		add("TelephoneNumber", *p.BusinessPhones)
	}
	if p.Blocked != nil {
		add("AccountEnabled", !*p.Blocked)
	}
	activity := audit.UpdateUser
	switch {
	case password:
		activity = audit.ResetPassword
	case p.Blocked != nil && len(mod) == 1 && *p.Blocked:
		activity = audit.DisableAccount
	case p.Blocked != nil && len(mod) == 1:
		activity = audit.EnableAccount
	}
	return s.record(ctx, tx, tenantID, userID, activity, mod...)
}
