package storetest

import (
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

const (
	roleGlobalAdmin = "62e90394-69f5-4237-9190-012177145e10"
	roleUserAdmin   = "fe930be7-5e62-47db-91af-98c3a49a38b1"
)

func newRoleAssignment(tenantID, id, role, principal string, created time.Time) *core.RoleAssignment {
	return &core.RoleAssignment{TenantID: tenantID, ID: id, RoleDefinitionID: role,
		PrincipalID: principal, DirectoryScopeID: "/", CreatedAt: created}
}

// testRoles: role assignments are created once per (role, principal,
// scope), read back, filtered, listed by principal, deleted, go with
// their user and their tenant, and are never seen from another tenant.
func testRoles(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	for _, u := range []*core.User{newUser(tenantA, "u1", "u1@example.com"),
		newUser(tenantA, "u2", "u2@example.com"), newUser(tenantB, "u1", "u1@example.com")} {
		must(t, s.CreateUser(ctx, u))
	}
	a1 := newRoleAssignment(tenantA, "ra-1", roleGlobalAdmin, "u1", t0)
	a2 := newRoleAssignment(tenantA, "ra-2", roleUserAdmin, "u1", at(time.Second))
	a3 := newRoleAssignment(tenantA, "ra-3", roleUserAdmin, "u2", at(2*time.Second))
	b1 := newRoleAssignment(tenantB, "ra-1", roleUserAdmin, "u1", t0)
	for _, a := range []*core.RoleAssignment{a1, a2, a3, b1} {
		must(t, s.CreateRoleAssignment(ctx, a))
	}
	wantKind(t, s.CreateRoleAssignment(ctx, newRoleAssignment(tenantA, "ra-4", roleUserAdmin, "u2", t0)),
		core.ErrConflict)
	// The same role at another scope is another assignment.
	other := newRoleAssignment(tenantA, "ra-5", roleUserAdmin, "u2", t0)
	other.DirectoryScopeID = "/administrativeUnits/x"
	must(t, s.CreateRoleAssignment(ctx, other))
	must(t, s.DeleteRoleAssignment(ctx, tenantA, "ra-5"))

	got, err := s.GetRoleAssignment(ctx, tenantA, "ra-2")
	must(t, err)
	diff(t, "GetRoleAssignment", a2, got)
	got, err = s.GetRoleAssignment(ctx, tenantB, "ra-1")
	must(t, err)
	diff(t, "the other tenant's assignment", b1, got)
	_, err = s.GetRoleAssignment(ctx, tenantB, "ra-2")
	wantKind(t, err, core.ErrNotFound)

	for name, c := range map[string]struct {
		f    store.RoleFilter
		want []core.RoleAssignment
	}{
		"all":            {store.RoleFilter{}, []core.RoleAssignment{*a1, *a2, *a3}},
		"principal":      {store.RoleFilter{PrincipalID: "u1"}, []core.RoleAssignment{*a1, *a2}},
		"role":           {store.RoleFilter{RoleDefinitionID: roleUserAdmin}, []core.RoleAssignment{*a2, *a3}},
		"both":           {store.RoleFilter{PrincipalID: "u2", RoleDefinitionID: roleUserAdmin}, []core.RoleAssignment{*a3}},
		"none":           {store.RoleFilter{PrincipalID: "u2", RoleDefinitionID: roleGlobalAdmin}, nil},
		"unknown person": {store.RoleFilter{PrincipalID: "nobody"}, nil},
	} {
		list, err := s.ListRoleAssignments(ctx, tenantA, c.f)
		must(t, err)
		diff(t, "ListRoleAssignments "+name, c.want, list)
	}
	list, err := s.ListRoleAssignments(ctx, tenantB, store.RoleFilter{})
	must(t, err)
	diff(t, "the other tenant's list", []core.RoleAssignment{*b1}, list)

	roles, err := s.RolesOf(ctx, tenantA, "u1")
	must(t, err)
	diff(t, "RolesOf", []string{roleGlobalAdmin, roleUserAdmin}, roles)
	roles, err = s.RolesOf(ctx, tenantB, "u2")
	must(t, err)
	diff(t, "RolesOf another tenant's member", []string(nil), roles)

	wantKind(t, s.DeleteRoleAssignment(ctx, tenantB, "ra-3"), core.ErrNotFound)
	must(t, s.DeleteRoleAssignment(ctx, tenantA, "ra-3"))
	wantKind(t, s.DeleteRoleAssignment(ctx, tenantA, "ra-3"), core.ErrNotFound)

	// Deleting a user deletes their assignments, in their tenant only.
	must(t, s.DeleteUser(ctx, tenantA, "u1"))
	list, err = s.ListRoleAssignments(ctx, tenantA, store.RoleFilter{})
	must(t, err)
	diff(t, "after DeleteUser", []core.RoleAssignment(nil), list)
	roles, err = s.RolesOf(ctx, tenantB, "u1")
	must(t, err)
	diff(t, "the other tenant's u1 after DeleteUser", []string{roleUserAdmin}, roles)

	// Deleting a tenant deletes its assignments.
	must(t, s.DeleteTenant(ctx, tenantB))
	list, err = s.ListRoleAssignments(ctx, tenantB, store.RoleFilter{})
	must(t, err)
	diff(t, "after DeleteTenant", []core.RoleAssignment(nil), list)
}
