package redeem

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/policy"
)

// Outcome is what became of one method of the redemption order in the
// explainer (R14).
type Outcome string

const (
	// OutcomeApplies: the method the address gets.
	OutcomeApplies Outcome = "applies"
	// OutcomeDoesNotApply: a method before it (or any, when none applies)
	// that does not serve the address.
	OutcomeDoesNotApply Outcome = "doesNotApply"
	// OutcomeNotReached: a method after the one that wins, or any method
	// of a guest the order is not consulted for; its verdict is still
	// shown.
	OutcomeNotReached Outcome = "notReached"
	// OutcomeNotAvailable: the deployment does not have the method.
	OutcomeNotAvailable Outcome = "notAvailable"
	// OutcomeLockedIn: the method a redeemed guest is locked to (R11).
	OutcomeLockedIn Outcome = "lockedIn"
)

// notAvailable is the reason of a method the deployment lacks.
const notAvailable = "not available in this deployment"

// PreviewStep is one method of the order with its outcome and why.
type PreviewStep struct {
	Method  core.Method
	Outcome Outcome
	Reason  string
}

// Preview is the redemption explainer's answer (R14): the method an
// address gets in a tenant right now, and every step that led there.
type Preview struct {
	Address core.Address
	// User is the tenant's user with the address; nil if there is none,
	// and then the preview is what an invitation would lead to.
	User *core.User
	// Method is the method the address gets: MethodPassword for a member
	// of the tenant, MethodNone when nothing applies (then Signup says
	// whether the guest would create a personal account, R10 step 6).
	Method core.Method
	Signup bool
	// Usable: the address can sign in with Method now (or sign up).
	Usable bool
	// LockedIn: a redeemed guest keeps Method and the order is not
	// consulted (R11).
	LockedIn bool
	// Steps are the tenant's order, each method with its outcome, and for
	// a guest locked to a method the order no longer names, that method.
	Steps []PreviewStep
	// Reason sums the preview up in a sentence for an administrator.
	Reason string
}

// Preview explains which method email would get in tenant right now, and
// why (R14): every method of the tenant's order is evaluated, not only up
// to the one that wins, so an administrator sees each step's outcome. The
// decision itself is Choose's, as at redemption; Preview only reads.
// Errors: core.ErrInvalid for an address that cannot be a guest's.
func (s *Service) Preview(ctx context.Context, tenant *core.Tenant, email string) (*Preview, error) {
	addr, err := core.ParseAddress(email)
	if err != nil {
		return nil, core.Invalidf("email %q is not a valid email address", email)
	}
	u, err := s.st.UserByMail(ctx, tenant.ID, addr.Key())
	if errors.Is(err, core.ErrNotFound) {
		u = nil
	} else if err != nil {
		return nil, err
	}
	order := tenant.Redemption.Methods()
	c, err := Choose(ctx, s.methods, order, tenant, addr, u)
	if err != nil {
		return nil, err
	}
	p := &Preview{Address: addr, User: u, Method: c.Method, Signup: c.Signup,
		Usable: c.OK || c.Signup, LockedIn: c.Locked && c.Method != core.MethodPassword}
	if p.Steps, err = s.previewSteps(ctx, tenant, addr, order, c); err != nil {
		return nil, err
	}
	p.Reason = s.previewReason(p, c, order)
	return p, nil
}

// previewSteps gives every method of order its outcome. Verdicts Choose
// already reached are reused, so each step shows what the decision saw.
func (s *Service) previewSteps(ctx context.Context, tenant *core.Tenant, addr core.Address, order []core.Method, c Choice) ([]PreviewStep, error) {
	seen := make(map[core.Method]idp.Verdict, len(c.Steps))
	for _, st := range c.Steps {
		seen[st.Method] = st.Verdict
	}
	locked := c.Locked && c.Method != core.MethodPassword
	if locked && !slices.Contains(order, c.Method) {
		// The guest redeemed with a method the order has since dropped.
		order = append(slices.Clone(order), c.Method)
	}
	winner := -1
	if c.OK && !c.Locked {
		winner = slices.Index(order, c.Method)
	}
	steps := make([]PreviewStep, 0, len(order))
	for i, kind := range order {
		v, ok := seen[kind]
		if !ok {
			var err error
			if v, err = s.verdict(ctx, tenant, addr, kind); err != nil {
				return nil, err
			}
		}
		steps = append(steps, PreviewStep{Method: kind, Outcome: s.outcome(kind, i, winner, locked && kind == c.Method, c.Locked), Reason: v.Reason})
	}
	return steps, nil
}

// verdict is the verdict of the deployment's method of kind, or that the
// deployment lacks it.
func (s *Service) verdict(ctx context.Context, tenant *core.Tenant, addr core.Address, kind core.Method) (idp.Verdict, error) {
	m := s.method(kind)
	if m == nil {
		return idp.Verdict{Reason: notAvailable}, nil
	}
	return m.Applies(ctx, tenant, addr)
}

// outcome is the outcome of the i-th method of the order, kind, when the
// winner is at index winner (-1: none wins, or the order is not
// consulted).
func (s *Service) outcome(kind core.Method, i, winner int, lockedTo, notConsulted bool) Outcome {
	switch {
	case lockedTo:
		return OutcomeLockedIn
	case s.method(kind) == nil:
		return OutcomeNotAvailable
	case notConsulted: // locked in, or a member: the order is not consulted
		return OutcomeNotReached
	case winner < 0 || i < winner:
		return OutcomeDoesNotApply
	case i == winner:
		return OutcomeApplies
	}
	return OutcomeNotReached
}

// previewReason sums p up: what the address gets and the rule behind it.
func (s *Service) previewReason(p *Preview, c Choice, order []core.Method) string {
	var r string
	switch {
	case p.Method == core.MethodPassword:
		r = "a member of the tenant signs in with their own password; the redemption order is for guests"
	case p.LockedIn:
		r = fmt.Sprintf("the guest redeemed with %s and is locked to it until their redemption is reset (R11); the redemption order is not consulted", label(p.Method))
		if !p.Usable {
			r += "; " + label(p.Method) + " cannot be used now"
		}
	case c.OK:
		r = fmt.Sprintf("%s is the first method of the tenant's redemption order that applies (R10)", label(p.Method))
	case p.Signup:
		r = "no method of the tenant's redemption order applies: the guest is asked to create a personal account and redeems with it (R10 step 6)"
	default:
		r = "no method of the tenant's redemption order applies, and " + s.noSignup(order)
	}
	if p.User == nil {
		r += "; no user of the tenant has this address, so this is what an invitation would lead to"
	} else if p.User.Blocked {
		r += "; an administrator has blocked this user's sign-in (R43)"
	}
	return r
}

// noSignup says why a guest nothing applies to cannot sign up for a
// personal account (R10 step 6, R40).
func (s *Service) noSignup(order []core.Method) string {
	switch {
	case !slices.Contains(order, core.MethodPersonal):
		return "personal accounts are not among the tenant's fallbacks, so the guest cannot redeem"
	case s.deploy.Profile == policy.ProfileGovernment:
		return "personal accounts are not offered on the government profile (R40), so the guest cannot redeem"
	}
	return "this deployment offers no personal accounts, so the guest cannot redeem"
}

// label is a method's name in an administrator's sentence.
func label(m core.Method) string {
	switch m {
	case core.MethodHomeTenant:
		return "their home tenant"
	case core.MethodFederation:
		return "the tenant's federation"
	case core.MethodGoogle:
		return "Google"
	case core.MethodPersonal:
		return "a personal account"
	case core.MethodOTP:
		return "the email one-time passcode"
	}
	return string(m)
}
