package redeem

import (
	"context"
	"errors"
	"time"

	"guestlist/internal/core"
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
}

// Service runs sign-in flows and sessions.
type Service struct {
	st     store.Store
	keys   *platform.Keyring
	now    platform.Clock
	deploy policy.Deployment
	cfg    Config
}

// New returns a Service.
func New(st store.Store, keys *platform.Keyring, now platform.Clock, deploy policy.Deployment, cfg Config) *Service {
	if cfg.FlowTTL <= 0 {
		cfg.FlowTTL = time.Hour
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 24 * time.Hour
	}
	return &Service{st: st, keys: keys, now: now, deploy: deploy, cfg: cfg}
}

// Errors a guest page turns into a message.
var (
	ErrBadLink   = core.Errorf(core.ErrNotFound, "Request_ResourceNotFound", "redeem link not valid")
	ErrNoFlow    = core.Errorf(core.ErrNotFound, "Request_ResourceNotFound", "sign-in flow not found")
	ErrOTPOff    = core.Errorf(core.ErrForbidden, "Authorization_RequestDenied", "email one-time passcode is off")
	ErrRedeemed  = core.Errorf(core.ErrConflict, "Request_BadRequest", "invitation already redeemed")
	ErrWrongStep = core.Errorf(core.ErrConflict, "Request_BadRequest", "sign-in flow is not at this step")
)

// Started is a new flow and the cookie value that names it.
type Started struct {
	Flow   core.Flow
	User   core.User
	Cookie platform.Secret
}

// StartFromToken opens the redeem link token: it starts a sign-in flow for
// the invited user. A redeemed link still starts a flow — the person must
// prove the address again and no second identity can come of it (R6).
// lang is the language the browser asked for, remembered as the guest's
// preferred language (R53). Errors: ErrBadLink, ErrOTPOff.
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
	u, err := s.st.GetUser(ctx, tenant.ID, inv.UserID)
	if err != nil { // not found: the guest was deleted
		return nil, notFoundAs(err, ErrBadLink)
	}
	if u.Blocked {
		return nil, ErrBlocked
	}
	if !s.otpApplies(tenant, u) {
		return nil, ErrOTPOff
	}
	return s.startFlow(ctx, tenant.ID, u, flowStart{invitationID: inv.ID, redirectURL: inv.RedirectURL}, lang, uiLocale, clientIP)
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

// otpApplies says whether this guest signs in with a passcode: the tenant
// allows it (R20) and the guest either has not redeemed yet or redeemed with
// it (R11: the redeemed method is locked in).
func (s *Service) otpApplies(tenant *core.Tenant, u *core.User) bool {
	if !s.deploy.EmailOTPEnabled(tenant, s.now()) {
		return false
	}
	if u.ExternalUserState != core.StateAccepted {
		return true
	}
	for _, id := range u.Identities {
		if id.Issuer == core.IssuerMail {
			return true
		}
	}
	return false
}

// flowStart is where a flow comes from and leads. email, when set, is the
// address as typed (else the user's).
type flowStart struct {
	invitationID, redirectURL, authRequestID, appID, email string
}

// OTPApplies says whether Send code may mail u a code: u is a guest of the
// tenant and signs in with a passcode (R20, R11). A nil u has no user.
func (s *Service) OTPApplies(tenant *core.Tenant, u *core.User) bool {
	return u != nil && s.otpApplies(tenant, u)
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
		AuthRequestID: from.authRequestID, AppID: from.appID, Locale: uiLocale,
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
	if f.Step == core.FlowStarted {
		return f, u, nil
	}
	if u == nil {
		return nil, nil, ErrNoFlow // cannot be past the code without a user
	}
	if u.Blocked {
		return nil, nil, ErrBlocked
	}
	if !s.otpApplies(tenant, u) {
		return nil, nil, ErrOTPOff
	}
	return f, u, nil
}

