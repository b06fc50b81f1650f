package storetest

import (
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// testInvitationLifecycle: revoke, resend, expiry (SPEC R8).
func testInvitationLifecycle(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore,
		subtest{"Revoke", testRevokeInvitation},
		subtest{"Resend", testRecordResend},
		subtest{"ListByExpiry", testListByExpiry},
		subtest{"ExpiryDays", testInvitationExpiryDays},
	)
}

// testRevokeInvitation: a pending invitation turns Revoked once, with its
// time; a completed one, a revoked one and one of another tenant are not
// touched; a revoked one can no longer be completed.
func testRevokeInvitation(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	a1, a2, b1 := twoInvitations(ctx, t, s)
	must(t, s.RevokeInvitation(ctx, tenantA, a1.ID, at(time.Hour)))
	want := *a1
	want.Status, want.RevokedAt = core.InvitationRevoked, at(time.Hour)
	got, err := s.GetInvitation(ctx, tenantA, a1.ID)
	must(t, err)
	diff(t, "revoked invitation", &want, got)

	wantKind(t, s.RevokeInvitation(ctx, tenantA, a1.ID, at(2*time.Hour)), core.ErrConflict)
	wantKind(t, s.RevokeInvitation(ctx, tenantA, a2.ID, at(2*time.Hour)), core.ErrConflict)
	wantKind(t, s.RevokeInvitation(ctx, tenantA, "nope", at(2*time.Hour)), core.ErrNotFound)
	wantKind(t, s.RevokeInvitation(ctx, tenantB, a2.ID, at(2*time.Hour)), core.ErrNotFound)
	wantKind(t, s.CompleteInvitation(ctx, tenantA, a1.ID, at(2*time.Hour)), core.ErrConflict)
	got, err = s.GetInvitation(ctx, tenantA, a1.ID)
	must(t, err)
	diff(t, "revoked invitation after a completion", &want, got)
	got, err = s.GetInvitation(ctx, tenantB, b1.ID)
	must(t, err)
	diff(t, "other tenant's invitation", b1, got)
}

// testRecordResend: each resend replaces the mail and the expiry and
// counts; inside a failed transaction nothing changes; only a pending
// invitation can be resent.
func testRecordResend(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	a1, a2, _ := twoInvitations(ctx, t, s)
	must(t, s.RecordResend(ctx, tenantA, a1.ID, store.Resend{MessageID: "mail-2", At: at(time.Hour), ExpiresAt: at(49 * time.Hour)}))
	must(t, s.InTx(ctx, func(tx store.Tx) error {
		return tx.RecordResend(ctx, tenantA, a1.ID, store.Resend{MessageID: "mail-3", At: at(2 * time.Hour)})
	}))
	want := *a1
	want.MessageID, want.ResentCount, want.LastResentAt = "mail-3", 2, at(2*time.Hour)
	got, err := s.GetInvitation(ctx, tenantA, a1.ID)
	must(t, err)
	diff(t, "resent invitation", &want, got)

	wantKind(t, s.RecordResend(ctx, tenantA, a2.ID, store.Resend{MessageID: "x", At: at(time.Hour)}), core.ErrConflict)
	wantKind(t, s.RecordResend(ctx, tenantB, a2.ID, store.Resend{MessageID: "x", At: at(time.Hour)}), core.ErrNotFound)
	must(t, s.RevokeInvitation(ctx, tenantA, a1.ID, at(3*time.Hour)))
	wantKind(t, s.RecordResend(ctx, tenantA, a1.ID, store.Resend{MessageID: "x", At: at(4 * time.Hour)}), core.ErrConflict)
}

// testListByExpiry: with Now, pending invitations split into live and
// expired at the exact instant of expiry; without it the stored status
// counts, and Revoked lists the revoked.
func testListByExpiry(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	a1, a2, _ := twoInvitations(ctx, t, s)
	a3 := newInvitation(tenantA, "inv-a3", "user-a3", "token-3")
	a3.CreatedAt, a3.ExpiresAt = a2.CreatedAt.Add(time.Second), at(time.Hour)
	a4 := newInvitation(tenantA, "inv-a4", "user-a4", "token-4")
	a4.CreatedAt = a3.CreatedAt.Add(time.Second)
	must(t, s.CreateInvitation(ctx, a3))
	must(t, s.CreateInvitation(ctx, a4))
	must(t, s.RevokeInvitation(ctx, tenantA, a4.ID, at(time.Minute)))
	a4.Status, a4.RevokedAt = core.InvitationRevoked, at(time.Minute)
	for _, tc := range []struct {
		name   string
		filter store.InvitationFilter
		want   []core.Invitation
	}{
		{"PendingBefore", store.InvitationFilter{Status: core.InvitationPending, Now: at(time.Hour - time.Microsecond)}, []core.Invitation{*a1, *a3}},
		{"PendingAt", store.InvitationFilter{Status: core.InvitationPending, Now: at(time.Hour)}, []core.Invitation{*a1}},
		{"ExpiredBefore", store.InvitationFilter{Status: core.InvitationExpired, Now: at(time.Hour - time.Microsecond)}, nil},
		{"ExpiredAt", store.InvitationFilter{Status: core.InvitationExpired, Now: at(time.Hour)}, []core.Invitation{*a3}},
		{"StoredPending", store.InvitationFilter{Status: core.InvitationPending}, []core.Invitation{*a1, *a3}},
		{"Revoked", store.InvitationFilter{Status: core.InvitationRevoked, Now: at(time.Hour)}, []core.Invitation{*a4}},
		{"Completed", store.InvitationFilter{Status: core.InvitationCompleted, Now: at(time.Hour)}, []core.Invitation{*a2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListInvitations(ctx, tenantA, tc.filter)
			must(t, err)
			diff(t, "ListInvitations", tc.want, got)
		})
	}
	if got := a3.StatusAt(at(time.Hour)); got != core.InvitationExpired {
		t.Errorf("StatusAt the expiry = %q, want Expired", got)
	}
}

// testInvitationExpiryDays: none by default, set per tenant.
func testInvitationExpiryDays(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	must(t, s.SetInvitationExpiryDays(ctx, tenantA, 30))
	for _, tc := range []struct {
		tenant string
		want   int
	}{{tenantA, 30}, {tenantB, 0}} {
		got, err := s.InvitationExpiryDays(ctx, tc.tenant)
		must(t, err)
		if got != tc.want {
			t.Errorf("tenant %s: %d days, want %d", tc.tenant, got, tc.want)
		}
	}
	wantKind(t, s.SetInvitationExpiryDays(ctx, "no-such-tenant", 1), core.ErrNotFound)
	_, err := s.InvitationExpiryDays(ctx, "no-such-tenant")
	wantKind(t, err, core.ErrNotFound)
}
