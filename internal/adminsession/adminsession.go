// Package adminsession signs tenant members in to the admin console (R43)
// and keeps their console sessions: a password checked with the same
// throttles as every member sign-in, a second factor when the member has
// one or the tenant requires it, and sessions that end after an hour
// unused or twelve hours in all, or everywhere at once.
package adminsession

import (
	"context"
	"errors"
	"fmt"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/idp/account"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// Default lifetimes of a console session: an administrator who walks
// away is signed out within the hour, and nobody stays signed in past a
// working day (the defaults of Entra's admin portals' sign-in frequency).
const (
	DefaultIdle     = time.Hour
	DefaultAbsolute = 12 * time.Hour
	// touchEvery bounds the writes a busy console makes: the last-seen
	// time moves at most once a minute, so the idle lifetime is exact to
	// a minute.
	touchEvery = time.Minute
	// pendingLifetime is how long a session that waits for the second
	// factor may wait.
	pendingLifetime = 10 * time.Minute
)

// Lifetimes of console sessions; zero fields take the defaults.
type Lifetimes struct {
	Idle, Absolute time.Duration
}

// Errors of SignIn and Find.
var (
	// ErrWrongPassword is one answer for an unknown address, a wrong
	// password and a blocked member (R25).
	ErrWrongPassword = idp.ErrWrongPassword
	// ErrNoRole: the password was right but the member holds no
	// directory role, so the console has nothing to show them.
	ErrNoRole = core.Errorf(core.ErrForbidden, "NoAdminRole", "the member holds no administrator role")
	// ErrMustChange: the member's password must be changed first.
	ErrMustChange = core.Errorf(core.ErrForbidden, "PasswordChangeRequired", "the password must be changed first")
	// ErrSignedOut: no live session for this cookie.
	ErrSignedOut = core.Errorf(core.ErrUnauthenticated, "SignedOut", "no console session")
)

// Service signs members in and keeps their sessions.
type Service struct {
	st   store.Store
	keys *platform.Keyring
	now  platform.Clock
	pw   *account.Verifier
	life Lifetimes
}

// New returns the service.
func New(st store.Store, keys *platform.Keyring, now platform.Clock, pw *account.Verifier, life Lifetimes) *Service {
	if life.Idle <= 0 {
		life.Idle = DefaultIdle
	}
	if life.Absolute <= 0 {
		life.Absolute = DefaultAbsolute
	}
	return &Service{st: st, keys: keys, now: now, pw: pw, life: life}
}

// Lifetimes are the session lifetimes in force.
func (s *Service) Lifetimes() Lifetimes { return s.life }

// Member is a member who proved their password: the user and the roles
// they hold.
type Member struct {
	User  *core.User
	Roles []string
}

// SignIn checks the password of the member with address addr in tenant.
// A wrong password is counted against the same throttles as a member's
// sign-in to an application. Errors: ErrWrongPassword, *idp.Throttled,
// ErrMustChange, ErrNoRole.
func (s *Service) SignIn(ctx context.Context, tenant *core.Tenant, addr core.Address, password, clientIP string) (*Member, error) {
	proof, err := s.pw.Prove(ctx, core.MethodPassword, tenant, addr, password, clientIP)
	if err != nil {
		return nil, err
	}
	var rejected error
	if err := s.st.InTx(ctx, func(tx store.Tx) error {
		rejected, err = proof.Check(ctx, tx)
		return err
	}); err != nil {
		return nil, err
	}
	if rejected != nil {
		return nil, rejected
	}
	u, err := s.st.GetUser(ctx, tenant.ID, proof.Subject())
	if errors.Is(err, core.ErrNotFound) { // deleted in between
		return nil, ErrWrongPassword
	} else if err != nil {
		return nil, err
	}
	if u.Blocked || u.UserType != core.UserTypeMember {
		return nil, ErrWrongPassword
	}
	if proof.MustChange() {
		return nil, ErrMustChange
	}
	held, err := s.st.RolesOf(ctx, tenant.ID, u.ID)
	if err != nil {
		return nil, err
	}
	if len(held) == 0 {
		return nil, ErrNoRole
	}
	return &Member{User: u, Roles: held}, nil
}

// Start begins a console session for the member; pending sessions wait
// for the second factor (PassSecondFactor). The token goes in the
// cookie and is stored only as a keyed hash.
func (s *Service) Start(ctx context.Context, tenantID, userID string, pending bool, clientIP, userAgent string) (platform.Secret, *core.AdminSession, error) {
	token := platform.NewToken()
	now := s.now()
	end := now.Add(s.life.Absolute)
	if pending {
		end = now.Add(pendingLifetime)
	}
	if len(userAgent) > 200 {
		userAgent = userAgent[:200]
	}
	sess := &core.AdminSession{TenantID: tenantID, ID: s.id(token), UserID: userID, CreatedAt: now,
		SeenAt: now, ExpiresAt: end, Pending: pending, ClientIP: clientIP, UserAgent: userAgent}
	if err := s.st.CreateAdminSession(ctx, sess); err != nil {
		return "", nil, fmt.Errorf("start console session: %w", err)
	}
	return platform.Secret(token), sess, nil
}

// Find is the live session of token in the tenant, or ErrSignedOut. A
// session unused for the idle lifetime, or older than the absolute one,
// is ended here. Use moves the idle lifetime on.
func (s *Service) Find(ctx context.Context, tenantID, token string) (*core.AdminSession, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrSignedOut
	}
	id := s.id(token)
	sess, err := s.st.AdminSession(ctx, tenantID, id)
	if errors.Is(err, core.ErrNotFound) {
		return nil, ErrSignedOut
	} else if err != nil {
		return nil, err
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt) || !now.Before(sess.SeenAt.Add(s.life.Idle)) {
		if err := s.st.DeleteAdminSession(ctx, tenantID, id); err != nil {
			return nil, err
		}
		return nil, ErrSignedOut
	}
	if now.Sub(sess.SeenAt) >= touchEvery {
		if err := s.st.TouchAdminSession(ctx, tenantID, id, now); err != nil {
			return nil, err
		}
		sess.SeenAt = now
	}
	return sess, nil
}

// PassSecondFactor completes a pending session: it lives its full
// lifetime from now on.
func (s *Service) PassSecondFactor(ctx context.Context, sess *core.AdminSession) error {
	end := s.now().Add(s.life.Absolute)
	if err := s.st.PassAdminSecondFactor(ctx, sess.TenantID, sess.ID, end); err != nil {
		return err
	}
	sess.Pending, sess.ExpiresAt = false, end
	return nil
}

// End signs one session out.
func (s *Service) End(ctx context.Context, tenantID, token string) error {
	if token == "" || len(token) > 100 {
		return nil
	}
	return s.st.DeleteAdminSession(ctx, tenantID, s.id(token))
}

// EndAll signs the member out of every console session, this one too.
func (s *Service) EndAll(ctx context.Context, tenantID, userID string) (int, error) {
	return s.st.DeleteAdminSessionsOf(ctx, tenantID, userID)
}

// CSRFToken is the token the console's forms carry for the session: a
// keyed hash of the session's id, so it is worthless in another session
// and never stored.
func (s *Service) CSRFToken(sess *core.AdminSession) string {
	return s.keys.HashID("console-csrf", sess.TenantID+"\x00"+sess.ID)
}

func (s *Service) id(token string) string { return s.keys.HashID("console-session", token) }
