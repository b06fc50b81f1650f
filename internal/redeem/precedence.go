package redeem

import (
	"context"
	"slices"

	"guestlist/internal/core"
	"guestlist/internal/idp"
)

// DefaultOrder is the redemption order of SPEC R10 (Entra's): the primary
// providers — home tenant, federation, Google — then the fallbacks,
// personal account and email one-time passcode. A tenant's own order
// (R10's last paragraph, core.Tenant.Redemption) replaces it.
func DefaultOrder() []core.Method { return core.RedemptionOrder{}.Methods() }

// Considered is one method the precedence looked at, with its verdict: the
// steps the redemption explainer shows (R14).
type Considered struct {
	Method  core.Method
	Verdict idp.Verdict
}

// Choice is the method a guest signs in with.
type Choice struct {
	// Method is the method chosen; MethodNone when nothing applies (R10
	// step 6: the guest is to create a personal account).
	Method core.Method
	// OK: the method may be used now. A guest locked to a method the
	// tenant has since turned off may not (R26).
	OK bool
	// Locked: the guest redeemed with Method and keeps it (R11).
	Locked bool
	// Steps are the methods looked at, in order, with their verdicts.
	Steps []Considered
	// Signup: nothing applies, and the guest may create a personal
	// account and redeem with it (R10 step 6): personal accounts are
	// among the tenant's fallbacks and the deployment offers them (not
	// on the government profile, R40).
	Signup bool
}

// Choose picks the method for address in tenant (R10): the first method of
// order that the deployment has and that applies. A guest who has
// redeemed is locked to the method they redeemed with, even when a method
// that ranks higher now applies (R11); only a reset lets the next
// redemption choose afresh (R13). u is nil for an address with no guest.
// Choose has no effects of its own; the methods' Applies are its only
// inputs.
func Choose(ctx context.Context, methods []idp.Method, order []core.Method, tenant *core.Tenant, address core.Address, u *core.User) (Choice, error) {
	byKind := make(map[core.Method]idp.Method, len(methods))
	for _, m := range methods {
		byKind[m.Kind()] = m
	}
	if u != nil && u.UserType == core.UserTypeMember && u.Method == core.MethodPassword {
		// A member of the tenant signs in with their own password; the
		// redemption order is for guests.
		return Choice{Method: core.MethodPassword, OK: true, Locked: true}, nil
	}
	if u != nil && u.ExternalUserState == core.StateAccepted {
		c := Choice{Method: u.Method, Locked: true}
		m, ok := byKind[u.Method]
		if !ok {
			return c, nil // redeemed with a method this deployment does not have
		}
		v, err := m.Applies(ctx, tenant, address)
		if err != nil {
			return Choice{}, err
		}
		c.OK, c.Steps = v.OK, []Considered{{Method: u.Method, Verdict: v}}
		return c, nil
	}
	var c Choice
	for _, kind := range order {
		m, ok := byKind[kind]
		if !ok {
			continue
		}
		v, err := m.Applies(ctx, tenant, address)
		if err != nil {
			return Choice{}, err
		}
		c.Steps = append(c.Steps, Considered{Method: kind, Verdict: v})
		if v.OK {
			c.Method, c.OK = kind, true
			return c, nil
		}
	}
	_, offered := byKind[core.MethodPersonal]
	c.Signup = offered && slices.Contains(order, core.MethodPersonal)
	return c, nil
}

// choose is Choose with the engine's methods and order, for u.
func (s *Service) choose(ctx context.Context, tenant *core.Tenant, u *core.User) (Choice, error) {
	var address core.Address
	if u != nil {
		a, err := core.ParseAddress(u.Mail)
		if err != nil {
			return Choice{}, err
		}
		address = a
	}
	return Choose(ctx, s.methods, tenant.Redemption.Methods(), tenant, address, u)
}

// usable reports whether u may prove themselves, and with which method:
// a flow with no user answers alike (R25) and is refused only where its
// method begins, or when its proof would be accepted.
func (s *Service) usable(ctx context.Context, tenant *core.Tenant, u *core.User) (core.Method, bool, error) {
	if u == nil {
		return core.MethodNone, false, nil
	}
	c, err := s.choose(ctx, tenant, u)
	return c.Method, c.OK, err
}
