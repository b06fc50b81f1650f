package redeem

import (
	"context"
	"errors"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/invite"
	"guestlist/internal/platform"
	"guestlist/internal/policy"
	"guestlist/internal/store"
)

// Keyring purposes of the browser secrets.
const (
	flowPurpose    = "flow"
	sessionPurpose = "session"
)

// Config holds lifetimes.
type Config struct {
	FlowTTL    time.Duration // how long a sign-in may take (1h)
	SessionTTL time.Duration // how long a guest stays signed in (24h)
	// Passwords judge and hash new passwords: sign-up, reset, change.
	// Without them the engine offers none of these.
	Passwords PasswordRules
	// Callback takes the answers of identity providers that come back
	// through the browser (federation, Google); without one there are
	// none.
	Callback idp.Callback
}

// Service runs sign-in flows and sessions.
type Service struct {
	st      store.Store
	keys    *platform.Keyring
	now     platform.Clock
	deploy  policy.Deployment
	cfg     Config
	methods []idp.Method
}

// New returns a Service that signs guests in with methods, chosen in the
// order of SPEC R10 (DefaultOrder) or the tenant's own.
func New(st store.Store, keys *platform.Keyring, now platform.Clock, deploy policy.Deployment, cfg Config, methods ...idp.Method) *Service {
	if cfg.FlowTTL <= 0 {
		cfg.FlowTTL = time.Hour
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 24 * time.Hour
	}
	return &Service{st: st, keys: keys, now: now, deploy: deploy, cfg: cfg, methods: methods}
}

// Errors a guest page turns into a message.
var (
	ErrBadLink = core.Errorf(core.ErrNotFound, "Request_ResourceNotFound", "redeem link not valid")
	ErrNoFlow  = core.Errorf(core.ErrNotFound, "Request_ResourceNotFound", "sign-in flow not found")
	ErrOTPOff  = core.Errorf(core.ErrForbidden, "Authorization_RequestDenied", "email one-time passcode is off")
	// ErrMethodOff is ErrOTPOff for a guest locked to another method: their
	// home tenant's membership or their personal account went away.
	ErrMethodOff = core.Errorf(core.ErrForbidden, "Authorization_RequestDenied", "the guest's sign-in method can no longer be used")
	ErrRedeemed  = core.Errorf(core.ErrConflict, "Request_BadRequest", "invitation already redeemed")
	ErrWrongStep = core.Errorf(core.ErrConflict, "Request_BadRequest", "sign-in flow is not at this step")
)

// Started is a new flow and the cookie value that names it.
type Started struct {
	Flow   core.Flow
	User   core.User
	Cookie platform.Secret
	// Route is the flow's first step, for a flow from a redeem link.
	Route Route
}

// StartFromToken opens the redeem link token: it starts a sign-in flow for
// the invited user. A redeemed link still starts a flow — the person must
// prove the address again and no second identity can come of it (R6).
// lang is the language the browser asked for, remembered as the guest's
// preferred language (R53). Errors: ErrBadLink, ErrOTPOff, ErrBlocked,
// ErrDomainRefused (a pending guest the domain list now refuses, R9),
// ErrRevoked and ErrExpired (R8).
// uiLocale, if the link carried ui_locales, is kept on the flow for its
// later pages.
func (s *Service) StartFromToken(ctx context.Context, tenant *core.Tenant, token, lang, uiLocale, clientIP string) (*Started, error) {
	if token == "" || len(token) > 128 {
		return nil, ErrBadLink
	}
	// The lookups read from the reader pool; only the writes take the
	// writer, which on SQLite is the one serial resource of the process.
	inv, err := s.st.InvitationByToken(ctx, tenant.ID, s.keys.Hash(invite.TokenPurpose, token))
	if err != nil {
		return nil, notFoundAs(err, ErrBadLink)
	}
	if err := usable(inv, s.now()); err != nil {
		return nil, err
	}
	u, err := s.st.GetUser(ctx, tenant.ID, inv.UserID)
	if err != nil { // not found: the guest was deleted
		return nil, notFoundAs(err, ErrBadLink)
	}
	if u.Blocked {
		return nil, ErrBlocked
	}
	if domainRefused(tenant, u) { // the link's holder may be told (R9, R25)
		return nil, ErrDomainRefused
	}
	c, err := s.choose(ctx, tenant, u)
	if err != nil {
		return nil, err
	}
	if !c.OK && Redeemed(u) {
		return nil, offError(u.Method) // locked to a method that is off (R26)
	}
	st, err := s.startFlow(ctx, tenant.ID, u, flowStart{invitationID: inv.ID, redirectURL: inv.RedirectURL}, lang, uiLocale, clientIP)
	if err != nil {
		return nil, err
	}
	st.Route = routeOf(c)
	return st, nil
}

