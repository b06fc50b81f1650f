package redeem

import (
	"context"
	"slices"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/store"
)

// SetRedemptionOrder sets the tenant's redemption order (R10's last
// paragraph). Primary is some of home tenant, federation and Google in the
// tenant's order, each at most once; a primary left out is not used.
// Fallback is personal account and email one-time passcode, or one of
// them: at least one stays on, so that a guest no primary provider serves
// can still redeem. An empty order (both fields empty) is the default,
// which Graph shows as isServiceDefault.
//
// The order is read from the store on every redemption (R27) and only
// decides redemptions still to come: a guest who redeemed keeps their
// method (R11). Errors: core.ErrInvalid, core.ErrNotFound.
func (s *Service) SetRedemptionOrder(ctx context.Context, tenantID string, o core.RedemptionOrder) error {
	if err := validOrder(o); err != nil {
		return err
	}
	return s.st.InTx(ctx, func(tx store.Tx) error {
		if err := tx.SetRedemptionOrder(ctx, tenantID, o); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), tenantID, audit.UpdateCrossTenantDflt, audit.Policy("default", "crossTenantAccessPolicyConfigurationDefault", audit.Set("invitationRedemptionIdentityProviderConfiguration", nil, o)))
	})
}

// validOrder checks o against the rules of SetRedemptionOrder.
func validOrder(o core.RedemptionOrder) error {
	if len(o.Primary) == 0 && len(o.Fallback) == 0 {
		return nil // the default order
	}
	if len(o.Primary) == 0 {
		return core.Invalidf("the primary providers must name at least one of home tenant, federation and Google")
	}
	if len(o.Fallback) == 0 {
		return core.Invalidf("at least one fallback (personal account or email one-time passcode) must stay on")
	}
	// The defaults hold every method of their kind: the primary
	// providers of R10 steps 1–3 and the fallbacks of steps 4 and 5.
	if err := validList("primary provider", o.Primary, core.DefaultPrimary()); err != nil {
		return err
	}
	return validList("fallback", o.Fallback, core.DefaultFallback())
}

// validList checks that list holds only allowed methods, each once.
func validList(what string, list, allowed []core.Method) error {
	for i, m := range list {
		if !slices.Contains(allowed, m) {
			return core.Invalidf("%q cannot be a %s", m, what)
		}
		if slices.Contains(list[:i], m) {
			return core.Invalidf("%s %q is named twice", what, m)
		}
	}
	return nil
}
