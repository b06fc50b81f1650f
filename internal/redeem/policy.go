package redeem

import (
	"context"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/store"
)

// EmailOTPChange is a change to the email method's policy (R20): each
// field that is set is written, on its own; nil leaves it as it is.
type EmailOTPChange struct {
	// Allow is allowExternalIdToUseEmailOtp: default, enabled or disabled.
	Allow *string
	// State is the method's Graph state: enabled or disabled.
	State *string
}

// SetEmailOTPPolicy writes the fields of c that are set. The settings are
// read from the store on every guest request and token use, so every
// process applies them at once (R27). When the result is off, the
// sessions and tokens of every guest who signs in with a passcode end in
// the same transaction (R26): refusing them only while it is off would
// let them back in, without a new code, once it is on again. It returns
// the tenant as stored. Errors: core.ErrInvalid, core.ErrNotFound.
func (s *Service) SetEmailOTPPolicy(ctx context.Context, tenantID string, c EmailOTPChange) (*core.Tenant, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	var out *core.Tenant
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		var err error
		out, err = s.applyEmailOTP(ctx, tx, tenantID, c)
		return err
	})
	return out, err
}

func (c EmailOTPChange) validate() error {
	if c.Allow != nil {
		switch *c.Allow {
		case core.OTPDefault, core.OTPEnabled, core.OTPDisabled:
		default:
			return core.Invalidf("allowExternalIdToUseEmailOtp must be default, enabled or disabled")
		}
	}
	if c.State != nil && *c.State != core.OTPEnabled && *c.State != core.OTPDisabled {
		return core.Invalidf("state must be enabled or disabled")
	}
	return nil
}

// applyEmailOTP is SetEmailOTPPolicy inside tx, shared with the B2B
// management policy, which sets the same setting (R28).
func (s *Service) applyEmailOTP(ctx context.Context, tx store.Tx, tenantID string, c EmailOTPChange) (*core.Tenant, error) {
	if c.Allow != nil {
		if err := tx.SetExternalEmailOTP(ctx, tenantID, *c.Allow); err != nil {
			return nil, err
		}
	}
	if c.State != nil {
		if err := tx.SetEmailMethodOff(ctx, tenantID, *c.State == core.OTPDisabled); err != nil {
			return nil, err
		}
	}
	t, err := tx.GetTenant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var changed []core.ModifiedProperty
	if c.Allow != nil {
		changed = append(changed, audit.Set("allowExternalIdToUseEmailOtp", nil, *c.Allow))
	}
	if c.State != nil {
		changed = append(changed, audit.Set("state", nil, *c.State))
	}
	if err := audit.Record(ctx, tx, s.now(), t.ID, audit.UpdateAuthMethods, audit.Policy("email", "Email", changed...)); err != nil {
		return nil, err
	}
	if s.deploy.EmailOTPEnabled(t, s.now()) {
		return t, nil
	}
	return t, s.endOTPAccess(ctx, tx, t.ID)
}

// endOTPAccess ends the access of the tenant's guests who sign in with a
// passcode: those who redeemed with it, and pending ones, whose only
// sessions are passcode sessions of a redemption under way.
func (s *Service) endOTPAccess(ctx context.Context, tx store.Tx, tenantID string) error {
	users, err := tx.ListUsers(ctx, tenantID, store.UserFilter{})
	if err != nil {
		return err
	}
	now := s.now()
	for _, u := range users {
		// A pending guest's only sessions are passcode sessions of a
		// redemption under way.
		if Redeemed(&u) && u.Method != core.MethodOTP {
			continue
		}
		if err := tx.EndUserAccess(ctx, tenantID, u.ID, now); err != nil {
			return err
		}
	}
	return nil
}
