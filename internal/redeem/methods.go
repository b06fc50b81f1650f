package redeem

import (
	"context"
	"fmt"

	"guestlist/internal/core"
	"guestlist/internal/idp"
)

// Begin starts the proof of a flow still at its first step with the
// flow's method (Send code, R21). Whether the address is a guest who may
// use it is told only to the address's owner, by the method itself: a
// flow with no user, or whose guest is blocked or whose method is off,
// begins alike with a refusal (R7, R25, R26, R43). lang is the page's language; clientIP the
// requesting client. Errors: the method's (a *passcode.Throttled).
func (s *Service) Begin(ctx context.Context, tenant *core.Tenant, f *core.Flow, u *core.User, lang, clientIP string) (idp.Began, error) {
	m, refusal, err := s.flowMethod(ctx, tenant, u)
	if err != nil {
		return idp.Began{}, err
	}
	return m.Begin(ctx, idp.Start{Tenant: tenant, Flow: f, Lang: lang, ClientIP: clientIP, Refusal: refusal})
}

// Prove takes the guest's answer to the flow's method and, when it proves
// who they are, completes the flow (Complete). Errors: the method's
// (passcode.ErrMalformed and the proof's rejections), and Complete's.
func (s *Service) Prove(ctx context.Context, tenant *core.Tenant, f *core.Flow, u *core.User, a idp.Answer, lang string) (*Completed, error) {
	m, _, err := s.flowMethod(ctx, tenant, u)
	if err != nil {
		return nil, err
	}
	proof, err := m.Complete(ctx, tenant, f, a)
	if err != nil {
		return nil, err
	}
	return s.Complete(ctx, tenant, f, u, proof, lang)
}

// flowMethod is the method whose steps a flow shows: the one chosen for
// its guest (R10, R11) or, for a flow that may not prove anything, the one
// that answers everyone alike — the passcode, whose page every flow
// starts on (R25) — with the refusal it is to deliver.
func (s *Service) flowMethod(ctx context.Context, tenant *core.Tenant, u *core.User) (idp.Method, idp.Refusal, error) {
	kind, ok, err := s.usable(ctx, tenant, u)
	if err != nil {
		return nil, 0, err
	}
	refusal := idp.RefuseNone
	switch {
	case u == nil:
		kind, refusal = core.MethodOTP, idp.RefuseNotInvited
	case u.Blocked:
		kind, refusal = core.MethodOTP, idp.RefuseBlocked
	case !ok:
		kind, refusal = core.MethodOTP, idp.RefuseMethodOff
	}
	for _, m := range s.methods {
		if m.Kind() == kind {
			return m, refusal, nil
		}
	}
	return nil, 0, fmt.Errorf("redeem: no method %q in this deployment", kind)
}
