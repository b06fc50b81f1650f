package mfa

import (
	"testing"

	"guestlist/internal/core"
	"guestlist/internal/roles"
	"guestlist/internal/store"
)

// TestRequired: who must use an authenticator app under each setting.
func TestRequired(t *testing.T) {
	global := []string{roles.GlobalAdministrator}
	inviter := []string{roles.GuestInviter}
	both := []string{roles.UserAdministrator, roles.GlobalAdministrator}
	for _, c := range []struct {
		setting string
		roles   []string
		want    bool
	}{
		{core.AdminMFAGlobalAdministrators, global, true},
		{core.AdminMFAGlobalAdministrators, both, true},
		{core.AdminMFAGlobalAdministrators, inviter, false},
		{core.AdminMFAGlobalAdministrators, nil, false},
		{"", global, true}, // the default
		{"", inviter, false},
		{core.AdminMFAAllAdministrators, inviter, true},
		{core.AdminMFAAllAdministrators, global, true},
		{core.AdminMFAAllAdministrators, nil, false},
		{core.AdminMFAOff, global, false},
		{core.AdminMFAOff, both, false},
		{"unknown", inviter, true}, // fails closed
		{"unknown", nil, false},
	} {
		if got := Required(c.setting, c.roles); got != c.want {
			t.Errorf("Required(%q, %q) = %v, want %v", c.setting, c.roles, got, c.want)
		}
	}
}

// TestSetAdminRequirement: the setting is validated, written for its
// tenant only, read by RequiredFor with the member's roles, and audited.
func TestSetAdminRequirement(t *testing.T) {
	f, ctx := newFixture(t), t.Context()
	must(t, f.st.CreateRoleAssignment(ctx, &core.RoleAssignment{TenantID: tenantA, ID: "ra-1",
		RoleDefinitionID: roles.GuestInviter, PrincipalID: "alice", DirectoryScopeID: "/", CreatedAt: f.clock.now()}))
	requiredFor := func(want bool) {
		t.Helper()
		got, err := f.s.RequiredFor(ctx, tenantA, "alice")
		if err != nil || got != want {
			t.Errorf("RequiredFor = %v, %v; want %v", got, err, want)
		}
	}
	requiredFor(false)
	wantKind(t, "unknown value", f.s.SetAdminRequirement(ctx, tenantA, "sometimes"), core.ErrInvalid)
	wantKind(t, "unknown tenant", f.s.SetAdminRequirement(ctx, "no-such-tenant", core.AdminMFAOff), core.ErrNotFound)
	must(t, f.s.SetAdminRequirement(ctx, tenantA, core.AdminMFAAllAdministrators))
	requiredFor(true)
	tn, err := f.st.GetTenant(ctx, tenantB)
	must(t, err)
	if tn.AdminMFARequirement() != core.AdminMFAGlobalAdministrators {
		t.Errorf("the other tenant's setting is %q", tn.AdminMFARequirement())
	}
	recs, err := f.st.ListAudit(ctx, tenantA, store.AuditFilter{})
	must(t, err)
	if len(recs) != 1 || recs[0].Category != "Policy" || len(recs[0].Targets) != 1 ||
		len(recs[0].Targets[0].Modified) != 1 || recs[0].Targets[0].Modified[0].OldValue != `"globalAdministrators"` ||
		recs[0].Targets[0].Modified[0].NewValue != `"allAdministrators"` {
		t.Errorf("audit: %+v", recs)
	}
}
