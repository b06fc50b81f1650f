package storetest

import (
	"testing"

	"guestlist/internal/core"
)

// testFlowsRekey: RekeyFlow moves the flow to its next step under a new
// id; the old id names nothing afterwards, a second move or a taken id is
// a conflict, and another tenant's or an unknown flow is not found.
func testFlowsRekey(t *testing.T, newStore NewStore) {
	s, ctx, f := setupFlow(t, newStore)
	other := newFlow(tenantA, "flow-2", flowExpires())
	must(t, s.CreateFlow(ctx, other))

	wantKind(t, s.RekeyFlow(ctx, tenantB, f.ID, "flow-new", core.FlowStarted, core.FlowVerified, core.MethodHomeTenant, "member-1"), core.ErrNotFound)
	wantKind(t, s.RekeyFlow(ctx, tenantA, "nope", "flow-new", core.FlowStarted, core.FlowVerified, core.MethodHomeTenant, "member-1"), core.ErrNotFound)
	wantKind(t, s.RekeyFlow(ctx, tenantA, f.ID, other.ID, core.FlowStarted, core.FlowVerified, core.MethodHomeTenant, "member-1"), core.ErrConflict)

	must(t, s.RekeyFlow(ctx, tenantA, f.ID, "flow-new", core.FlowStarted, core.FlowVerified, core.MethodHomeTenant, "member-1"))
	_, err := s.GetFlow(ctx, tenantA, f.ID, t0)
	wantKind(t, err, core.ErrNotFound)
	want := *f
	want.ID, want.Step = "flow-new", core.FlowVerified
	want.ProvedMethod, want.ProvedSubject = core.MethodHomeTenant, "member-1"
	got, err := s.GetFlow(ctx, tenantA, "flow-new", t0)
	must(t, err)
	diff(t, "GetFlow after rekey", &want, got)

	wantKind(t, s.RekeyFlow(ctx, tenantA, "flow-new", "flow-3", core.FlowStarted, core.FlowVerified, core.MethodHomeTenant, "member-1"), core.ErrConflict)
	wantKind(t, s.RekeyFlow(ctx, tenantA, f.ID, "flow-3", core.FlowStarted, core.FlowVerified, core.MethodHomeTenant, "member-1"), core.ErrNotFound)
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
