package redeem

import (
	"context"
	"errors"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/idp/federation"
)

// ErrNoMethod: the flow asked for a method this deployment does not have
// (a personal account on the government profile, R40).
var ErrNoMethod = core.Errorf(core.ErrNotFound, "Request_ResourceNotFound", "this way of signing in is not offered here")

// Begin starts the proof of a flow still at its first step with the
// method of the page (Send code, R21). Whether the address may use it is
// told only to the address's owner, by the method itself: a flow with no
// user, or whose guest is blocked, signs in otherwise, or whose method is
// off, begins alike with a refusal (R7, R25, R26, R43); so do a sign-up
// for an address that has an account and a reset for one that has none.
// lang is the page's language; clientIP the requesting client. Errors:
// ErrNoMethod, the method's (a *passcode.Throttled).
func (s *Service) Begin(ctx context.Context, tenant *core.Tenant, f *core.Flow, u *core.User, kind core.Method, lang, clientIP string) (idp.Began, error) {
	m := s.method(kind)
	if m == nil {
		return idp.Began{}, ErrNoMethod
	}
	refusal, err := s.refusal(ctx, tenant, f, u, kind)
	if err != nil {
		return idp.Began{}, err
	}
	if err := s.recordSignIn(ctx, s.st, f, u, kind, refusalError(refusal)); err != nil { // R41
		return idp.Began{}, err
	}
	began, err := m.Begin(ctx, idp.Start{Tenant: tenant, Flow: f, Lang: lang, ClientIP: clientIP, Refusal: refusal})
	var fed *federation.Error
	if errors.As(err, &fed) && refusal == idp.RefuseNone {
		// The guest's identity provider could not be reached: the
		// administrator reads why in the sign-in log (R41).
		if rerr := s.recordSignIn(ctx, s.st, f, u, kind, err); rerr != nil {
			return idp.Began{}, rerr
		}
	}
	return began, err
}

// refusal is why the person of f may not prove themselves with kind, if
// they may not.
func (s *Service) refusal(ctx context.Context, tenant *core.Tenant, f *core.Flow, u *core.User, kind core.Method) (idp.Refusal, error) {
	switch f.Purpose {
	case core.FlowSignup:
		if u != nil {
			return idp.RefuseAccountExists, nil
		}
		return idp.RefuseNone, nil
	case core.FlowReset:
		return s.resetRefusal(ctx, f, u)
	}
	if u == nil {
		return idp.RefuseNotInvited, nil
	}
	if u.Blocked {
		return idp.RefuseBlocked, nil
	}
	c, err := s.choose(ctx, tenant, u)
	switch {
	case err != nil:
		return 0, err
	case c.OK && c.Method == kind:
		return idp.RefuseNone, nil
	case c.OK:
		return idp.RefuseOtherMethod, nil
	case c.Signup:
		return idp.RefuseSignup, nil
	}
	return idp.RefuseMethodOff, nil
}

// BeginNewPassword mails the code that confirms the address of a flow that
// ends in a new password: a sign-up or a reset (refused alike, by a note,
// for an address that has an account or has none), or the guest's own
// sign-up from a redeem link to which nothing else applies (R10 step 6).
// Errors: ErrWrongStep, ErrNoMethod, the passcode's (*passcode.Throttled).
func (s *Service) BeginNewPassword(ctx context.Context, tenant *core.Tenant, f *core.Flow, u *core.User, lang, clientIP string) (idp.Began, error) {
	route, err := s.Next(ctx, tenant, f, u)
	if err != nil {
		return idp.Began{}, err
	}
	refusal := idp.RefuseNone
	switch route.Step {
	case StepSignup:
	case StepSetPassword:
		if refusal, err = s.refusal(ctx, tenant, f, u, core.MethodOTP); err != nil {
			return idp.Began{}, err
		}
	default:
		return idp.Began{}, ErrWrongStep
	}
	m := s.method(core.MethodOTP)
	if m == nil {
		return idp.Began{}, ErrNoMethod
	}
	return m.Begin(ctx, idp.Start{Tenant: tenant, Flow: f, Lang: lang, ClientIP: clientIP, Refusal: refusal})
}

// resetRefusal: a reset mails a code only to an enabled account that has
// a password.
func (s *Service) resetRefusal(ctx context.Context, f *core.Flow, u *core.User) (idp.Refusal, error) {
	if u == nil || u.Blocked {
		return idp.RefuseNoAccount, nil
	}
	if _, err := s.st.GetPassword(ctx, f.TenantID, u.ID); errors.Is(err, core.ErrNotFound) {
		return idp.RefuseNoAccount, nil
	} else if err != nil {
		return 0, err
	}
	return idp.RefuseNone, nil
}

// Prove takes the guest's answer to the method of the page and, when it
// proves who they are, completes the flow (Complete). Errors: ErrNoMethod,
// the method's (passcode.ErrMalformed, *idp.Throttled and the proof's
// rejections), and Complete's.
func (s *Service) Prove(ctx context.Context, tenant *core.Tenant, f *core.Flow, u *core.User, kind core.Method, a idp.Answer, lang string) (*Completed, error) {
	m := s.method(kind)
	if m == nil {
		return nil, ErrNoMethod
	}
	proof, err := m.Complete(ctx, tenant, f, a)
	if err != nil {
		// A throttled attempt never reaches a transaction (R41).
		if rerr := s.recordSignIn(ctx, s.st, f, u, kind, err); rerr != nil {
			return nil, rerr
		}
		return nil, err
	}
	return s.Complete(ctx, tenant, f, u, proof, lang)
}

// method is the deployment's method of kind, nil if it has none.
func (s *Service) method(kind core.Method) idp.Method {
	for _, m := range s.methods {
		if m.Kind() == kind {
			return m
		}
	}
	return nil
}
