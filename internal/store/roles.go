package store

import (
	"context"

	"guestlist/internal/core"
)

// RoleFilter narrows ListRoleAssignments; an empty field does not filter.
type RoleFilter struct {
	PrincipalID      string
	RoleDefinitionID string
}

// Roles is who holds which directory role in a tenant. Embedded in Tx.
type Roles interface {
	// CreateRoleAssignment stores a; core.ErrConflict if the principal
	// already holds the role at that scope.
	CreateRoleAssignment(ctx context.Context, a *core.RoleAssignment) error
	// GetRoleAssignment: core.ErrNotFound if the tenant has no such
	// assignment.
	GetRoleAssignment(ctx context.Context, tenantID, id string) (*core.RoleAssignment, error)
	// ListRoleAssignments lists the tenant's assignments matching f,
	// oldest first.
	ListRoleAssignments(ctx context.Context, tenantID string, f RoleFilter) ([]core.RoleAssignment, error)
	// DeleteRoleAssignment: core.ErrNotFound if the tenant has no such
	// assignment.
	DeleteRoleAssignment(ctx context.Context, tenantID, id string) error
	// RolesOf lists the role definition ids the principal holds, sorted
	// and each once; none (no error) for an unknown principal.
	RolesOf(ctx context.Context, tenantID, principalID string) ([]string, error)
}
