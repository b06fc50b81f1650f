package admins_test

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"guestlist/internal/admins"
	"guestlist/internal/compose"
	"guestlist/internal/core"
	"guestlist/internal/i18n"
	"guestlist/internal/password"
	"guestlist/internal/platform"
	"guestlist/internal/roles"
	"guestlist/internal/store"
	"guestlist/internal/store/sqlstore"
	"guestlist/internal/tenants"
	"guestlist/internal/users"
)

type fakeHasher struct{}

func (fakeHasher) Hash(_ context.Context, plain string) (string, error) { return "fake$" + plain, nil }

// failingMail is a store whose transactions cannot queue mail: the last
// write of a new tenant with its administrator.
type failingMail struct{ store.Store }

type failingMailTx struct{ store.Tx }

func (failingMailTx) EnqueueMail(context.Context, *core.OutboxMessage) error {
	return errors.New("outbox refused")
}

func (s failingMail) InTx(ctx context.Context, fn func(tx store.Tx) error) error {
	return s.Store.InTx(ctx, func(tx store.Tx) error { return fn(failingMailTx{tx}) })
}

type fixture struct {
	st  store.Store
	svc *admins.Service
	now *time.Time
}

func newFixture(t *testing.T, wrap func(store.Store) store.Store) fixture {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "guestlist.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var used store.Store = st
	if wrap != nil {
		used = wrap(st)
	}
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	ring, err := platform.NewKeyring(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	mails, err := compose.New(cat)
	if err != nil {
		t.Fatal(err)
	}
	ts := tenants.New(used, ring, clock, "guestlist.test", false)
	svc := admins.New(used, ring, clock, mails, ts, users.New(used, clock, fakeHasher{}, password.Check),
		roles.New(used, clock), admins.PasswordRules{Hash: fakeHasher{}.Hash, Check: password.Check},
		"https://guestlist.test", nil)
	return fixture{st: st, svc: svc, now: &now}
}

var tokenRE = regexp.MustCompile(`/admin/password\?token=([A-Za-z0-9]+)`)

// lastToken reads the token from the newest mail in the outbox.
func (f fixture) lastToken(t *testing.T) platform.Secret {
	t.Helper()
	list, err := f.st.ListMail(t.Context(), 1)
	if err != nil || len(list) == 0 {
		t.Fatalf("no mail: %v", err)
	}
	m := tokenRE.FindStringSubmatch(list[0].TextBody)
	if m == nil || list[0].Kind != core.MailPasswordLink || !list[0].Sensitive {
		t.Fatalf("not a sensitive set-password mail: %+v", list[0])
	}
	return platform.Secret(m[1])
}

func fabrikam() tenants.Request {
	return tenants.Request{DisplayName: "Fabrikam", Domains: []string{"fabrikam.example"}, DefaultLanguage: "nl"}
}

// TestNothingWrittenWhenTheMailFails: the mail is the last write of a new
// tenant with its administrator; when it fails, there is no tenant, no
// member, no role, and the domain is free.
func TestNothingWrittenWhenTheMailFails(t *testing.T) {
	f := newFixture(t, func(s store.Store) store.Store { return failingMail{s} })
	if _, _, err := f.svc.CreateTenant(t.Context(), fabrikam(), "ada@fabrikam.example"); err == nil || !strings.Contains(err.Error(), "outbox refused") {
		t.Fatalf("CreateTenant without its mail: %v, want the outbox's refusal", err)
	}
	if list, err := f.st.ListTenants(t.Context()); err != nil || len(list) != 0 {
		t.Fatalf("tenants after the failure: %v %v", list, err)
	}
	if _, err := f.st.TenantByDomain(t.Context(), "fabrikam.example"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("the domain is held after the failure: %v", err)
	}
	if m, err := f.st.ListMail(t.Context(), 10); err != nil || len(m) != 0 {
		t.Errorf("mail after the failure: %v %v", m, err)
	}
}

// TestLinkMailInTenantLanguage: the link's mail is in the tenant's default
// language and names the administrator.
func TestLinkMailInTenantLanguage(t *testing.T) {
	f := newFixture(t, nil)
	_, admin, err := f.svc.CreateTenant(t.Context(), fabrikam(), "ada@fabrikam.example")
	if err != nil {
		t.Fatal(err)
	}
	if !admin.LinkExpires.Equal(f.now.Add(24 * time.Hour)) {
		t.Errorf("LinkExpires %v", admin.LinkExpires)
	}
	list, err := f.st.ListMail(t.Context(), 1)
	if err != nil || len(list) != 1 {
		t.Fatal(err)
	}
	if m := list[0]; !strings.Contains(m.Subject, "beheerderswachtwoord") || !strings.Contains(m.TextBody, "ada@fabrikam.example") ||
		m.To[0] != "ada@fabrikam.example" {
		t.Errorf("mail %q to %v:\n%s", m.Subject, m.To, m.TextBody)
	}
}

// TestLinkUsedOnceUnderRace: of many uses of one link at once, exactly one
// sets the password; the others learn the link was used.
func TestLinkUsedOnceUnderRace(t *testing.T) {
	f := newFixture(t, nil)
	c, _, err := f.svc.CreateTenant(t.Context(), fabrikam(), "ada@fabrikam.example")
	if err != nil {
		t.Fatal(err)
	}
	token := f.lastToken(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			_, errs[i] = f.svc.SetPassword(t.Context(), &c.Tenant, token, "tidal-Quokka-lantern-93")
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, admins.ErrLinkUsed):
			t.Errorf("a losing use: %v, want ErrLinkUsed", err)
		}
	}
	if won != 1 {
		t.Errorf("%d uses set the password, want exactly 1", won)
	}
}

