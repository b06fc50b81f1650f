package storetest

import (
	"errors"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// testEndAccess: ending a user's access revokes exactly their sessions and
// token families (all, or at one client), never another user's or another
// tenant's, and rolls back with the transaction that caused it.
func testEndAccess(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	sessions := []struct{ tenant, id, user string }{
		{tenantA, "s-a1", "user-1"}, {tenantA, "s-a2", "user-1"}, {tenantA, "s-a3", "user-2"}, {tenantB, "s-b1", "user-1"},
	}
	for _, x := range sessions {
		must(t, s.CreateSession(ctx, newSession(x.tenant, x.id, x.user, at(time.Hour))))
	}
	families := []struct{ tenant, id, user, client string }{
		{tenantA, "f-a1", "user-1", "client-1"}, {tenantA, "f-a2", "user-1", "client-2"},
		{tenantA, "f-a3", "user-2", "client-1"}, {tenantB, "f-b1", "user-1", "client-1"},
	}
	for _, x := range families {
		must(t, s.CreateTokenFamily(ctx, &core.TokenFamily{TenantID: x.tenant, ID: x.id, ClientID: x.client,
			UserID: x.user, AuthTime: at(0), CreatedAt: at(0)}))
	}
	// wantState checks which sessions are live and when each family was
	// revoked (zero: live).
	wantState := func(step string, live map[string]bool, revoked map[string]time.Time) {
		t.Helper()
		for _, x := range sessions {
			_, err := s.GetSession(ctx, x.tenant, x.id, t0)
			if got := err == nil; got != live[x.id] {
				t.Errorf("%s: session %s live = %v (%v), want %v", step, x.id, got, err, live[x.id])
			}
		}
		for _, x := range families {
			f, err := s.GetTokenFamily(ctx, x.tenant, x.id)
			must(t, err)
			if want := revoked[x.id].Truncate(time.Microsecond); !f.RevokedAt.Equal(want) {
				t.Errorf("%s: family %s revoked at %v, want %v", step, x.id, f.RevokedAt, want)
			}
		}
	}
	allLive := map[string]bool{"s-a1": true, "s-a2": true, "s-a3": true, "s-b1": true}

	wantKind(t, s.EndUserAccess(ctx, tenantA, "user-1", time.Time{}), core.ErrInvalid)
	wantKind(t, s.EndUserAppAccess(ctx, tenantA, "user-1", "client-1", time.Time{}), core.ErrInvalid)
	wantKind(t, s.EndAppAccess(ctx, tenantA, "client-1", time.Time{}), core.ErrInvalid)

	// In a transaction that fails, nothing ends.
	boom := errors.New("the change that caused it failed")
	err := s.InTx(ctx, func(tx store.Tx) error {
		must(t, tx.EndUserAccess(ctx, tenantA, "user-1", at(time.Second)))
		must(t, tx.EndAppAccess(ctx, tenantA, "client-1", at(time.Second)))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx: %v, want the function's error", err)
	}
	wantState("rolled back", allLive, nil)

	must(t, s.EndUserAppAccess(ctx, tenantA, "user-1", "client-1", at(time.Second)))
	wantState("user at one client", allLive, map[string]time.Time{"f-a1": at(time.Second)})

	must(t, s.InTx(ctx, func(tx store.Tx) error { return tx.EndUserAccess(ctx, tenantA, "user-1", at(2*time.Second)) }))
	afterUser := map[string]time.Time{"f-a1": at(time.Second), "f-a2": at(2 * time.Second)}
	wantState("user", map[string]bool{"s-a3": true, "s-b1": true}, afterUser)
	must(t, s.EndUserAccess(ctx, tenantA, "user-1", at(3*time.Second))) // idempotent: first revocation stands
	must(t, s.EndUserAccess(ctx, tenantA, "nobody", at(3*time.Second)))
	wantState("user again", map[string]bool{"s-a3": true, "s-b1": true}, afterUser)

	must(t, s.EndAppAccess(ctx, tenantA, "client-1", at(4*time.Second)))
	afterUser["f-a3"] = at(4 * time.Second)
	wantState("client", map[string]bool{"s-a3": true, "s-b1": true}, afterUser)
}
