package adminsession_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"guestlist/internal/adminsession"
	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/idp/account"
	"guestlist/internal/password"
	"guestlist/internal/platform"
	"guestlist/internal/store"
	"guestlist/internal/store/sqlstore"
)

const (
	tenantID    = "11111111-1111-1111-1111-111111111111"
	globalAdmin = "62e90394-69f5-4237-9190-012177145e10"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	st     store.Store
	svc    *adminsession.Service
	clock  *clock
	tenant *core.Tenant
}

// newFixture: a tenant with an administrator (admin@fabrikam.example,
// Global Administrator), a member without a role and a blocked
// administrator, each with the password "correct horse battery".
func newFixture(t *testing.T) *fixture {
	ctx := t.Context()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "guestlist.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &clock{t: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)}
	tenant := &core.Tenant{ID: tenantID, DisplayName: "Fabrikam", InitialDomain: "fabrikam.guestlist.test",
		Domains: []string{"fabrikam.example"}, DefaultLanguage: "en", EmailOTP: core.OTPDefault, CreatedAt: c.now()}
	if err := st.CreateTenant(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	hasher := password.NewHasher(password.Default())
	for _, m := range []struct {
		id, mail string
		role     bool
		blocked  bool
	}{{"admin", "admin@fabrikam.example", true, false}, {"plain", "plain@fabrikam.example", false, false},
		{"blocked", "blocked@fabrikam.example", true, true}} {
		u := &core.User{TenantID: tenantID, ID: m.id, DisplayName: m.id, Mail: m.mail, MailKey: m.mail,
			UserPrincipalName: m.mail, UserType: core.UserTypeMember, CreatedAt: c.now(), Blocked: m.blocked}
		if err := st.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		hash, err := hasher.Hash(ctx, "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SetPassword(ctx, &core.Password{TenantID: tenantID, UserID: m.id, Hash: hash, ChangedAt: c.now()}); err != nil {
			t.Fatal(err)
		}
		if m.role {
			if err := st.CreateRoleAssignment(ctx, &core.RoleAssignment{TenantID: tenantID, ID: "ra-" + m.id,
				RoleDefinitionID: globalAdmin, PrincipalID: m.id, DirectoryScopeID: "/", CreatedAt: c.now()}); err != nil {
				t.Fatal(err)
			}
		}
	}
	keys, err := platform.NewKeyring(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	svc := adminsession.New(st, keys, c.now, account.New(st, hasher, c.now), adminsession.Lifetimes{})
	return &fixture{st: st, svc: svc, clock: c, tenant: tenant}
}

func (f *fixture) signIn(ctx context.Context, addr, pw string) (*adminsession.Member, error) {
	a, err := core.ParseAddress(addr)
	if err != nil {
		panic(err)
	}
	return f.svc.SignIn(ctx, f.tenant, a, pw, "192.0.2.7")
}

// TestSignIn: only an enabled member with a role and the right password
// gets in; the other refusals are one answer until the password is right.
func TestSignIn(t *testing.T) {
	f, ctx := newFixture(t), t.Context()
	m, err := f.signIn(ctx, "Admin@Fabrikam.example", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if m.User.ID != "admin" || len(m.Roles) != 1 || m.Roles[0] != globalAdmin {
		t.Errorf("signed in as %s with roles %v", m.User.ID, m.Roles)
	}
	for _, c := range []struct {
		addr, pw string
		want     error
	}{
		{"admin@fabrikam.example", "wrong horse battery", adminsession.ErrWrongPassword},
		{"nobody@fabrikam.example", "correct horse battery", adminsession.ErrWrongPassword},
		{"blocked@fabrikam.example", "correct horse battery", adminsession.ErrWrongPassword},
		{"plain@fabrikam.example", "correct horse battery", adminsession.ErrNoRole},
	} {
		if _, err := f.signIn(ctx, c.addr, c.pw); !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", c.addr, err, c.want)
		}
	}
}

// TestSignInThrottled: an attacker guessing one administrator's password
// is stopped after the account limit, and stays stopped even with the
// right password until the window has passed.
func TestSignInThrottled(t *testing.T) {
	f, ctx := newFixture(t), t.Context()
	for i := range account.AccountLimit {
		if _, err := f.signIn(ctx, "admin@fabrikam.example", "guess"); !errors.Is(err, adminsession.ErrWrongPassword) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	var th *idp.Throttled
	if _, err := f.signIn(ctx, "admin@fabrikam.example", "correct horse battery"); !errors.As(err, &th) {
		t.Fatalf("after %d wrong passwords the right one got %v, want throttled", account.AccountLimit, err)
	}
	f.clock.add(account.Window)
	if _, err := f.signIn(ctx, "admin@fabrikam.example", "correct horse battery"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

// TestLifetimes: a session ends after an hour unused, or twelve hours in
// all however busy; a pending one waits ten minutes for the second factor.
func TestLifetimes(t *testing.T) {
	f, ctx := newFixture(t), t.Context()
	token, _, err := f.svc.Start(ctx, tenantID, "admin", false, "192.0.2.7", "Browser")
	if err != nil {
		t.Fatal(err)
	}
	// Busy for eleven hours and forty minutes: every 50 minutes a page.
	for range 14 {
		f.clock.add(50 * time.Minute)
		if _, err := f.svc.Find(ctx, tenantID, string(token)); err != nil {
			t.Fatalf("at %v: %v", f.clock.now(), err)
		}
	}
	f.clock.add(20 * time.Minute) // twelve hours since the start
	if _, err := f.svc.Find(ctx, tenantID, string(token)); !errors.Is(err, adminsession.ErrSignedOut) {
		t.Errorf("after twelve hours: %v, want signed out", err)
	}

	idle, _, err := f.svc.Start(ctx, tenantID, "admin", false, "", "")
	if err != nil {
		t.Fatal(err)
	}
	f.clock.add(59 * time.Minute)
	if _, err := f.svc.Find(ctx, tenantID, string(idle)); err != nil {
		t.Fatalf("after 59 minutes: %v", err)
	}
	f.clock.add(time.Hour)
	if _, err := f.svc.Find(ctx, tenantID, string(idle)); !errors.Is(err, adminsession.ErrSignedOut) {
		t.Errorf("after an hour unused: %v, want signed out", err)
	}

	pending, sess, err := f.svc.Start(ctx, tenantID, "admin", true, "", "")
	if err != nil {
		t.Fatal(err)
	}
	f.clock.add(9 * time.Minute)
	if err := f.svc.PassSecondFactor(ctx, sess); err != nil {
		t.Fatal(err)
	}
	f.clock.add(30 * time.Minute) // past the pending lifetime, within the full one
	got, err := f.svc.Find(ctx, tenantID, string(pending))
	if err != nil || got.Pending {
		t.Fatalf("after the second factor: %+v, %v", got, err)
	}
	late, _, err := f.svc.Start(ctx, tenantID, "admin", true, "", "")
	if err != nil {
		t.Fatal(err)
	}
	f.clock.add(10 * time.Minute)
	if _, err := f.svc.Find(ctx, tenantID, string(late)); !errors.Is(err, adminsession.ErrSignedOut) {
		t.Errorf("a pending session ten minutes old: %v, want signed out", err)
	}
}

// TestTokens: a session's token works only in its own tenant, a forged
// or empty one finds nothing, sign-out ends it, and sign-out everywhere
// ends all of the member's; each session has its own CSRF token.
func TestTokens(t *testing.T) {
	f, ctx := newFixture(t), t.Context()
	one, s1, err := f.svc.Start(ctx, tenantID, "admin", false, "", "")
	if err != nil {
		t.Fatal(err)
	}
	two, s2, err := f.svc.Start(ctx, tenantID, "admin", false, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if f.svc.CSRFToken(s1) == f.svc.CSRFToken(s2) {
		t.Error("two sessions share a CSRF token")
	}
	if s1.ID == string(one) {
		t.Error("the session id is the cookie's token itself")
	}
	for _, bad := range []string{"", s1.ID, string(one) + "x", string(make([]byte, 200))} {
		if _, err := f.svc.Find(ctx, tenantID, bad); !errors.Is(err, adminsession.ErrSignedOut) {
			t.Errorf("token %q: %v, want signed out", bad, err)
		}
	}
	if _, err := f.svc.Find(ctx, "22222222-2222-2222-2222-222222222222", string(one)); !errors.Is(err, adminsession.ErrSignedOut) {
		t.Errorf("in another tenant: %v, want signed out", err)
	}
	if err := f.svc.End(ctx, tenantID, string(one)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Find(ctx, tenantID, string(one)); !errors.Is(err, adminsession.ErrSignedOut) {
		t.Errorf("after sign-out: %v", err)
	}
	three, _, err := f.svc.Start(ctx, tenantID, "admin", false, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := f.svc.EndAll(ctx, tenantID, "admin"); err != nil || n != 2 {
		t.Fatalf("EndAll = %d, %v; want 2", n, err)
	}
	for _, tok := range []platform.Secret{two, three} {
		if _, err := f.svc.Find(ctx, tenantID, string(tok)); !errors.Is(err, adminsession.ErrSignedOut) {
			t.Errorf("after sign-out everywhere: %v", err)
		}
	}
}