// TestLinkRules: a refused password keeps the link; a link expires at 24
// hours; a new one voids the old; other tenants and non-administrators get
// none.
func TestLinkRules(t *testing.T) {
	f := newFixture(t, nil)
	ctx := t.Context()
	c, admin, err := f.svc.CreateTenant(ctx, fabrikam(), "ada@fabrikam.example")
	if err != nil {
		t.Fatal(err)
	}
	fab := &c.Tenant
	first := f.lastToken(t)
	var rej *password.Rejected
	if _, err := f.svc.SetPassword(ctx, fab, first, "ada@fabrikam.example"); !errors.As(err, &rej) {
		t.Fatalf("the address as password: %v", err)
	}
	if _, err := f.svc.Open(ctx, fab, first); err != nil {
		t.Fatalf("the link after a refused password: %v", err)
	}
	// A second later, so the new link's mail is the newest by its time
	// (two mails of one instant list in either order).
	*f.now = f.now.Add(time.Second)
	if _, err := f.svc.SendLink(ctx, fab.ID, admin.User.ID); err != nil {
		t.Fatal(err)
	}
	second := f.lastToken(t)
	if _, err := f.svc.Open(ctx, fab, first); !errors.Is(err, admins.ErrLinkUnknown) {
		t.Errorf("the replaced link: %v, want ErrLinkUnknown", err)
	}
	other, _, err := f.svc.CreateTenant(ctx, tenants.Request{DisplayName: "Contoso", Domains: []string{"contoso.example"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Open(ctx, &other.Tenant, second); !errors.Is(err, admins.ErrLinkUnknown) {
		t.Errorf("the link in another tenant: %v, want ErrLinkUnknown", err)
	}
	if _, err := f.svc.SendLink(ctx, other.Tenant.ID, admin.User.ID); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("Fabrikam's admin through Contoso: %v, want not found", err)
	}
	*f.now = f.now.Add(24*time.Hour - time.Second)
	if _, err := f.svc.Open(ctx, fab, second); err != nil {
		t.Errorf("the link a second before it expires: %v", err)
	}
	*f.now = f.now.Add(time.Second)
	if _, err := f.svc.SetPassword(ctx, fab, second, "tidal-Quokka-lantern-93"); !errors.Is(err, admins.ErrLinkExpired) {
		t.Errorf("the link at 24 hours: %v, want ErrLinkExpired", err)
	}
	if _, err := f.svc.Open(ctx, fab, ""); !errors.Is(err, admins.ErrLinkUnknown) {
		t.Errorf("no token: %v", err)
	}
}
