package redeem

import (
	"context"
	"errors"
	"slices"

	"guestlist/internal/core"
)

// Step is what a sign-in flow is to do next.
type Step int

const (
	// StepProve: prove who they are with Route.Method: the passcode's
	// first page (Send code, R21) or a password page (home tenant,
	// personal account, a member's own).
	StepProve Step = iota + 1
	// StepSignup: nothing applies to the guest of a redeem link but a new
	// personal account, created here (R10 step 6).
	StepSignup
	// StepNoMethod: nothing applies and no personal account can be made
	// (R40): a page names the organization and what to ask it for.
	StepNoMethod
	// StepSetPassword: a sign-up or reset flow: code and new password.
	StepSetPassword
	// StepNewPassword: the password was right and must be changed now
	// (forceChangePasswordNextSignIn).
	StepNewPassword
	// StepNoAccess: proved, but the guest may not use the flow's
	// application; told only now that the address is proved (R7).
	StepNoAccess
	// StepConsent: a guest who has not redeemed consents first (R5).
	StepConsent
	// StepFinish: signed in and redeemed, on to the application or the
	// flow's redirect URL (R24).
	StepFinish
	// StepEnded: the flow is over (redeemed, or finished in another tab).
	StepEnded
)

// Route is a flow's next step, and for StepProve the method whose page it
// is.
type Route struct {
	Step   Step
	Method core.Method
}

// Next is the one place that decides a flow's next step: every guest page
// that is done with its own step, or that finds the flow elsewhere (another
// tab, a retry, the back button), asks it instead of naming the page that
// follows. u is the flow's user; a flow past its first step always has one.
func (s *Service) Next(ctx context.Context, tenant *core.Tenant, f *core.Flow, u *core.User) (Route, error) {
	switch f.Step {
	case core.FlowStarted:
		return s.firstStep(ctx, tenant, f, u)
	case core.FlowNewPassword:
		return Route{Step: StepNewPassword}, nil
	case core.FlowDone:
		return Route{Step: StepEnded}, nil
	}
	if f.AppID != "" {
		ok, err := s.st.IsAssigned(ctx, f.TenantID, u.ID, f.AppID)
		if err != nil {
			return Route{}, err
		}
		if !ok {
			return Route{Step: StepNoAccess}, nil
		}
	}
	if !Redeemed(u) {
		return Route{Step: StepConsent}, nil
	}
	return Route{Step: StepFinish}, nil
}

// firstStep is how a flow's person proves who they are. A redeem link
// proves its own address (R25), so its flow goes to the method chosen for
// the guest (R10, R11) — or to sign-up, or to the page saying nothing
// applies. A typed address proves nothing yet: its step depends only on
// the address's domain, which is public (R25) — a domain verified by
// this tenant or another tenant of the deployment asks for that
// organization's password, any other the passcode; the engine applies
// the precedence once the person has proved the address.
func (s *Service) firstStep(ctx context.Context, tenant *core.Tenant, f *core.Flow, u *core.User) (Route, error) {
	if f.Purpose != core.FlowSignIn {
		return Route{Step: StepSetPassword}, nil
	}
	if f.InvitationID != "" && u != nil {
		c, err := s.choose(ctx, tenant, u)
		return routeOf(c), err
	}
	m, err := s.methodByDomain(ctx, tenant, f.Email)
	return Route{Step: StepProve, Method: m}, err
}

// routeOf is the first step of a flow whose address is proved, for the
// method chosen for its guest.
func routeOf(c Choice) Route {
	switch {
	case c.OK:
		return Route{Step: StepProve, Method: c.Method}
	case c.Signup:
		return Route{Step: StepSignup}
	case c.Method == core.MethodNone:
		return Route{Step: StepNoMethod}
	}
	// Locked to a method now off: the passcode page answers (R26).
	return Route{Step: StepProve, Method: core.MethodOTP}
}

// methodByDomain is the method a typed address starts with, from its
// domain alone (R25).
func (s *Service) methodByDomain(ctx context.Context, tenant *core.Tenant, email string) (core.Method, error) {
	addr, err := core.ParseAddress(email)
	if err != nil {
		return core.MethodOTP, nil
	}
	if slices.Contains(tenant.Domains, addr.Domain) && s.has(core.MethodPassword) {
		return core.MethodPassword, nil
	}
	// A domain federated with a partner, or a Google address, goes to
	// its provider (home realm discovery, from the domain alone).
	for _, kind := range tenant.Redemption.Methods() {
		if kind != core.MethodFederation && kind != core.MethodGoogle {
			continue
		}
		if m := s.method(kind); m != nil {
			if v, err := m.Applies(ctx, tenant, addr); err != nil {
				return "", err
			} else if v.OK {
				return kind, nil
			}
		}
	}
	if !s.has(core.MethodHomeTenant) {
		return core.MethodOTP, nil
	}
	h, err := s.st.TenantByDomain(ctx, addr.Domain)
	switch {
	case errors.Is(err, core.ErrNotFound):
		return core.MethodOTP, nil
	case err != nil:
		return "", err
	case h.ID == tenant.ID || h.ID == core.ConsumersTenantID || h.InitialDomain == addr.Domain:
		return core.MethodOTP, nil
	}
	return core.MethodHomeTenant, nil
}

// Redeemed reports whether u is past redemption: an Accepted guest, or a
// member, who never redeems.
func Redeemed(u *core.User) bool {
	return u.ExternalUserState == core.StateAccepted || isMember(u)
}

// isMember: a member of the tenant who signs in with their own password.
func isMember(u *core.User) bool {
	return u.UserType == core.UserTypeMember && u.Method == core.MethodPassword
}

// has reports whether the deployment has the method.
func (s *Service) has(kind core.Method) bool {
	return s.method(kind) != nil
}

// Offers reports whether the deployment offers the method: personal
// accounts are not offered on the government profile (R40).
func (s *Service) Offers(kind core.Method) bool { return s.has(kind) }

// AccountHolder is the tenant that holds the account a password of kind
// is checked against, for the flow's address: the tenant itself for a
// member, the home tenant, or the consumers tenant. Errors: ErrNoMethod
// when there is none.
func (s *Service) AccountHolder(ctx context.Context, tenant *core.Tenant, kind core.Method, email string) (*core.Tenant, error) {
	switch kind {
	case core.MethodPassword:
		return tenant, nil
	case core.MethodPersonal:
		if !s.has(core.MethodPersonal) {
			return nil, ErrNoMethod
		}
		return s.st.GetTenant(ctx, core.ConsumersTenantID)
	case core.MethodHomeTenant:
		addr, err := core.ParseAddress(email)
		if err != nil {
			return nil, ErrNoMethod
		}
		h, err := s.st.TenantByDomain(ctx, addr.Domain)
		if err != nil {
			return nil, notFoundAs(err, ErrNoMethod)
		}
		if h.ID == tenant.ID || h.ID == core.ConsumersTenantID {
			return nil, ErrNoMethod
		}
		return h, nil
	}
	return nil, ErrNoMethod
}