// startFlow remembers the browser's language as the guest's (R53) and
// creates the flow, in one transaction.
func (s *Service) startFlow(ctx context.Context, tenantID string, u *core.User, from flowStart, lang, uiLocale, clientIP string) (*Started, error) {
	var out *Started
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		if lang != "" && lang != u.PreferredLanguage {
			if err := tx.SetPreferredLanguage(ctx, tenantID, u.ID, lang); err != nil {
				return err
			}
			u.PreferredLanguage = lang
		}
		var err error
		out, err = s.createFlow(ctx, tx, tenantID, u, from, uiLocale, clientIP)
		return err
	})
	return out, err
}

// flowStart is where a flow comes from and leads. email, when set, is the
// address as typed (else the user's).
type flowStart struct {
	invitationID, redirectURL, authRequestID, appID, email, purpose string
}

func (s *Service) createFlow(ctx context.Context, tx store.Tx, tenantID string, u *core.User, from flowStart, uiLocale, clientIP string) (*Started, error) {
	cookie := platform.NewToken()
	now := s.now()
	email := from.email
	if email == "" {
		email = u.Mail
	}
	f := core.Flow{
		TenantID: tenantID, ID: s.keys.HashID(flowPurpose, cookie), UserID: u.ID,
		InvitationID: from.invitationID, Email: email, RedirectURL: from.redirectURL,
		AuthRequestID: from.authRequestID, AppID: from.appID, Locale: uiLocale, Purpose: from.purpose,
		Step: core.FlowStarted, ClientIP: clientIP, CreatedAt: now, ExpiresAt: now.Add(s.cfg.FlowTTL),
	}
	if err := tx.CreateFlow(ctx, &f); err != nil {
		return nil, err
	}
	return &Started{Flow: f, User: *u, Cookie: platform.Secret(cookie)}, nil
}

// Flow finds the live flow a browser's cookie names, with its user. Before
// the address is proved the flow answers alike whether or not it has a
// user, or one who may use a passcode (R25): u is nil for an address with
// no user, and the method is checked when a code is sent and accepted.
// Errors: ErrNoFlow (unknown, expired or the guest is gone), ErrOTPOff.
func (s *Service) Flow(ctx context.Context, tenant *core.Tenant, cookie string) (*core.Flow, *core.User, error) {
	if cookie == "" {
		return nil, nil, ErrNoFlow
	}
	f, u, err := s.st.GetFlowUser(ctx, tenant.ID, s.keys.HashID(flowPurpose, cookie), s.now())
	if err != nil {
		return nil, nil, notFoundAs(err, ErrNoFlow)
	}
	if u != nil && !sameAddress(f, u) {
		// The guest's address changed since the flow began (R13): the
		// flow's address has no guest any more, and what was proved with
		// it proves nothing.
		if f.Step != core.FlowStarted {
			return nil, nil, ErrNoFlow
		}
		u = nil
	}
	if f.Step == core.FlowStarted {
		return f, u, nil
	}
	if u == nil {
		return nil, nil, ErrNoFlow // cannot be past the code without a user
	}
	if u.Blocked {
		return nil, nil, ErrBlocked
	}
	if ok, err := s.stillProved(ctx, tenant, f, u); err != nil {
		return nil, nil, err
	} else if !ok {
		if Redeemed(u) {
			return nil, nil, offError(u.Method)
		}
		return nil, nil, offError(f.ProvedMethod)
	}
	return f, u, nil
}

