package mfa

import (
	"context"
	"slices"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/roles"
	"guestlist/internal/store"
)

// Required reports whether a member holding roleTemplateIDs (directory
// role template ids, as roles.Service lists them) must use an
// authenticator app under the tenant's setting (core.Tenant's
// AdminMFARequirement). An unknown setting requires it of every role
// holder: a mistake fails closed.
func Required(setting string, roleTemplateIDs []string) bool {
	switch setting {
	case core.AdminMFAOff:
		return false
	case core.AdminMFAGlobalAdministrators, "":
		return slices.Contains(roleTemplateIDs, roles.GlobalAdministrator)
	}
	return len(roleTemplateIDs) > 0
}

// RequiredFor is Required for the tenant's member userID, read from the
// store: the tenant's setting and the member's roles.
func (s *Service) RequiredFor(ctx context.Context, tenantID, userID string) (bool, error) {
	t, err := s.st.GetTenant(ctx, tenantID)
	if err != nil {
		return false, err
	}
	held, err := s.st.RolesOf(ctx, tenantID, userID)
	if err != nil {
		return false, err
	}
	return Required(t.AdminMFARequirement(), held), nil
}

// SetAdminRequirement writes the tenant's setting (one of
// core.AdminMFAValues), on its own, with its audit record. Errors:
// core.ErrInvalid, core.ErrNotFound.
func (s *Service) SetAdminRequirement(ctx context.Context, tenantID, value string) error {
	if !slices.Contains(core.AdminMFAValues(), value) {
		return core.Invalidf("the requirement must be off, globalAdministrators or allAdministrators")
	}
	return s.st.InTx(ctx, func(tx store.Tx) error {
		t, err := tx.GetTenant(ctx, tenantID)
		if err != nil {
			return err
		}
		if err := tx.SetAdminMFA(ctx, tenantID, value); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), tenantID, audit.UpdateAdminMFAPolicy,
			audit.Policy("adminMfaPolicy", "Multifactor authentication for administrators",
				audit.Set("requireForRoles", t.AdminMFARequirement(), value)))
	})
}
