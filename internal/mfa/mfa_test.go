package mfa

import (
	"bytes"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/store"
	"guestlist/internal/store/sqlstore"
)

const (
	tenantA = "11111111-1111-4111-8111-111111111111"
	tenantB = "22222222-2222-4222-8222-222222222222"
)

// clock is a fake clock the tests move.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a service on a fresh SQLite store with two tenants: tenant
// A has the members "alice" and "bob" and the guest "gus"; tenant B has
// a member whose id is also "alice".
type fixture struct {
	s     *Service
	st    store.Store
	clock *clock
	path  string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureOn(t, filepath.Join(t.TempDir(), "guestlist.db"))
}

// newFixtureOn is newFixture on the database dsn (a SQLite file's path or
// a PostgreSQL URL).
func newFixtureOn(t *testing.T, dsn string) *fixture {
	t.Helper()
	ctx := t.Context()
	path := dsn
	st, err := sqlstore.Open(ctx, path, sqlstore.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 10, 0, time.UTC)}
	for _, tn := range []*core.Tenant{
		{ID: tenantA, DisplayName: "Fabrikam", InitialDomain: "fabrikam.guestlist.test"},
		{ID: tenantB, DisplayName: "Contoso", InitialDomain: "contoso.guestlist.test"},
	} {
		tn.DefaultLanguage, tn.EmailOTP, tn.CreatedAt = "en", core.OTPDefault, c.now()
		must(t, st.CreateTenant(ctx, tn))
	}
	for _, u := range []*core.User{
		member(tenantA, "alice", "alice@fabrikam.guestlist.test"),
		member(tenantA, "bob", "bob@fabrikam.guestlist.test"),
		member(tenantB, "alice", "alice@contoso.guestlist.test"),
		{TenantID: tenantA, ID: "gus", DisplayName: "Gus", Mail: "gus@example.com", MailKey: "gus@example.com",
			UserPrincipalName: "gus_example.com#EXT#@fabrikam.guestlist.test", UserType: core.UserTypeGuest},
	} {
		u.CreatedAt = c.now()
		must(t, st.CreateUser(ctx, u))
	}
	keys, err := platform.NewKeyring(bytes.Repeat([]byte{7}, 32))
	must(t, err)
	return &fixture{s: New(st, keys, c.now), st: st, clock: c, path: path}
}

func member(tenantID, id, upn string) *core.User {
	return &core.User{TenantID: tenantID, ID: id, DisplayName: id, Mail: upn, MailKey: upn,
		UserPrincipalName: upn, UserType: core.UserTypeMember}
}

// enrol enrols the member and returns their secret and recovery codes.
func (f *fixture) enrol(t *testing.T, tenantID, userID string) (string, []string) {
	t.Helper()
	e, err := f.s.BeginEnrolment(t.Context(), tenantID, userID)
	must(t, err)
	secret := string(e.Secret)
	codes, err := f.s.ConfirmEnrolment(t.Context(), tenantID, userID, code(t, secret, f.clock.now()))
	must(t, err)
	return secret, plain(codes)
}

// plain is the codes as the member reads them.
func plain(codes []platform.Secret) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = string(c)
	}
	return out
}

// code is the app's code at at, from the library as the app would
// compute it.
func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: period, Digits: digits, Algorithm: algorithm})
	must(t, err)
	return c
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantKind(t *testing.T, what string, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Errorf("%s: error %v, want %v", what, err, kind)
	}
}

// TestMatchStep: RFC 6238 Appendix B's SHA-1 vectors (their last six
// digits), the ±1 step window, and refusal of steps up to the last
// accepted one.
func TestMatchStep(t *testing.T) {
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" // "12345678901234567890"
	for _, v := range []struct {
		unix int64
		code string
	}{{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"},
		{2000000000, "279037"}, {20000000000, "353130"}} {
		step, ok := matchStep(secret, v.code, time.Unix(v.unix, 0), 0)
		if !ok || step != v.unix/30 {
			t.Errorf("RFC 6238 vector at %d: step %d, %v", v.unix, step, ok)
		}
	}
	// Two steps early: the code of 1111111109's step, two steps before.
	if _, ok := matchStep(secret, "081804", time.Unix(1111111109-60, 0), 0); ok {
		t.Error("a code two steps early was accepted")
	}
	// The code of step 1 (T = 30..59 s).
	for name, c := range map[string]struct {
		code     string
		now      int64
		last     int64
		wantStep int64
		ok       bool
	}{
		"same step":                 {"287082", 45, 0, 1, true},
		"one step late":             {"287082", 60, 0, 1, true},
		"one step late, at its end": {"287082", 89, 0, 1, true},
		"two steps late":            {"287082", 90, 0, 0, false},
		"one step early":            {"287082", 29, 0, 1, true},
		"replayed":                  {"287082", 45, 1, 0, false},
		"after a later code":        {"287082", 60, 2, 0, false},
		"after an earlier code":     {"287082", 60, 0, 1, true},
		"five digits":               {"28708", 45, 0, 0, false},
		"seven digits":              {"2870820", 45, 0, 0, false},
		"letters":                   {"28708a", 45, 0, 0, false},
		"sign":                      {"+28708", 45, 0, 0, false},
		"empty":                     {"", 45, 0, 0, false},
		"a wrong code":              {"000000", 45, 0, 0, false},
	} {
		step, ok := matchStep(secret, c.code, time.Unix(c.now, 0), c.last)
		if ok != c.ok || step != c.wantStep {
			t.Errorf("%s: matchStep = %d, %v; want %d, %v", name, step, ok, c.wantStep, c.ok)
		}
	}
}
