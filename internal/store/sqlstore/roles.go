package sqlstore

import (
	"context"
	"fmt"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

const roleAssignmentCols = `tenant_id, id, role_definition_id, principal_id, directory_scope_id, created_at`

// CreateRoleAssignment: the unique index on (tenant, role, principal,
// scope) makes a second assignment a conflict.
func (o ops) CreateRoleAssignment(ctx context.Context, a *core.RoleAssignment) error {
	_, err := o.wr().ExecContext(ctx, `INSERT INTO role_assignments (`+roleAssignmentCols+`)
		VALUES ($1, $2, $3, $4, $5, $6)`, a.TenantID, a.ID, a.RoleDefinitionID, a.PrincipalID,
		a.DirectoryScopeID, micros(a.CreatedAt))
	return o.writeErr(err, "create role assignment", "the principal already holds this role at this scope")
}

func (o ops) GetRoleAssignment(ctx context.Context, tenantID, id string) (*core.RoleAssignment, error) {
	var a core.RoleAssignment
	err := o.rd().QueryRowContext(ctx, `SELECT `+roleAssignmentCols+` FROM role_assignments
		WHERE tenant_id = $1 AND id = $2`, tenantID, id).Scan(&a.TenantID, &a.ID, &a.RoleDefinitionID,
		&a.PrincipalID, &a.DirectoryScopeID, timeCol{&a.CreatedAt})
	if err := readErr(err, "get role assignment", fmt.Sprintf("the role assignment %s does not exist", id)); err != nil {
		return nil, err
	}
	return &a, nil
}

func (o ops) ListRoleAssignments(ctx context.Context, tenantID string, f store.RoleFilter) ([]core.RoleAssignment, error) {
	const what = "list role assignments"
	w := where{sql: ` WHERE tenant_id = $1`, args: []any{tenantID}}
	w.eq("principal_id", f.PrincipalID)
	w.eq("role_definition_id", f.RoleDefinitionID)
	rows, err := o.rd().QueryContext(ctx, `SELECT `+roleAssignmentCols+` FROM role_assignments`+
		w.sql+` ORDER BY created_at, id`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %s: %w", what, mark(err))
	}
	var list []core.RoleAssignment
	for rows.Next() {
		var a core.RoleAssignment
		if err := rows.Scan(&a.TenantID, &a.ID, &a.RoleDefinitionID, &a.PrincipalID,
			&a.DirectoryScopeID, timeCol{&a.CreatedAt}); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: %s: %w", what, err)
		}
		list = append(list, a)
	}
	return list, closeRows(rows, what)
}

func (o ops) DeleteRoleAssignment(ctx context.Context, tenantID, id string) error {
	res, err := o.wr().ExecContext(ctx, `DELETE FROM role_assignments WHERE tenant_id = $1 AND id = $2`,
		tenantID, id)
	if err != nil {
		return fmt.Errorf("sqlstore: delete role assignment: %w", mark(err))
	}
	return mustAffect(res, "delete role assignment", fmt.Sprintf("the role assignment %s does not exist", id))
}

func (o ops) RolesOf(ctx context.Context, tenantID, principalID string) ([]string, error) {
	const what = "roles of a principal"
	rows, err := o.rd().QueryContext(ctx, `SELECT DISTINCT role_definition_id FROM role_assignments
		WHERE tenant_id = $1 AND principal_id = $2 ORDER BY role_definition_id`, tenantID, principalID)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %s: %w", what, mark(err))
	}
	var roles []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: %s: %w", what, err)
		}
		roles = append(roles, r)
	}
	return roles, closeRows(rows, what)
}
