package account

import (
	"context"
	"errors"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// Hasher is how passwords are hashed and checked (package password).
type Hasher interface {
	Hash(ctx context.Context, plain string) (string, error)
	Verify(ctx context.Context, plain, phc string) (ok, rehash bool, err error)
	// VerifyNothing spends what a Verify spends, for an address with no
	// account: both answers take the same time (R25).
	VerifyNothing(ctx context.Context, plain string)
}

// Throttles of password sign-in, Entra's "smart lockout" in spirit: the
// failures counted are those of one account from one client, so an
// attacker elsewhere cannot lock the owner out; and those of one client
// over all accounts, so one client cannot spray a common password over
// many accounts.
const (
	Window        = 15 * time.Minute
	AccountLimit  = 10  // failures of one account from one client per Window
	ClientLimit   = 100 // failures from one client per Window
	maxSecretSize = 1024
)

// Verifier checks passwords.
type Verifier struct {
	st     store.Store
	hasher Hasher
	now    platform.Clock
}

// New returns a Verifier.
func New(st store.Store, hasher Hasher, now platform.Clock) *Verifier {
	return &Verifier{st: st, hasher: hasher, now: now}
}

// Hasher is the verifier's hasher, for the engine's password changes.
func (v *Verifier) Hasher() Hasher { return v.hasher }

// Prove checks plain as the password of the account with address addr in
// the tenant home (nil: no tenant holds such an account), and returns the
// proof for kind. Everything costly
// happens here, outside any transaction; the proof's Check records the
// outcome. An address with no account, a blocked account and a wrong
// password are one answer, in the same time (idp.ErrWrongPassword from
// Check). Errors: *idp.Throttled, before anything is hashed.
func (v *Verifier) Prove(ctx context.Context, kind core.Method, home *core.Tenant, addr core.Address, plain, clientIP string) (idp.Proof, error) {
	client := platform.ThrottleKey(clientIP)
	tenantID := ""
	if home != nil {
		tenantID = home.ID
	}
	p := &proof{kind: kind, tenantID: tenantID, now: v.now(),
		failKeys: []string{"pwd-fail:" + addr.Key() + ":" + client, "pwd-fail-client:" + client}}
	if err := v.throttle(ctx, p); err != nil {
		return nil, err
	}
	if len(plain) > maxSecretSize { // not worth hashing; still one answer
		plain = plain[:maxSecretSize]
	}
	if home == nil {
		v.hasher.VerifyNothing(ctx, plain)
		return p, nil
	}
	u, pw, err := v.st.PasswordByMail(ctx, home.ID, addr.Key())
	switch {
	case errors.Is(err, core.ErrNotFound):
		v.hasher.VerifyNothing(ctx, plain)
		return p, nil
	case err != nil:
		return nil, err
	}
	ok, rehash, err := v.hasher.Verify(ctx, plain, pw.Hash)
	if err != nil {
		return nil, err
	}
	if !ok || u.Blocked || u.UserType != core.UserTypeMember {
		return p, nil
	}
	p.ok, p.subject, p.mustChange = true, u.ID, pw.MustChange
	if rehash { // the cost parameters changed since it was stored
		h, err := v.hasher.Hash(ctx, plain)
		if err != nil {
			return nil, err
		}
		p.rehashed = &core.Password{TenantID: home.ID, UserID: u.ID, Hash: h, MustChange: pw.MustChange, ChangedAt: pw.ChangedAt}
	}
	return p, nil
}

// throttle refuses a client that failed too often, for this account or
// over all, within Window; RetryAfter is when the oldest counted failure
// leaves the window.
func (v *Verifier) throttle(ctx context.Context, p *proof) error {
	// EventWindows counts events at or after since; a failure exactly
	// Window old has left the window, as RetryAfter promised (the store
	// keeps microseconds).
	since := p.now.Add(-Window + time.Microsecond)
	w, err := v.st.EventWindows(ctx, p.tenantID, since, p.failKeys...)
	if err != nil {
		return err
	}
	for i, limit := range [...]int{AccountLimit, ClientLimit} {
		if ew, ok := w[p.failKeys[i]]; ok && ew.Count >= limit {
			wait := max(ew.First.Add(Window).Sub(p.now), time.Second)
			return &idp.Throttled{RetryAfter: wait}
		}
	}
	return nil
}

// proof is one checked password.
type proof struct {
	kind       core.Method
	tenantID   string
	now        time.Time
	failKeys   []string
	ok         bool
	subject    string
	mustChange bool
	rehashed   *core.Password
}

func (p *proof) Method() core.Method { return p.kind }
func (p *proof) Subject() string     { return p.subject }
func (p *proof) MustChange() bool    { return p.mustChange }

// Check records a failure against the throttles, or stores a rehashed
// password on success.
func (p *proof) Check(ctx context.Context, tx store.Tx) (rejected, err error) {
	if !p.ok {
		if err := tx.RecordEvents(ctx, p.tenantID, p.now, p.failKeys...); err != nil {
			return nil, err
		}
		return idp.ErrWrongPassword, nil
	}
	if p.rehashed != nil {
		if err := tx.SetPassword(ctx, p.rehashed); err != nil && !errors.Is(err, core.ErrNotFound) {
			return nil, err
		}
	}
	return nil, nil
}
