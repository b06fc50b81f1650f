package storetest

import (
	"testing"

	"guestlist/internal/core"
)

// testPolicies: each policy setter writes its own setting of its own
// tenant and nothing else; the tenant reads them back, by id and by
// domain; a missing tenant is core.ErrNotFound.
func testPolicies(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	before, err := s.GetTenant(ctx, tenantA)
	must(t, err)
	want := *before
	must(t, s.SetExternalEmailOTP(ctx, tenantA, core.OTPDefault))
	want.EmailOTP = core.OTPDefault
	must(t, s.SetEmailMethodOff(ctx, tenantA, false))
	want.EmailMethodOff = false
	g := core.GuestDomains{Kind: core.DomainsAllowed, Domains: []string{"xn--bcher-kva.example", "*.partner.example"}}
	must(t, s.SetGuestDomains(ctx, tenantA, g))
	want.GuestDomains = g
	must(t, s.SetInvitesFrom(ctx, tenantA, core.InvitesNone))
	want.AllowInvitesFrom = core.InvitesNone
	must(t, s.SetAdminMFA(ctx, tenantA, core.AdminMFAOff))
	want.AdminMFA = core.AdminMFAOff
	got, err := s.GetTenant(ctx, tenantA)
	must(t, err)
	diff(t, "tenant after the policy setters", &want, got)
	byDomain, err := s.TenantByDomain(ctx, before.InitialDomain)
	must(t, err)
	diff(t, "tenant by domain", &want, byDomain)

	// No list reads back as the zero value.
	must(t, s.SetGuestDomains(ctx, tenantA, core.GuestDomains{}))
	want.GuestDomains = core.GuestDomains{}
	got, err = s.GetTenant(ctx, tenantA)
	must(t, err)
	diff(t, "tenant without a domain list", &want, got)

	other, err := s.GetTenant(ctx, tenantB)
	must(t, err)
	wantB := newTenant(tenantB, "b")
	wantB.CreatedAt = other.CreatedAt
	diff(t, "other tenant", wantB, other)

	for name, err := range map[string]error{
		"SetExternalEmailOTP": s.SetExternalEmailOTP(ctx, "no-such-tenant", core.OTPEnabled),
		"SetEmailMethodOff":   s.SetEmailMethodOff(ctx, "no-such-tenant", true),
		"SetGuestDomains":     s.SetGuestDomains(ctx, "no-such-tenant", g),
		"SetInvitesFrom":      s.SetInvitesFrom(ctx, "no-such-tenant", core.InvitesNone),
		"SetAdminMFA":         s.SetAdminMFA(ctx, "no-such-tenant", core.AdminMFAOff),
	} {
		t.Run(name, func(t *testing.T) { wantKind(t, err, core.ErrNotFound) })
	}
}
