package redeem

import (
	"context"
	"errors"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// Proof is one attempt at proving who the person of a flow is, with one
// method: a typed passcode today; a password or a federation's answer
// later. The engine runs Check in the transaction that also starts the
// session, so a proof is never spent without its effect, nor the reverse.
type Proof interface {
	// Method is the method the proof is of.
	Method() core.Method
	// Check verifies the proof and records it in tx (a passcode is
	// spent). A proof that does not hold comes back as rejected with a nil
	// err, so that what Check wrote (attempt counts, R23) commits before
	// the page answers; err rolls everything back.
	Check(ctx context.Context, tx store.Tx) (rejected, err error)
}

// Completed is what the page needs once a flow's proof was accepted: the
// flow as it now stands, under a new id, and the cookies that name it and
// the new session.
type Completed struct {
	Flow       core.Flow
	Session    platform.Secret
	SessionTTL time.Duration
	FlowCookie platform.Secret
}

// Complete turns an accepted proof into a signed-in flow, in one
// transaction: the proof is recorded, the flow moves on under a new id, a
// session starts (R24), the user's last sign-in is now and their browser's
// language theirs (R53). lang is the page's language. A rejected proof
// returns its rejection after what it recorded commits. Errors: the
// proof's rejections, ErrNoFlow, ErrBlocked, ErrOTPOff (turned off after
// the code was sent, R26), ErrWrongStep (the flow moved on meanwhile), or the store's.
func (s *Service) Complete(ctx context.Context, tenant *core.Tenant, f *core.Flow, u *core.User, proof Proof, lang string) (*Completed, error) {
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
			return nil
		}
		flow := *f // verified moves it to a new id; a retry starts from the old one
		out, err = s.verified(ctx, tx, tenant, &flow, u, proof.Method(), lang)
		return err
	})
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
func (s *Service) verified(ctx context.Context, tx store.Tx, tenant *core.Tenant, f *core.Flow, u *core.User, m core.Method, lang string) (*Completed, error) {
	if u == nil {
		return nil, ErrNoFlow // no code is ever mailed for such a flow
	}
	if u.Blocked {
		return nil, ErrBlocked // blocked after the code was sent (R43)
	}
	if chosen, ok, err := s.usable(ctx, tenant, u); err != nil {
		return nil, err
	} else if !ok || chosen != m {
		return nil, ErrOTPOff // turned off after the code was sent (R26)
	}
	if lang != "" && lang != u.PreferredLanguage {
		if err := tx.SetPreferredLanguage(ctx, f.TenantID, u.ID, lang); err != nil {
			return nil, notFoundAs(err, ErrNoFlow)
		}
	}
	flowCookie := platform.NewToken()
	newID := s.keys.HashID(flowPurpose, flowCookie)
	if err := tx.RekeyFlow(ctx, f.TenantID, f.ID, newID, core.FlowStarted, core.FlowVerified, m, f.Email); err != nil {
		if errors.Is(err, core.ErrConflict) {
			return nil, ErrWrongStep
		}
		return nil, err
	}
	cookie := platform.NewToken()
	now := s.now()
	sess := core.Session{
		TenantID: f.TenantID, ID: s.keys.HashID(sessionPurpose, cookie), UserID: f.UserID,
		AMR: m.AMR(), CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL),
	}
	f.ID, f.Step = newID, core.FlowVerified
	if err := tx.SetLastSignIn(ctx, f.TenantID, f.UserID, now); err != nil {
		return nil, notFoundAs(err, ErrNoFlow) // the guest was deleted meanwhile
	}
	if err := tx.CreateSession(ctx, &sess); err != nil {
		return nil, err
	}
	return &Completed{Flow: *f, Session: platform.Secret(cookie), SessionTTL: s.cfg.SessionTTL,
		FlowCookie: platform.Secret(flowCookie)}, nil
}
