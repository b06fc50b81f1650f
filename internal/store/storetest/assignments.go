package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// testAssignmentRequired: the flag is written for one application of one
// tenant, reads back from every lookup, and rolls back with its
// transaction.
func testAssignmentRequired(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	_, a2, b1 := twoApps(ctx, t, s)
	must(t, s.SetAssignmentRequired(ctx, tenantA, a2.AppID, false))
	want := *a2
	want.AssignmentRequired = false
	for name, get := range map[string]func() (*core.Application, error){
		"GetApplication":  func() (*core.Application, error) { return s.GetApplication(ctx, tenantA, a2.AppID) },
		"ApplicationByID": func() (*core.Application, error) { return s.ApplicationByID(ctx, tenantA, a2.ID) },
		"ApplicationByServicePrincipal": func() (*core.Application, error) {
			return s.ApplicationByServicePrincipal(ctx, tenantA, a2.ServicePrincipalID)
		},
	} {
		got, err := get()
		must(t, err)
		diff(t, name, &want, got)
	}
	got, err := s.GetApplication(ctx, tenantB, b1.AppID)
	must(t, err)
	diff(t, "the other tenant's application", b1, got)

	boom := errors.New("boom")
	err = s.InTx(ctx, func(tx store.Tx) error {
		must(t, tx.SetAssignmentRequired(ctx, tenantA, a2.AppID, true))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx: %v", err)
	}
	got, err = s.GetApplication(ctx, tenantA, a2.AppID)
	must(t, err)
	diff(t, "after a rolled back change", &want, got)

	wantKind(t, s.SetAssignmentRequired(ctx, tenantA, "nobody", true), core.ErrNotFound)
	wantKind(t, s.SetAssignmentRequired(ctx, tenantB, a2.AppID, true), core.ErrNotFound)
}

// testAppAssignments: an application's assignments, oldest first, in its
// tenant only.
func testAppAssignments(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	_, a2, b1 := twoApps(ctx, t, s)
	var want []core.Assignment
	for i := 3; i >= 1; i-- {
		u := newUser(tenantA, fmt.Sprint("user-", i), fmt.Sprintf("u%d@example.com", i))
		must(t, s.CreateUser(ctx, u))
		x := newAssignment(u, a2, fmt.Sprint("asg-", i), at(time.Duration(3-i)*time.Second))
		must(t, s.CreateAssignment(ctx, x))
		want = append(want, *x)
	}
	ub := newUser(tenantB, "user-1", "u1@example.com")
	must(t, s.CreateUser(ctx, ub))
	must(t, s.CreateAssignment(ctx, newAssignment(ub, b1, "asg-b", t0)))

	got, err := s.AppAssignments(ctx, tenantA, a2.AppID)
	must(t, err)
	diff(t, "AppAssignments", want, got)
	got, err = s.AppAssignments(ctx, tenantB, a2.AppID)
	must(t, err)
	diff(t, "another tenant", []core.Assignment(nil), got)
	got, err = s.AppAssignments(ctx, tenantA, "nobody")
	must(t, err)
	diff(t, "unknown application", []core.Assignment(nil), got)
}

// testEndUnassignedAppAccess: the token families at the application of
// users who are not assigned to it end; the assigned user's, those at
// other applications and another tenant's stay.
func testEndUnassignedAppAccess(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	_, a2, b1 := twoApps(ctx, t, s)
	assigned := newUser(tenantA, "user-1", "one@example.com")
	must(t, s.CreateUser(ctx, assigned))
	must(t, s.CreateAssignment(ctx, newAssignment(assigned, a2, "asg-1", t0)))
	families := []struct{ tenant, id, user, client string }{
		{tenantA, "f-assigned", "user-1", a2.AppID},
		{tenantA, "f-unassigned", "user-2", a2.AppID},
		{tenantA, "f-elsewhere", "user-2", "other-client"},
		{tenantB, "f-tenant-b", "user-2", a2.AppID},
	}
	for _, x := range families {
		must(t, s.CreateTokenFamily(ctx, &core.TokenFamily{TenantID: x.tenant, ID: x.id, ClientID: x.client,
			UserID: x.user, AuthTime: t0, CreatedAt: t0}))
	}
	wantKind(t, s.EndUnassignedAppAccess(ctx, tenantA, a2.AppID, time.Time{}), core.ErrInvalid)
	must(t, s.InTx(ctx, func(tx store.Tx) error { return tx.EndUnassignedAppAccess(ctx, tenantA, a2.AppID, at(time.Second)) }))
	must(t, s.EndUnassignedAppAccess(ctx, tenantA, a2.AppID, at(2*time.Second))) // idempotent
	must(t, s.EndUnassignedAppAccess(ctx, tenantA, b1.AppID, at(2*time.Second)))
	revoked := map[string]time.Time{"f-unassigned": at(time.Second)}
	for _, x := range families {
		f, err := s.GetTokenFamily(ctx, x.tenant, x.id)
		must(t, err)
		if want := revoked[x.id].Truncate(time.Microsecond); !f.RevokedAt.Equal(want) {
			t.Errorf("family %s revoked at %v, want %v", x.id, f.RevokedAt, want)
		}
	}
}
