package roles

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// Service assigns and removes directory roles.
type Service struct {
	st  store.Store
	now platform.Clock
}

// New returns a Service.
func New(st store.Store, now platform.Clock) *Service {
	return &Service{st: st, now: now}
}

// Assign gives the tenant's member principalID the role roleID at scope.
// Errors: core.ErrInvalid (an unknown role, a scope other than "/", a
// principal that is not a member of the tenant), core.ErrConflict (the
// member holds the role already).
func (s *Service) Assign(ctx context.Context, tenantID, roleID, principalID, scope string) (*core.RoleAssignment, error) {
	var a *core.RoleAssignment
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		var err error
		a, err = s.AssignTx(ctx, tx, tenantID, roleID, principalID, scope)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// AssignTx is Assign inside the caller's transaction tx, for a change
// that gives a role together with other writes (the first administrator
// of a new tenant, R43). Errors as Assign.
func (s *Service) AssignTx(ctx context.Context, tx store.Tx, tenantID, roleID, principalID, scope string) (*core.RoleAssignment, error) {
	def, ok := Lookup(roleID)
	if !ok {
		return nil, core.Invalidf("roleDefinitionId %q is not a role definition of this tenant", roleID)
	}
	if scope != TenantScope {
		return nil, core.Invalidf("directoryScopeId must be %q (the whole tenant)", TenantScope)
	}
	if principalID == "" {
		return nil, core.Invalidf("principalId is required")
	}
	a := &core.RoleAssignment{TenantID: tenantID, ID: uuid.NewString(), RoleDefinitionID: roleID,
		PrincipalID: principalID, DirectoryScopeID: scope, CreatedAt: s.now()}
	u, err := tx.GetUser(ctx, tenantID, principalID)
	if errors.Is(err, core.ErrNotFound) {
		return nil, core.Invalidf("principalId %q is not a user of this tenant", principalID)
	}
	if err != nil {
		return nil, err
	}
	if u.UserType != core.UserTypeMember {
		return nil, core.Invalidf("principalId %q is a guest; only members of the tenant can hold directory roles", principalID)
	}
	if err := tx.CreateRoleAssignment(ctx, a); err != nil {
		return nil, err
	}
	if err := audit.Record(ctx, tx, a.CreatedAt, tenantID, audit.AddMemberToRole,
		audit.User(u, roleProps(def, false)...), target(def)); err != nil {
		return nil, err
	}
	return a, nil
}

// Get is the tenant's assignment id. Errors: core.ErrNotFound.
func (s *Service) Get(ctx context.Context, tenantID, id string) (*core.RoleAssignment, error) {
	return s.st.GetRoleAssignment(ctx, tenantID, id)
}

// List lists the tenant's assignments matching f, oldest first.
func (s *Service) List(ctx context.Context, tenantID string, f store.RoleFilter) ([]core.RoleAssignment, error) {
	return s.st.ListRoleAssignments(ctx, tenantID, f)
}

// Remove deletes the tenant's assignment id. Errors: core.ErrNotFound.
func (s *Service) Remove(ctx context.Context, tenantID, id string) error {
	return s.st.InTx(ctx, func(tx store.Tx) error {
		a, err := tx.GetRoleAssignment(ctx, tenantID, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteRoleAssignment(ctx, tenantID, id); err != nil {
			return err
		}
		def, _ := Lookup(a.RoleDefinitionID)
		def.ID = a.RoleDefinitionID
		return audit.Record(ctx, tx, s.now(), tenantID, audit.RemoveMemberFromRole,
			audit.UserID(a.PrincipalID, roleProps(def, true)...), target(def))
	})
}

// Has reports whether the tenant's user holds any of roles.
func (s *Service) Has(ctx context.Context, tenantID, userID string, roles ...string) (bool, error) {
	held, err := s.st.RolesOf(ctx, tenantID, userID)
	if err != nil {
		return false, err
	}
	for _, r := range roles {
		if slices.Contains(held, r) {
			return true, nil
		}
	}
	return false, nil
}

// roleProps are the role's properties as Entra ID lists them on the user
// target: set when the member is added, cleared when removed.
func roleProps(d Definition, removed bool) []core.ModifiedProperty {
	if removed {
		return []core.ModifiedProperty{audit.Set("Role.DisplayName", d.DisplayName, nil),
			audit.Set("Role.TemplateId", d.ID, nil)}
	}
	return []core.ModifiedProperty{audit.Set("Role.DisplayName", nil, d.DisplayName),
		audit.Set("Role.TemplateId", nil, d.ID)}
}

// target is a role definition as an audit target.
func target(d Definition) core.AuditTarget {
	return core.AuditTarget{ID: d.ID, DisplayName: d.DisplayName, Type: audit.TypeRole}
}
