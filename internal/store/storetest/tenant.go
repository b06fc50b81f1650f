package storetest

import (
	"context"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

func testTenants(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore,
		subtest{"RoundTrip", testTenantsRoundTrip},
		subtest{"InitialDomainAlsoListed", testTenantsInitialDomainAlsoListed},
		subtest{"NoDomains", testTenantsNoDomains},
		subtest{"NotFound", testTenantNotFound},
		subtest{"Conflict", testTenantConflict},
		subtest{"UpdateSettings", testTenantsUpdateSettings},
		subtest{"Lock", testTenantsLock},
	)
}

func testTenantsRoundTrip(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	want := newTenant(tenantA, "a")
	got, err := s.GetTenant(ctx, tenantA)
	must(t, err)
	diff(t, "GetTenant", want, got)
	for _, d := range []string{"a.guestlist.test", "a.example", "a.example.org"} {
		got, err := s.TenantByDomain(ctx, d)
		must(t, err)
		diff(t, "TenantByDomain("+d+")", want, got)
	}
	wantB := newTenant(tenantB, "b")
	wantB.CreatedAt = at(time.Second)
	list, err := s.ListTenants(ctx)
	must(t, err)
	diff(t, "ListTenants", []core.Tenant{*want, *wantB}, list)
}

func testTenantsInitialDomainAlsoListed(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	want := newTenant(tenantA, "a")
	want.Domains = []string{"z.example", want.InitialDomain}
	must(t, s.CreateTenant(ctx, want))
	got, err := s.TenantByDomain(ctx, want.InitialDomain)
	must(t, err)
	diff(t, "TenantByDomain", want, got)
}

func testTenantsNoDomains(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	want := newTenant(tenantA, "a")
	want.Domains = nil
	must(t, s.CreateTenant(ctx, want))
	got, err := s.TenantByDomain(ctx, want.InitialDomain)
	must(t, err)
	diff(t, "TenantByDomain", want, got)
}

func testTenantsUpdateSettings(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	upd := newTenant(tenantA, "a")
	upd.DisplayName, upd.DefaultLanguage = "Renamed", "en"
	upd.EmailOTP, upd.PasscodeInSubject = core.OTPDisabled, false
	want := *upd
	// Only the settings are written.
	upd.InitialDomain, upd.Domains, upd.CreatedAt = "other.test", nil, at(time.Hour)
	must(t, s.UpdateTenantSettings(ctx, upd))
	got, err := s.GetTenant(ctx, tenantA)
	must(t, err)
	diff(t, "GetTenant", &want, got)
	other, err := s.GetTenant(ctx, tenantB)
	must(t, err)
	wantB := newTenant(tenantB, "b")
	wantB.CreatedAt = at(time.Second)
	diff(t, "other tenant", wantB, other)
}

func testTenantsLock(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	must(t, s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.Lock(ctx, tenantA, "throttle:x"); err != nil {
			return err
		}
		return tx.Lock(ctx, tenantA, "throttle:y")
	}))
	must(t, s.Lock(ctx, tenantB, "throttle:x"))
}

func testTenantNotFound(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	missing := newTenant("00000000-0000-4000-8000-0000000000ff", "missing")
	for _, tc := range []struct {
		name string
		call func(context.Context) error
	}{
		{"GetTenant", func(ctx context.Context) error { _, err := s.GetTenant(ctx, missing.ID); return err }},
		{"TenantByDomain", func(ctx context.Context) error {
			_, err := s.TenantByDomain(ctx, "missing.example")
			return err
		}},
		{"UpdateTenantSettings", func(ctx context.Context) error { return s.UpdateTenantSettings(ctx, missing) }},
		{"DeleteTenant", func(ctx context.Context) error { return s.DeleteTenant(ctx, missing.ID) }},
	} {
		t.Run(tc.name, func(t *testing.T) { wantKind(t, tc.call(ctx), core.ErrNotFound) })
	}
}

func testTenantConflict(t *testing.T, newStore NewStore) {
	for _, tc := range []struct {
		name   string
		mutate func(c *core.Tenant)
	}{
		{"SameID", func(c *core.Tenant) { c.ID = tenantA }},
		{"InitialDomainIsOthersInitial", func(c *core.Tenant) { c.InitialDomain = "a.guestlist.test" }},
		{"InitialDomainIsOthersDomain", func(c *core.Tenant) { c.InitialDomain = "a.example.org" }},
		{"DomainIsOthersInitial", func(c *core.Tenant) { c.Domains = []string{"c.example", "a.guestlist.test"} }},
		{"DomainIsOthersDomain", func(c *core.Tenant) { c.Domains = []string{"c.example", "a.example"} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, ctx := newStore(t), t.Context()
			must(t, s.CreateTenant(ctx, newTenant(tenantA, "a")))
			c := newTenant("00000000-0000-4000-8000-00000000000c", "c")
			tc.mutate(c)
			wantKind(t, s.CreateTenant(ctx, c), core.ErrConflict)
			// Nothing of the failed tenant was kept.
			if c.ID != tenantA {
				_, err := s.GetTenant(ctx, c.ID)
				wantKind(t, err, core.ErrNotFound)
			}
			_, err := s.TenantByDomain(ctx, "c.example")
			wantKind(t, err, core.ErrNotFound)
			got, err := s.TenantByDomain(ctx, "a.example")
			must(t, err)
			diff(t, "first tenant", newTenant(tenantA, "a"), got)
		})
	}
}

func testApplications(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	app := &core.Application{
		TenantID:    tenantA,
		AppID:       "11111111-0000-4000-8000-000000000001",
		DisplayName: "Admin",
		SecretHash:  []byte{9, 8, 7, 0},
		IsAdmin:     true,
		CreatedAt:   t0,
		// What an application made without one reads back as.
		SignInAudience: core.AudienceMyOrg,
	}
	must(t, s.CreateApplication(ctx, app))
	t.Run("RoundTrip", func(t *testing.T) {
		got, err := s.GetApplication(ctx, tenantA, app.AppID)
		must(t, err)
		diff(t, "GetApplication", app, got)
	})
	t.Run("Conflict", func(t *testing.T) {
		dup := *app
		dup.DisplayName = "Other"
		wantKind(t, s.CreateApplication(ctx, &dup), core.ErrConflict)
	})
	t.Run("NotFound", func(t *testing.T) {
		_, err := s.GetApplication(ctx, tenantA, "11111111-0000-4000-8000-0000000000ff")
		wantKind(t, err, core.ErrNotFound)
	})
	t.Run("OtherTenant", func(t *testing.T) {
		_, err := s.GetApplication(ctx, tenantB, app.AppID)
		wantKind(t, err, core.ErrNotFound)
	})
}