// offError is the refusal of a guest locked to m, which may not be used
// now (R26).
func offError(m core.Method) error {
	if m == core.MethodOTP || m == core.MethodNone {
		return ErrOTPOff
	}
	return ErrMethodOff
}

// stillProved reports whether what the flow's person proved still lets
// them in: the method the guest is locked to, once redeemed (R11), else
// the method they proved with, is still allowed (R26, R27). Only that
// method is asked, not the whole order: a method that came to rank
// higher since the proof does not undo it.
func (s *Service) stillProved(ctx context.Context, tenant *core.Tenant, f *core.Flow, u *core.User) (bool, error) {
	if Redeemed(u) {
		_, ok, err := s.usable(ctx, tenant, u)
		return ok, err
	}
	kind := f.ProvedMethod
	if kind == core.MethodNone {
		kind = core.MethodOTP
	}
	m := s.method(kind)
	if m == nil {
		return false, nil
	}
	addr, err := core.ParseAddress(u.Mail)
	if err != nil {
		return false, nil
	}
	v, err := m.Applies(ctx, tenant, addr)
	return v.OK, err
}

// sameAddress reports whether the flow is for the user's current address.
func sameAddress(f *core.Flow, u *core.User) bool {
	addr, err := core.ParseAddress(f.Email)
	return err == nil && addr.Key() == u.MailKey
}

// Accept records the guest's consent and redeems the invitation: the
// invitation turns Completed and the user Accepted with the mail identity,
// both conditionally, so of two browsers finishing at once exactly one wins
// (R6). The loser gets ErrRedeemed; its flow is spent either way. A
// pending guest the domain list refuses by now gets ErrDomainRefused and
// nothing changes (R9). On success u is the redeemed guest, with the
// method they are now locked to (R11).
func (s *Service) Accept(ctx context.Context, f *core.Flow, u *core.User) error {
	if f.InvitationID == "" {
		// Started by typing the address: redeem the guest's newest pending
		// invitation, as its link would have (R5).
		id, err := s.pendingInvitation(ctx, f.TenantID, u)
		if err != nil {
			return err
		}
		f.InvitationID = id
	}
	var accepted *core.User
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		accepted = nil
		if err := tx.SetFlowStep(ctx, f.TenantID, f.ID, core.FlowVerified, core.FlowDone); err != nil {
			if errors.Is(err, core.ErrConflict) {
				return ErrWrongStep
			}
			return err
		}
		if err := admitted(ctx, tx, f.TenantID, u); err != nil {
			return err
		}
		now := s.now()
		if err := s.stillInvited(ctx, tx, f, now); err != nil {
			return err
		}
		if f.InvitationID != "" {
			err := tx.CompleteInvitation(ctx, f.TenantID, f.InvitationID, now)
			if errors.Is(err, core.ErrConflict) {
				return lostTo(ctx, tx, f)
			} else if err != nil {
				return err
			}
		}
		m, ids := proved(f, u)
		err := tx.AcceptUser(ctx, f.TenantID, u.ID, m, ids, now)
		if errors.Is(err, core.ErrConflict) {
			return ErrRedeemed // another invitation of the same guest won
		}
		if err == nil {
			accepted = &core.User{}
			*accepted = *u
			accepted.ExternalUserState, accepted.StateChangedAt = core.StateAccepted, now
			accepted.Method, accepted.Identities = m, ids
		}
		return err
	})
	if accepted != nil && err == nil {
		*u = *accepted // the page goes on with the redeemed guest
	}
	if errors.Is(err, ErrRedeemed) {
		// The losing transaction rolled back whole; only spend the flow.
		if e := s.st.SetFlowStep(ctx, f.TenantID, f.ID, core.FlowVerified, core.FlowDone); e != nil && !errors.Is(e, core.ErrConflict) {
			return e
		}
		return ErrRedeemed
	}
	return err
}

