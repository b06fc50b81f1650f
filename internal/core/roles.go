package core

import "time"

// RoleAssignment gives a tenant member a directory role (a Graph
// unifiedRoleAssignment): RoleDefinitionID is the role template's id,
// DirectoryScopeID is "/" (the whole tenant).
type RoleAssignment struct {
	TenantID         string
	ID               string
	RoleDefinitionID string
	PrincipalID      string
	DirectoryScopeID string
	CreatedAt        time.Time
}
