package account_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/idp/account"
	"guestlist/internal/password"
	"guestlist/internal/store"
	"guestlist/internal/store/sqlstore"
)

// TestVerifier: a right password proves the account (its id is the
// subject); a wrong one, an address with no account, a guest of the
// tenant and a blocked member are one refusal, each counted against the
// account and the client; a hash of an older cost is replaced on a right
// password; ten failures from one client stop that client for the
// account until the window moves on, while another client still gets in.
func TestVerifier(t *testing.T) {
	ctx := t.Context()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "guestlist.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	tenant := &core.Tenant{ID: "00000000-0000-4000-8000-0000000000c0", DisplayName: "Contoso", InitialDomain: "contoso.guestlist.test",
		Domains: []string{"contoso.example"}, DefaultLanguage: "en", EmailOTP: core.OTPDefault, CreatedAt: now}
	must(t, st.CreateTenant(ctx, tenant))
	old := password.NewHasher(password.Params{Memory: 512, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	hasher := password.NewHasher(password.Default())
	addUser(t, st, tenant.ID, "ann", "ann@contoso.example", core.UserTypeMember, false, old, "right horse battery")
	addUser(t, st, tenant.ID, "bob", "bob@contoso.example", core.UserTypeMember, true, hasher, "right horse battery")
	addUser(t, st, tenant.ID, "gus", "gus@contoso.example", core.UserTypeGuest, false, hasher, "right horse battery")
	v := account.New(st, hasher, clock)

	prove := func(addr, secret, client string) (idp.Proof, error, error) {
		t.Helper()
		a, err := core.ParseAddress(addr)
		must(t, err)
		p, err := v.Prove(ctx, core.MethodHomeTenant, tenant, a, secret, client)
		if err != nil {
			return nil, nil, err
		}
		var rejected error
		must(t, st.InTx(ctx, func(tx store.Tx) error {
			var err error
			rejected, err = p.Check(ctx, tx)
			return err
		}))
		return p, rejected, nil
	}

	for _, tc := range []struct{ name, addr, secret string }{
		{"wrong password", "ann@contoso.example", "wrong horse battery"},
		{"no account", "nobody@contoso.example", "right horse battery"},
		{"blocked member", "bob@contoso.example", "right horse battery"},
		{"a guest, not a member", "gus@contoso.example", "right horse battery"},
	} {
		if _, rejected, err := prove(tc.addr, tc.secret, "192.0.2.1"); err != nil || !errors.Is(rejected, idp.ErrWrongPassword) {
			t.Errorf("%s: %v, %v; want ErrWrongPassword", tc.name, rejected, err)
		}
	}

	p, rejected, err := prove("Ann@contoso.example", "right horse battery", "192.0.2.1")
	if err != nil || rejected != nil || p.Subject() != "ann" || p.Method() != core.MethodHomeTenant {
		t.Fatalf("right password: %v, %v, %+v", rejected, err, p)
	}
	pw, err := st.GetPassword(ctx, tenant.ID, "ann")
	must(t, err)
	if ok, rehash, err := hasher.Verify(ctx, "right horse battery", pw.Hash); !ok || rehash || err != nil {
		t.Errorf("stored hash after a sign-in: ok %v, rehash %v, %v; want it redone at the current cost", ok, rehash, err)
	}

	for range account.AccountLimit - 1 { // one failure is already counted
		_, _, err := prove("ann@contoso.example", "wrong horse battery", "192.0.2.1")
		must(t, err)
	}
	var th *idp.Throttled
	if _, _, err := prove("ann@contoso.example", "right horse battery", "192.0.2.1"); !errors.As(err, &th) || th.RetryAfter <= 0 {
		t.Fatalf("after %d failures from one client: %v, want *idp.Throttled", account.AccountLimit, err)
	}
	if _, rejected, err := prove("ann@contoso.example", "right horse battery", "198.51.100.7"); err != nil || rejected != nil {
		t.Errorf("another client: %v, %v; want the owner let in", rejected, err)
	}
	now = now.Add(account.Window)
	if _, rejected, err := prove("ann@contoso.example", "right horse battery", "192.0.2.1"); err != nil || rejected != nil {
		t.Errorf("after the window: %v, %v; want the client let in again", rejected, err)
	}
}

func addUser(t *testing.T, st store.Store, tenantID, id, mail, userType string, blocked bool, h *password.Hasher, secret string) {
	t.Helper()
	ctx := context.Background()
	a, err := core.ParseAddress(mail)
	must(t, err)
	u := &core.User{TenantID: tenantID, ID: id, DisplayName: id, Mail: mail, MailKey: a.Key(), UserPrincipalName: mail,
		UserType: userType, Method: core.MethodPassword, Blocked: blocked, CreatedAt: time.Now()}
	must(t, st.CreateUser(ctx, u))
	if blocked {
		must(t, st.PatchUser(ctx, tenantID, id, store.UserPatch{Blocked: &blocked}))
	}
	hash, err := h.Hash(ctx, secret)
	must(t, err)
	must(t, st.SetPassword(ctx, &core.Password{TenantID: tenantID, UserID: id, Hash: hash, ChangedAt: time.Now()}))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