// Verified is run by the passcode check in its transaction: the flow moves
// on, a session starts (R24) and the user's last sign-in is now. The flow
// also gets a new id, so the cookie that named it until now — of which a
// stranger may hold a planted copy — stops naming it in the same
// transaction that accepts the code. It returns the new session and flow
// cookie values.
func (s *Service) Verified(ctx context.Context, tx store.Tx, tenant *core.Tenant, f *core.Flow, u *core.User, lang string) (session, flow platform.Secret, err error) {
	if u == nil {
		return "", "", ErrNoFlow // no code is ever mailed for such a flow
	}
	if u.Blocked {
		return "", "", ErrBlocked // blocked after the code was sent (R43)
	}
	if !s.otpApplies(tenant, u) {
		return "", "", ErrOTPOff // turned off after the code was sent (R26)
	}
	if lang != "" && lang != u.PreferredLanguage {
		if err := tx.SetPreferredLanguage(ctx, f.TenantID, u.ID, lang); err != nil {
			return "", "", notFoundAs(err, ErrNoFlow)
		}
	}
	flowCookie := platform.NewToken()
	newID := s.keys.HashID(flowPurpose, flowCookie)
	if err := tx.RekeyFlow(ctx, f.TenantID, f.ID, newID, core.FlowStarted, core.FlowVerified); err != nil {
		if errors.Is(err, core.ErrConflict) {
			return "", "", ErrWrongStep
		}
		return "", "", err
	}
	cookie := platform.NewToken()
	now := s.now()
	sess := core.Session{
		TenantID: f.TenantID, ID: s.keys.HashID(sessionPurpose, cookie), UserID: f.UserID,
		AMR: "otp", CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL),
	}
	f.ID, f.Step = newID, core.FlowVerified
	if err := tx.SetLastSignIn(ctx, f.TenantID, f.UserID, now); err != nil {
		return "", "", notFoundAs(err, ErrNoFlow) // the guest was deleted meanwhile
	}
	return platform.Secret(cookie), platform.Secret(flowCookie), tx.CreateSession(ctx, &sess)
}

// Accept records the guest's consent and redeems the invitation: the
// invitation turns Completed and the user Accepted with the mail identity,
// both conditionally, so of two browsers finishing at once exactly one wins
// (R6). The loser gets ErrRedeemed; its flow is spent either way.
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
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		if err := tx.SetFlowStep(ctx, f.TenantID, f.ID, core.FlowVerified, core.FlowDone); err != nil {
			if errors.Is(err, core.ErrConflict) {
				return ErrWrongStep
			}
			return err
		}
		now := s.now()
		if f.InvitationID != "" {
			err := tx.CompleteInvitation(ctx, f.TenantID, f.InvitationID, now)
			if errors.Is(err, core.ErrConflict) {
				return ErrRedeemed
			} else if err != nil {
				return err
			}
		}
		ids := []core.Identity{{SignInType: "federated", Issuer: core.IssuerMail, IssuerAssignedID: u.Mail}}
		err := tx.AcceptUser(ctx, f.TenantID, u.ID, ids, now)
		if errors.Is(err, core.ErrConflict) {
			return ErrRedeemed // another invitation of the same guest won
		}
		return err
	})
	if errors.Is(err, ErrRedeemed) {
		// The losing transaction rolled back whole; only spend the flow.
		if e := s.st.SetFlowStep(ctx, f.TenantID, f.ID, core.FlowVerified, core.FlowDone); e != nil && !errors.Is(e, core.ErrConflict) {
			return e
		}
		return ErrRedeemed
	}
	return err
}

// SkipWithSession moves a new flow past the passcode when the browser
// already has a live session of the same guest (SPEC R24).
func (s *Service) SkipWithSession(ctx context.Context, f *core.Flow, sess *core.Session) (bool, error) {
	if sess == nil || sess.UserID != f.UserID || sess.AMR != "otp" {
		return false, nil
	}
	err := s.st.SetFlowStep(ctx, f.TenantID, f.ID, core.FlowStarted, core.FlowVerified)
	if err != nil {
		return false, err
	}
	f.Step = core.FlowVerified
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
	if !s.maySignIn(tenant, u, sess.AMR) {
		return nil, nil, none
	}
	return sess, u, nil
}

// SessionTTL is how long a new session lasts.
func (s *Service) SessionTTL() time.Duration { return s.cfg.SessionTTL }

// notFoundAs turns a not-found error into the caller's own error; any other
// error passes through.
func notFoundAs(err, as error) error {
	if errors.Is(err, core.ErrNotFound) {
		return as
	}
	return err
}
