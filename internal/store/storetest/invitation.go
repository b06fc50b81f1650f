package storetest

import (
	"context"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// twoInvitations creates two invitations in tenant A (the second one
// already completed) and one in tenant B whose token equals the first's.
func twoInvitations(ctx context.Context, t *testing.T, s store.Store) (a1, a2, b1 *core.Invitation) {
	t.Helper()
	twoTenants(ctx, t, s)
	a1 = newInvitation(tenantA, "inv-a1", "user-a1", "token-1")
	a2 = newInvitation(tenantA, "inv-a2", "user-a2", "token-2")
	a2.Status, a2.RedeemedAt, a2.SendInvitationMessage = core.InvitationCompleted, at(time.Minute), false
	a2.MessageInfo, a2.MessageID = core.MessageInfo{}, ""
	a2.CreatedAt = a1.CreatedAt.Add(time.Second)
	b1 = newInvitation(tenantB, "inv-b1", "user-b1", "token-1")
	for _, inv := range []*core.Invitation{a1, a2, b1} {
		must(t, s.CreateInvitation(ctx, inv))
	}
	return a1, a2, b1
}

func testInvitations(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore,
		subtest{"RoundTrip", testInvitationsRoundTrip},
		subtest{"Conflict", testInvitationsConflict},
		subtest{"NotFound", testInvitationNotFound},
		subtest{"Complete", testInvitationsComplete},
		subtest{"List", testInvitationsList},
	)
}

func testInvitationsRoundTrip(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	a1, a2, b1 := twoInvitations(ctx, t, s)
	for _, want := range []*core.Invitation{a1, a2, b1} {
		got, err := s.GetInvitation(ctx, want.TenantID, want.ID)
		must(t, err)
		diff(t, "GetInvitation", want, got)
		got, err = s.InvitationByToken(ctx, want.TenantID, want.TokenHash)
		must(t, err)
		diff(t, "InvitationByToken", want, got)
	}
}

func testInvitationsConflict(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	a1, _, _ := twoInvitations(ctx, t, s)
	sameID := newInvitation(tenantA, a1.ID, "user-x", "token-x")
	wantKind(t, s.CreateInvitation(ctx, sameID), core.ErrConflict)
	sameToken := newInvitation(tenantA, "inv-a3", "user-x", "token-1")
	wantKind(t, s.CreateInvitation(ctx, sameToken), core.ErrConflict)
}

func testInvitationsComplete(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	a1, a2, b1 := twoInvitations(ctx, t, s)
	must(t, s.CompleteInvitation(ctx, tenantA, a1.ID, at(time.Hour)))
	want := *a1
	want.Status, want.RedeemedAt = core.InvitationCompleted, at(time.Hour)
	got, err := s.GetInvitation(ctx, tenantA, a1.ID)
	must(t, err)
	diff(t, "completed invitation", &want, got)
	wantKind(t, s.CompleteInvitation(ctx, tenantA, a1.ID, at(2*time.Hour)), core.ErrConflict)
	wantKind(t, s.CompleteInvitation(ctx, tenantA, a2.ID, at(2*time.Hour)), core.ErrConflict)
	got, err = s.GetInvitation(ctx, tenantA, a1.ID)
	must(t, err)
	diff(t, "invitation after a second completion", &want, got)
	got, err = s.GetInvitation(ctx, tenantB, b1.ID)
	must(t, err)
	diff(t, "other tenant's invitation", b1, got)
}

func testInvitationsList(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	a1, a2, _ := twoInvitations(ctx, t, s)
	for _, tc := range []struct {
		name   string
		status string
		user   string
		want   []core.Invitation
	}{
		{"All", "", "", []core.Invitation{*a1, *a2}},
		{"Pending", core.InvitationPending, "", []core.Invitation{*a1}},
		{"Completed", core.InvitationCompleted, "", []core.Invitation{*a2}},
		{"NoMatch", "Unknown", "", nil},
		{"OneUser", "", a2.UserID, []core.Invitation{*a2}},
		{"UnknownUser", "", "nobody", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListInvitations(ctx, tenantA, store.InvitationFilter{Status: tc.status, UserID: tc.user})
			must(t, err)
			diff(t, "ListInvitations", tc.want, got)
		})
	}
}

func testInvitationNotFound(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	a1, a2, _ := twoInvitations(ctx, t, s)
	for _, tc := range []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"GetUnknown", func(ctx context.Context) error { _, err := s.GetInvitation(ctx, tenantA, "nope"); return err }},
		{"GetOtherTenant", func(ctx context.Context) error {
			_, err := s.GetInvitation(ctx, tenantB, a1.ID)
			return err
		}},
		{"ByTokenUnknown", func(ctx context.Context) error {
			_, err := s.InvitationByToken(ctx, tenantA, []byte("no such token"))
			return err
		}},
		{"ByTokenOtherTenant", func(ctx context.Context) error {
			_, err := s.InvitationByToken(ctx, tenantB, a2.TokenHash)
			return err
		}},
		{"CompleteUnknown", func(ctx context.Context) error {
			return s.CompleteInvitation(ctx, tenantA, "nope", at(time.Hour))
		}},
		{"CompleteOtherTenant", func(ctx context.Context) error {
			return s.CompleteInvitation(ctx, tenantB, a1.ID, at(time.Hour))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { wantKind(t, tc.call(ctx), core.ErrNotFound) })
	}
	got, err := s.GetInvitation(ctx, tenantA, a1.ID)
	must(t, err)
	diff(t, "unchanged invitation", a1, got)
}
