package storetest

import (
	"testing"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// testFlowsRekey: RekeyFlow moves the flow to its next step under a new
// id; the old id names nothing afterwards, a second move or a taken id is
// a conflict, and another tenant's or an unknown flow is not found.
func testFlowsRekey(t *testing.T, newStore NewStore) {
	s, ctx, f := setupFlow(t, newStore)
	other := newFlow(tenantA, "flow-2", flowExpires())
	must(t, s.CreateFlow(ctx, other))

	wantKind(t, s.RekeyFlow(ctx, tenantB, f.ID, store.FlowMove{NewID: "flow-new", From: core.FlowStarted, To: core.FlowVerified, UserID: f.UserID, ProvedMethod: core.MethodHomeTenant, ProvedSubject: "member-1"}), core.ErrNotFound)
	wantKind(t, s.RekeyFlow(ctx, tenantA, "nope", store.FlowMove{NewID: "flow-new", From: core.FlowStarted, To: core.FlowVerified, UserID: f.UserID, ProvedMethod: core.MethodHomeTenant, ProvedSubject: "member-1"}), core.ErrNotFound)
	wantKind(t, s.RekeyFlow(ctx, tenantA, f.ID, store.FlowMove{NewID: other.ID, From: core.FlowStarted, To: core.FlowVerified, UserID: f.UserID, ProvedMethod: core.MethodHomeTenant, ProvedSubject: "member-1"}), core.ErrConflict)

	// A sign-up's flow gets the account it made as its user.
	must(t, s.RekeyFlow(ctx, tenantA, f.ID, store.FlowMove{NewID: "flow-new", From: core.FlowStarted, To: core.FlowVerified, UserID: "account-9", ProvedMethod: core.MethodHomeTenant, ProvedSubject: "member-1"}))
	_, err := s.GetFlow(ctx, tenantA, f.ID, t0)
	wantKind(t, err, core.ErrNotFound)
	want := *f
	want.ID, want.Step = "flow-new", core.FlowVerified
	want.ProvedMethod, want.ProvedSubject, want.UserID = core.MethodHomeTenant, "member-1", "account-9"
	got, err := s.GetFlow(ctx, tenantA, "flow-new", t0)
	must(t, err)
	diff(t, "GetFlow after rekey", &want, got)

	wantKind(t, s.RekeyFlow(ctx, tenantA, "flow-new", store.FlowMove{NewID: "flow-3", From: core.FlowStarted, To: core.FlowVerified, UserID: f.UserID, ProvedMethod: core.MethodHomeTenant, ProvedSubject: "member-1"}), core.ErrConflict)
	wantKind(t, s.RekeyFlow(ctx, tenantA, f.ID, store.FlowMove{NewID: "flow-3", From: core.FlowStarted, To: core.FlowVerified, UserID: f.UserID, ProvedMethod: core.MethodHomeTenant, ProvedSubject: "member-1"}), core.ErrNotFound)
}

// testFlowsWithoutUser: a flow for an address with no user (user_id "")
// reads back whole with a nil user, within its tenant and lifetime only.
func testFlowsWithoutUser(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	f := newFlow(tenantA, "flow-nobody", flowExpires())
	f.UserID, f.InvitationID = "", ""
	must(t, s.CreateFlow(ctx, f))
	gotF, gotU, err := s.GetFlowUser(ctx, tenantA, f.ID, t0)
	must(t, err)
	diff(t, "GetFlowUser flow", f, gotF)
	if gotU != nil {
		t.Errorf("GetFlowUser user = %+v, want nil", gotU)
	}
	_, _, err = s.GetFlowUser(ctx, tenantB, f.ID, t0)
	wantKind(t, err, core.ErrNotFound)
	_, _, err = s.GetFlowUser(ctx, tenantA, f.ID, f.ExpiresAt)
	wantKind(t, err, core.ErrNotFound)
}
