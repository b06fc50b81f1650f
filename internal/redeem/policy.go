package redeem

import (
	"context"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/store"
)

// SetEmailOTP sets the tenant's allowExternalIdToUseEmailOtp (R20):
// default, enabled or disabled. The setting is read from the store on
// every guest request and token use, so every process applies it at once
// (R27). When the result is off, the sessions and tokens of every guest who
// signs in with a passcode end in the same transaction (R26): refusing them
// only while it is off would let them back in, without a new code, once it
// is on again. It returns the tenant as stored. Errors: core.ErrInvalid,
// core.ErrNotFound.
func (s *Service) SetEmailOTP(ctx context.Context, tenantID, value string) (*core.Tenant, error) {
	switch value {
	case core.OTPDefault, core.OTPEnabled, core.OTPDisabled:
	default:
		return nil, core.Invalidf("allowExternalIdToUseEmailOtp must be default, enabled or disabled")
	}
	var out *core.Tenant
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		t, err := tx.GetTenant(ctx, tenantID)
		if err != nil {
			return err
		}
		t.EmailOTP = value
		if err := tx.UpdateTenantSettings(ctx, t); err != nil {
			return err
		}
		out = t
		if err := audit.Record(ctx, tx, s.now(), t.ID, audit.UpdateAuthMethods, audit.Policy("email", "Email", audit.Set("allowExternalIdToUseEmailOtp", nil, value))); err != nil {
			return err
		}
		if s.deploy.EmailOTPEnabled(t, s.now()) {
			return nil
		}
		return s.endOTPAccess(ctx, tx, t.ID)
	})
	return out, err
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
