package users

import (
	"context"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/language"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// Service changes user objects.
type Service struct {
	st     store.Store
	now    platform.Clock
	hasher Hasher
	check  CheckFunc
}

// New returns a Service; hasher and check are the password rules members'
// passwords are checked and stored with.
func New(st store.Store, now platform.Clock, hasher Hasher, check CheckFunc) *Service {
	return &Service{st: st, now: now, hasher: hasher, check: check}
}

// Patch is Graph's user update: nil leaves a property as it is.
// AccountEnabled false blocks the user.
type Patch struct {
	DisplayName       *string
	AccountEnabled    *bool
	UserType          *string
	PreferredLanguage *string
	GivenName         *string
	Surname           *string
	JobTitle          *string
	OfficeLocation    *string
	MobilePhone       *string
	BusinessPhones    *[]string
	// Password sets a member's new password (Graph's passwordProfile).
	Password *PasswordProfile
}

// Update validates p and writes what it sets, in one transaction. Blocking
// (AccountEnabled false) ends the user's sessions and every token in that
// transaction, so no process lets them in afterwards; unblocking brings
// none of them back (R43). A new password does the same: whoever held the
// old one is signed out everywhere. Errors: core.ErrInvalid (a bad value,
// naming the property; a password for a guest), core.ErrNotFound.
func (s *Service) Update(ctx context.Context, tenantID, userID string, p Patch) error {
	sp, err := validate(p)
	if err != nil {
		return err
	}
	var pw *core.Password
	if p.Password != nil {
		if pw, err = s.newPassword(ctx, tenantID, userID, p); err != nil {
			return err
		}
	}
	return s.st.InTx(ctx, func(tx store.Tx) error {
		if pw != nil {
			// Read again in the transaction: the user may have been
			// deleted or replaced since the password was checked.
			if u, err := tx.GetUser(ctx, tenantID, userID); err != nil {
				return err
			} else if u.Method != core.MethodPassword {
				return core.Invalidf(msgGuestPassword)
			}
		}
		if err := tx.PatchUser(ctx, tenantID, userID, sp); err != nil {
			return err
		}
		if pw != nil {
			if err := tx.SetPassword(ctx, pw); err != nil {
				return err
			}
		}
		if err := s.recordPatch(ctx, tx, tenantID, userID, sp, pw != nil); err != nil {
			return err
		}
		if (sp.Blocked != nil && *sp.Blocked) || pw != nil {
			return tx.EndUserAccess(ctx, tenantID, userID, s.now())
		}
		return nil
	})
}

// newPassword checks and hashes the member's new password before any
// transaction starts: hashing is slow on purpose and must not hold locks.
// Guests have no password here (R10: they sign in with their own
// identity).
func (s *Service) newPassword(ctx context.Context, tenantID, userID string, p Patch) (*core.Password, error) {
	u, err := s.st.GetUser(ctx, tenantID, userID)
	if err != nil {
		return nil, err
	}
	if u.Method != core.MethodPassword {
		return nil, core.Invalidf(msgGuestPassword)
	}
	addr, err := core.ParseAddress(u.UserPrincipalName)
	if err != nil {
		return nil, err
	}
	name := u.DisplayName
	if p.DisplayName != nil {
		name = *p.DisplayName
	}
	if err := s.checkPassword(p.Password.Password, addr, name); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, p.Password.Password)
	if err != nil {
		return nil, err
	}
	return &core.Password{TenantID: tenantID, UserID: userID, Hash: hash, MustChange: mustChange(p.Password), ChangedAt: s.now()}, nil
}

// RevokeSignInSessions ends the user's sessions and every token (Graph's
// revokeSignInSessions); the user may sign in again. Errors:
// core.ErrNotFound.
func (s *Service) RevokeSignInSessions(ctx context.Context, tenantID, userID string) error {
	return s.st.InTx(ctx, func(tx store.Tx) error {
		if _, err := tx.GetUser(ctx, tenantID, userID); err != nil {
			return err
		}
		if err := s.record(ctx, tx, tenantID, userID, audit.RevokeSessions); err != nil {
			return err
		}
		return tx.EndUserAccess(ctx, tenantID, userID, s.now())
	})
}

// Lengths Graph allows for the user's string properties.
const (
	maxDisplayName = 256
	maxName        = 64
	maxTitle       = 128
	maxPhone       = 64
)

func validate(p Patch) (store.UserPatch, error) {
	sp := store.UserPatch{
		GivenName: p.GivenName, Surname: p.Surname, JobTitle: p.JobTitle,
		OfficeLocation: p.OfficeLocation, MobilePhone: p.MobilePhone, BusinessPhones: p.BusinessPhones,
	}
	if p.DisplayName != nil {
		name := strings.TrimSpace(*p.DisplayName)
		if name == "" {
			return sp, core.Invalidf("property displayName must not be empty")
		}
		if err := oneLine("displayName", name, maxDisplayName); err != nil {
			return sp, err
		}
		sp.DisplayName = &name
	}
	if p.AccountEnabled != nil {
		blocked := !*p.AccountEnabled
		sp.Blocked = &blocked
	}
	if p.UserType != nil {
		switch *p.UserType {
		case core.UserTypeGuest, core.UserTypeMember:
			sp.UserType = p.UserType
		default:
			return sp, core.Invalidf("property userType must be Guest or Member")
		}
	}
	if p.PreferredLanguage != nil {
		lang := *p.PreferredLanguage
		if lang != "" {
			tag, err := language.Parse(lang)
			if err != nil || len(lang) > 35 {
				return sp, core.Invalidf("property preferredLanguage must be a language tag such as en-US")
			}
			lang = tag.String()
		}
		sp.PreferredLanguage = &lang
	}
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{
		{"givenName", p.GivenName, maxName}, {"surname", p.Surname, maxName}, {"jobTitle", p.JobTitle, maxTitle},
		{"officeLocation", p.OfficeLocation, maxTitle}, {"mobilePhone", p.MobilePhone, maxPhone},
	} {
		if f.v == nil {
			continue
		}
		if err := oneLine(f.name, *f.v, f.max); err != nil {
			return sp, err
		}
	}
	if p.BusinessPhones != nil {
		phones := *p.BusinessPhones
		if len(phones) > 1 {
			return sp, core.Invalidf("property businessPhones holds at most one number")
		}
		for _, ph := range phones {
			if strings.TrimSpace(ph) == "" {
				return sp, core.Invalidf("property businessPhones must not hold an empty number")
			}
			if err := oneLine("businessPhones", ph, maxPhone); err != nil {
				return sp, err
			}
		}
	}
	return sp, nil
}

// oneLine refuses a value over max characters or with line breaks or NUL,
// which would forge lines in mail headers or logs.
func oneLine(property, v string, max int) error {
	if utf8.RuneCountInString(v) > max || strings.ContainsAny(v, "\r\n\x00") || !utf8.ValidString(v) {
		return core.Invalidf("property %s must be one line of at most %d characters", property, max)
	}
	return nil
}
