package tenants

import (
	"bytes"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/store"
	"guestlist/internal/store/pgtest"
	"guestlist/internal/store/sqlstore"
)

func openStore(t *testing.T, dsn string) store.Store {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), dsn, sqlstore.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func newService(t *testing.T, st store.Store, personal bool) *Service {
	t.Helper()
	ring, err := platform.NewKeyring(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) }
	return New(st, ring, now, "guestlist.test", personal)
}

// TestEnsureConsumers: the tenant of personal accounts (SPEC R10 steps 4
// and 6) is made once, reached as /consumers/, and is not the operator's:
// not listed, shown or deleted, and no new tenant takes its domain.
func TestEnsureConsumers(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "guestlist.db"))
	s := newService(t, st, true)
	first, err := s.EnsureConsumers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.EnsureConsumers(t.Context())
	if err != nil || again.ID != core.ConsumersTenantID || !again.CreatedAt.Equal(first.CreatedAt) {
		t.Fatalf("second EnsureConsumers: %+v, %v", again, err)
	}
	if first.DisplayName != "Personal accounts" || first.InitialDomain != "consumers.guestlist.test" ||
		len(first.Domains) != 0 || first.DefaultLanguage != "en" {
		t.Errorf("consumers tenant: %+v", first)
	}
	if _, err := st.GetApplication(t.Context(), first.ID, ""); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("the consumers tenant has an application: %v", err)
	}
	for _, ref := range []string{"consumers", "Consumers", core.ConsumersTenantID} {
		if got, err := s.Resolve(t.Context(), ref); err != nil || got.ID != core.ConsumersTenantID {
			t.Errorf("Resolve(%q): %+v, %v", ref, got, err)
		}
	}

	c, err := s.Create(t.Context(), Request{DisplayName: "Consumers"})
	if err != nil || c.Tenant.InitialDomain != "consumers2.guestlist.test" {
		t.Fatalf("a tenant named Consumers: %+v, %v; want consumers2.guestlist.test", c, err)
	}
	if got, err := s.Resolve(t.Context(), "consumers"); err != nil || got.ID != core.ConsumersTenantID {
		t.Errorf("Resolve(consumers) after the Consumers tenant: %+v, %v", got, err)
	}
	list, err := s.List(t.Context())
	if err != nil || len(list) != 1 || list[0].ID != c.Tenant.ID {
		t.Errorf("List: %v, %v; want only the operator's tenant", list, err)
	}
	if _, err := s.Get(t.Context(), core.ConsumersTenantID); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("Get(consumers): %v, want not found", err)
	}
	if err := s.Delete(t.Context(), core.ConsumersTenantID); !errors.Is(err, core.ErrForbidden) {
		t.Errorf("Delete(consumers): %v, want refused", err)
	}
	if _, err := st.GetTenant(t.Context(), core.ConsumersTenantID); err != nil {
		t.Errorf("the consumers tenant is gone: %v", err)
	}
}

// TestEnsureConsumersConcurrently: two processes starting at once on one
// PostgreSQL database both succeed, with one tenant.
func TestEnsureConsumersConcurrently(t *testing.T) {
	st := openStore(t, pgtest.Schema(t))
	s := newService(t, st, true)
	var wg sync.WaitGroup
	got := make([]*core.Tenant, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() { got[i], errs[i] = s.EnsureConsumers(t.Context()) })
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil || got[i].ID != core.ConsumersTenantID {
			t.Errorf("EnsureConsumers #%d: %+v, %v", i+1, got[i], errs[i])
		}
	}
	all, err := st.ListTenants(t.Context())
	if err != nil || len(all) != 1 {
		t.Errorf("tenants after two starts: %d, %v; want one", len(all), err)
	}
}

// TestNoConsumersOnGovernment: the government profile offers no personal
// accounts (R40): no consumers tenant is made, and /consumers/ names
// nothing, even where a public process once made it.
func TestNoConsumersOnGovernment(t *testing.T) {
	st := openStore(t, filepath.Join(t.TempDir(), "guestlist.db"))
	gov := newService(t, st, false)
	if _, err := gov.EnsureConsumers(t.Context()); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("EnsureConsumers on government: %v, want not offered", err)
	}
	if all, err := st.ListTenants(t.Context()); err != nil || len(all) != 0 {
		t.Errorf("tenants: %v, %v; want none", all, err)
	}
	if _, err := newService(t, st, true).EnsureConsumers(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"consumers", core.ConsumersTenantID, "consumers.guestlist.test"} {
		if _, err := gov.Resolve(t.Context(), ref); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("Resolve(%q) on government: %v, want not found", ref, err)
		}
	}
}
