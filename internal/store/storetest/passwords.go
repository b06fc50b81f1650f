package storetest

import (
	"testing"
	"time"

	"guestlist/internal/core"
)

// testPasswords: a password is stored for an existing user only, read
// back by user and by address, replaced whole, kept to its tenant, and
// goes with its user.
func testPasswords(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	u := newUser(tenantA, "member-1", "Ann@Example.com")
	must(t, s.CreateUser(ctx, u))
	must(t, s.CreateUser(ctx, newUser(tenantB, "member-1", "ann@example.com")))

	wantKind(t, s.SetPassword(ctx, &core.Password{TenantID: tenantA, UserID: "nobody", Hash: "h", ChangedAt: t0}), core.ErrNotFound)
	_, err := s.GetPassword(ctx, tenantA, "member-1")
	wantKind(t, err, core.ErrNotFound)
	_, _, err = s.PasswordByMail(ctx, tenantA, u.MailKey)
	wantKind(t, err, core.ErrNotFound)

	first := &core.Password{TenantID: tenantA, UserID: "member-1", Hash: "$argon2id$first", MustChange: true, ChangedAt: t0}
	must(t, s.SetPassword(ctx, first))
	got, err := s.GetPassword(ctx, tenantA, "member-1")
	must(t, err)
	diff(t, "password", first, got)

	second := &core.Password{TenantID: tenantA, UserID: "member-1", Hash: "$argon2id$second", ChangedAt: at(time.Hour)}
	must(t, s.SetPassword(ctx, second))
	gotU, gotP, err := s.PasswordByMail(ctx, tenantA, u.MailKey)
	must(t, err)
	diff(t, "password by mail", second, gotP)
	diff(t, "user by mail", u, gotU)

	// The other tenant's user of the same id and address has none.
	_, err = s.GetPassword(ctx, tenantB, "member-1")
	wantKind(t, err, core.ErrNotFound)
	_, _, err = s.PasswordByMail(ctx, tenantB, "ann@example.com")
	wantKind(t, err, core.ErrNotFound)

	must(t, s.DeleteUser(ctx, tenantA, "member-1"))
	_, err = s.GetPassword(ctx, tenantA, "member-1")
	wantKind(t, err, core.ErrNotFound)
}

// testRedemptionOrder: the order is stored and read back with the
// tenant, per tenant, and nothing else of the tenant changes.
func testRedemptionOrder(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	before, err := s.GetTenant(ctx, tenantA)
	must(t, err)
	if len(before.Redemption.Primary) != 0 || len(before.Redemption.Fallback) != 0 {
		t.Fatalf("new tenant's order = %+v, want the default (empty)", before.Redemption)
	}
	ord := core.RedemptionOrder{
		Primary:  []core.Method{core.MethodGoogle, core.MethodHomeTenant},
		Fallback: []core.Method{core.MethodOTP},
	}
	must(t, s.SetRedemptionOrder(ctx, tenantA, ord))
	want := *before
	want.Redemption = ord
	got, err := s.GetTenant(ctx, tenantA)
	must(t, err)
	diff(t, "tenant after SetRedemptionOrder", &want, got)
	byDomain, err := s.TenantByDomain(ctx, before.InitialDomain)
	must(t, err)
	diff(t, "tenant by domain", &want, byDomain)
	other, err := s.GetTenant(ctx, tenantB)
	must(t, err)
	if len(other.Redemption.Primary) != 0 {
		t.Errorf("other tenant's order = %+v, want untouched", other.Redemption)
	}
	wantKind(t, s.SetRedemptionOrder(ctx, "no-such-tenant", ord), core.ErrNotFound)
}
