package sqlstore_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store/pgtest"
	"guestlist/internal/store/sqlstore"
)

// A tenant one process has read is not served stale after another
// process changes it: settings, the redemption order, domains and
// deletion show at the very next lookup, by id and by domain (SPEC R51:
// processes share all state through the database).
func TestTenantLookupsSeeOtherProcessesAtOnce(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "guestlist.db")
		a := openFile(t, path, sqlstore.Options{Migrate: true})
		b := openFile(t, path, sqlstore.Options{})
		checkTenantFreshness(t, a, b)
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		dsn := pgtest.Schema(t)
		open := func(migrate bool) *sqlstore.Store {
			s, err := sqlstore.Open(t.Context(), dsn, sqlstore.Options{Migrate: migrate, MaxConns: 4})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}
		a := open(true)
		checkTenantFreshness(t, a, open(false))
	})
}

func checkTenantFreshness(t *testing.T, writer, reader *sqlstore.Store) {
	ctx := t.Context()
	tn := &core.Tenant{ID: "6a0c7f1e-0000-4000-8000-000000000001", DisplayName: "Fabrikam",
		InitialDomain: "fabrikam.guestlist.test", Domains: []string{"fabrikam.example"},
		DefaultLanguage: "en", EmailOTP: "default", CreatedAt: time.Unix(1700000000, 0).UTC()}
	if err := writer.CreateTenant(ctx, tn); err != nil {
		t.Fatal(err)
	}
	read := func(what string) (byID, byDomain *core.Tenant) {
		t.Helper()
		var err error
		if byID, err = reader.GetTenant(ctx, tn.ID); err != nil {
			t.Fatalf("%s: GetTenant: %v", what, err)
		}
		if byDomain, err = reader.TenantByDomain(ctx, "fabrikam.guestlist.test"); err != nil {
			t.Fatalf("%s: TenantByDomain: %v", what, err)
		}
		return byID, byDomain
	}
	// Twice: the second read comes from the cache.
	read("first read")
	got, _ := read("second read")
	got.DisplayName, got.Domains[0] = "changed by a caller", "changed.example" // must not reach the cache
	if again, _ := read("after a caller changed its copy"); again.DisplayName != "Fabrikam" || again.Domains[0] != "fabrikam.example" {
		t.Errorf("a caller's change to its copy reached the next lookup: %q %v", again.DisplayName, again.Domains)
	}

	changed := *tn
	changed.DisplayName, changed.EmailOTP = "Fabrikam Ltd", "disabled"
	if err := writer.UpdateTenantSettings(ctx, &changed); err != nil {
		t.Fatal(err)
	}
	for _, got := range twice(read("after the settings changed")) {
		if got.DisplayName != "Fabrikam Ltd" || got.EmailOTP != "disabled" {
			t.Errorf("after the settings changed: %q %q, want the new settings", got.DisplayName, got.EmailOTP)
		}
	}
	order := core.RedemptionOrder{Primary: []core.Method{core.MethodGoogle}, Fallback: []core.Method{core.MethodOTP}}
	if err := writer.SetRedemptionOrder(ctx, tn.ID, order); err != nil {
		t.Fatal(err)
	}
	for _, got := range twice(read("after the redemption order changed")) {
		if len(got.Redemption.Primary) != 1 || got.Redemption.Primary[0] != core.MethodGoogle {
			t.Errorf("after the redemption order changed: %v", got.Redemption)
		}
	}

	now := time.Unix(1700000100, 0).UTC()
	if err := writer.CreateIdentityProvider(ctx, &core.IdentityProvider{TenantID: tn.ID, ID: "google",
		Kind: core.ProviderGoogle, DisplayName: "Google", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	for _, got := range twice(read("after an identity provider was added")) {
		if !got.HasIdentityProviders {
			t.Error("after an identity provider was added: HasIdentityProviders false")
		}
	}

	if err := writer.DeleteTenant(ctx, tn.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := reader.GetTenant(ctx, tn.ID); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("GetTenant after the tenant was deleted: %v, want not found", err)
	}
	if _, err := reader.TenantByDomain(ctx, "fabrikam.guestlist.test"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("TenantByDomain after the tenant was deleted: %v, want not found", err)
	}
}

func twice(a, b *core.Tenant) []*core.Tenant { return []*core.Tenant{a, b} }