// proved is the method the flow's person proved and the identity the
// guest gets of it (R12): the issuer's id for them, or the address for a
// passcode. A flow from before flows recorded it was proved by passcode.
func proved(f *core.Flow, u *core.User) (core.Method, []core.Identity) {
	m, subject := f.ProvedMethod, f.ProvedSubject
	if m == core.MethodNone {
		m = core.MethodOTP
	}
	if subject == "" {
		subject = u.Mail
	}
	return m, []core.Identity{m.Identity(f.ProvedIssuer, subject)}
}

// SkipWithSession moves a new flow past its proof when the browser
// already has a live session of the same guest with the method the guest
// signs in with (SPEC R24). A pending guest's session skips only a
// passcode, whose identity is the address itself: what another method
// proved is not kept on the session.
func (s *Service) SkipWithSession(ctx context.Context, tenant *core.Tenant, f *core.Flow, u *core.User, sess *core.Session) (bool, error) {
	if sess == nil || sess.UserID != f.UserID || u == nil {
		return false, nil
	}
	c, err := s.choose(ctx, tenant, u)
	if err != nil || !c.OK || sess.AMR != c.Method.AMR() {
		return false, err
	}
	subject, issuer := "", ""
	if Redeemed(u) && len(u.Identities) > 0 {
		subject, issuer = u.Identities[0].IssuerAssignedID, u.Identities[0].Issuer
	} else if c.Method != core.MethodOTP {
		return false, nil
	}
	err = s.st.InTx(ctx, func(tx store.Tx) error {
		err := tx.RekeyFlow(ctx, f.TenantID, f.ID, store.FlowMove{NewID: f.ID, From: core.FlowStarted, To: core.FlowVerified,
			UserID: u.ID, ProvedMethod: c.Method, ProvedSubject: subject, ProvedIssuer: issuer})
		if err != nil {
			return err
		}
		// A sign-in with the session alone (signInActivity).
		return tx.SetLastSignIn(ctx, f.TenantID, u.ID, s.now())
	})
	if err != nil {
		return false, err
	}
	f.Step, f.ProvedMethod, f.ProvedSubject, f.ProvedIssuer = core.FlowVerified, c.Method, subject, issuer
	return true, nil
}

// Finish ends a flow whose guest needs no consent (already Accepted).
func (s *Service) Finish(ctx context.Context, f *core.Flow) error {
	err := s.st.SetFlowStep(ctx, f.TenantID, f.ID, core.FlowVerified, core.FlowDone)
	if errors.Is(err, core.ErrConflict) {
		return ErrWrongStep
	}
	return err
}

// Session returns the live session a cookie names and its user. A guest
// whose method was turned off loses the session (R26). Errors:
// core.ErrUnauthenticated.
func (s *Service) Session(ctx context.Context, tenant *core.Tenant, cookie string) (*core.Session, *core.User, error) {
	none := core.Errorf(core.ErrUnauthenticated, "InvalidAuthenticationToken", "not signed in")
	if cookie == "" {
		return nil, nil, none
	}
	sess, err := s.st.GetSession(ctx, tenant.ID, s.keys.HashID(sessionPurpose, cookie), s.now())
	if err != nil {
		return nil, nil, notFoundAs(err, none)
	}
	u, err := s.st.GetUser(ctx, tenant.ID, sess.UserID)
	if err != nil {
		return nil, nil, notFoundAs(err, none)
	}
	if ok, err := s.maySignIn(ctx, tenant, u, sess.AMR); err != nil {
		return nil, nil, err
	} else if !ok {
		return nil, nil, none
	}
	return sess, u, nil
}

// notFoundAs turns a not-found error into the caller's own error; any other
// error passes through.
func notFoundAs(err, as error) error {
	if errors.Is(err, core.ErrNotFound) {
		return as
	}
	return err
}
