package redeem

import (
	"context"
	"errors"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// Completed is what the page needs once a flow's proof was accepted: the
// flow as it now stands, under a new id, and the cookies that name it and
// the new session.
type Completed struct {
	Flow core.Flow
	// Session is "" when the proof starts none yet: a password that must
	// be changed first, a reset that ends on a page.
	Session    platform.Secret
	SessionTTL time.Duration
	FlowCookie platform.Secret
	// User is who the flow signed in: for a sign-up, the account it made,
	// which the flow's page did not know before.
	User *core.User
}

// Refusals of an accepted proof, told only now that the person proved
// who they are (R7, R25).
var (
	// ErrNotInvited: proved, and the address has no guest here (R7).
	ErrNotInvited = core.Errorf(core.ErrForbidden, "Authorization_RequestDenied", "this address has not been invited")
)

// OtherMethod: proved with one method, but the guest signs in with
// another (R10, R11): the page names it and offers its step.
type OtherMethod struct {
	Want core.Method
}

func (e *OtherMethod) Error() string { return "the guest signs in with " + string(e.Want) }

// Complete turns an accepted proof into a signed-in flow, in one
// transaction: the proof is recorded, the flow moves on under a new id, a
// session starts (R24), the user's last sign-in is now and their browser's
// language theirs (R53). lang is the page's language. A rejected proof
// returns its rejection after what it recorded commits. Errors: the
// proof's rejections, ErrNoFlow, ErrBlocked, ErrOTPOff (turned off after
// the code was sent, R26), ErrWrongStep (the flow moved on meanwhile), or the store's.
func (s *Service) Complete(ctx context.Context, tenant *core.Tenant, f *core.Flow, u *core.User, proof idp.Proof, lang string) (*Completed, error) {
	var out *Completed
	var rejected error
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		out, rejected = nil, nil // a retried transaction starts afresh
		r, err := proof.Check(ctx, tx)
		if err != nil {
			return err
		}
		if r != nil {
			rejected = r
			return s.recordSignIn(ctx, tx, f, u, proof.Method(), r) // with the attempt counts (R41)
		}
		flow := *f // verified moves it to a new id; a retry starts from the old one
		out, err = s.verified(ctx, tx, tenant, &flow, u, proof, lang)
		return err
	})
	if _, _, refused := failure(err); refused {
		// The refusal rolled the proof back: its record is written alone (R41).
		if rerr := s.recordSignIn(ctx, s.st, f, u, proof.Method(), err); rerr != nil {
			return nil, rerr
		}
	}
	if err != nil {
		return nil, err
	}
	if rejected != nil {
		return nil, rejected
	}
	return out, nil
}

// verified is the effect of an accepted proof, in its transaction. The
// flow gets a new id, so the cookie that named it until now — of which a
// stranger may hold a planted copy — stops naming it in the same
// transaction that accepts the proof.
func (s *Service) verified(ctx context.Context, tx store.Tx, tenant *core.Tenant, f *core.Flow, u *core.User, proof idp.Proof, lang string) (*Completed, error) {
	m := proof.Method()
	if u == nil {
		return nil, ErrNotInvited // a passcode is never mailed for such a flow; a password tells now
	}
	if u.Blocked {
		return nil, ErrBlocked // blocked after the code was sent (R43)
	}
	if c, err := s.choose(ctx, tenant, u); err != nil {
		return nil, err
	} else if !c.OK {
		return nil, offError(c.Method) // turned off after the code was sent (R26)
	} else if c.Method != m {
		return nil, &OtherMethod{Want: c.Method}
	}
	if lang != "" && lang != u.PreferredLanguage {
		if err := tx.SetPreferredLanguage(ctx, f.TenantID, u.ID, lang); err != nil {
			return nil, notFoundAs(err, ErrNoFlow)
		}
	}
	to := core.FlowVerified
	if proof.MustChange() {
		to = core.FlowNewPassword
	}
	return s.signIn(ctx, tx, f, u, core.FlowStarted, to, m, proof.Subject(), issuerOf(proof))
}

// issuerOf is the issuer of a proof whose issuer varies (a federation's),
// "" for the others.
func issuerOf(p idp.Proof) string {
	if i, ok := p.(idp.Issued); ok {
		return i.Issuer()
	}
	return ""
}

// signIn moves f from step from to step to under a new id, recording what
// was proved, and — once the sign-in is whole (FlowVerified) — starts a
// session (R24) and records the sign-in, in the caller's transaction.
func (s *Service) signIn(ctx context.Context, tx store.Tx, f *core.Flow, u *core.User, from, to string, m core.Method, subject, issuer string) (*Completed, error) {
	flowCookie := platform.NewToken()
	newID := s.keys.HashID(flowPurpose, flowCookie)
	move := store.FlowMove{NewID: newID, From: from, To: to, UserID: u.ID, ProvedMethod: m, ProvedSubject: subject, ProvedIssuer: issuer}
	if err := tx.RekeyFlow(ctx, f.TenantID, f.ID, move); err != nil {
		if errors.Is(err, core.ErrConflict) {
			return nil, ErrWrongStep
		}
		return nil, err
	}
	f.ID, f.Step, f.UserID, f.ProvedMethod, f.ProvedSubject, f.ProvedIssuer = newID, to, u.ID, m, subject, issuer
	out := &Completed{Flow: *f, FlowCookie: platform.Secret(flowCookie), User: u}
	if to != core.FlowVerified {
		return out, nil
	}
	cookie := platform.NewToken()
	now := s.now()
	sess := core.Session{
		TenantID: f.TenantID, ID: s.keys.HashID(sessionPurpose, cookie), UserID: u.ID,
		AMR: m.AMR(), CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL),
	}
	if err := tx.SetLastSignIn(ctx, f.TenantID, u.ID, now); err != nil {
		return nil, notFoundAs(err, ErrNoFlow) // the guest was deleted meanwhile
	}
	if err := tx.CreateSession(ctx, &sess); err != nil {
		return nil, err
	}
	if err := s.recordSignIn(ctx, tx, f, u, m, nil); err != nil { // R41
		return nil, err
	}
	out.Session, out.SessionTTL = platform.Secret(cookie), s.cfg.SessionTTL
	return out, nil
}
