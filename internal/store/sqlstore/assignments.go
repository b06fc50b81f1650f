package sqlstore

import (
	"context"
	"fmt"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

func (o ops) SetAssignmentRequired(ctx context.Context, tenantID, appID string, required bool) error {
	res, err := o.wr().ExecContext(ctx, `UPDATE applications SET assignment_required = $3
		WHERE tenant_id = $1 AND app_id = $2`, tenantID, appID, required)
	if err != nil {
		return fmt.Errorf("sqlstore: set assignment required: %w", err)
	}
	return mustAffect(res, "set assignment required", fmt.Sprintf("the application %s does not exist", appID))
}

func (o ops) AppAssignments(ctx context.Context, tenantID, appID string) ([]core.Assignment, error) {
	return o.AppAssignmentsPage(ctx, tenantID, appID, store.Page{})
}

func (o ops) AppAssignmentsPage(ctx context.Context, tenantID, appID string, p store.Page) ([]core.Assignment, error) {
	return o.listAssignments(ctx, "application assignments", "app_id", tenantID, appID, p)
}

// listAssignments lists the assignments whose col (user_id or app_id, the
// package's own column names) is value, oldest first by (created_at, id).
func (o ops) listAssignments(ctx context.Context, what, col, tenantID, value string, p store.Page) ([]core.Assignment, error) {
	w := where{sql: ` WHERE tenant_id = $1`, args: []any{tenantID}}
	w.eq(col, value)
	w.after("id", p.After)
	rows, err := o.rd().QueryContext(ctx, `SELECT `+assignmentCols+` FROM assignments`+
		w.sql+` ORDER BY created_at, id`+w.limit(p.Top), w.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	var list []core.Assignment
	for rows.Next() {
		var a core.Assignment
		if err := rows.Scan(&a.TenantID, &a.ID, &a.UserID, &a.AppID, timeCol{&a.CreatedAt}); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: %s: %w", what, err)
		}
		list = append(list, a)
	}
	return list, closeRows(rows, what)
}

// EndUnassignedAppAccess is one statement, so it sees the assignments of
// the transaction it runs in.
func (o ops) EndUnassignedAppAccess(ctx context.Context, tenantID, clientID string, at time.Time) error {
	if at.IsZero() {
		return core.Invalidf("access cannot be ended at the zero time")
	}
	_, err := o.wr().ExecContext(ctx, `UPDATE token_families SET revoked_at = $3
		WHERE tenant_id = $1 AND client_id = $2 AND revoked_at = 0
		AND user_id NOT IN (SELECT user_id FROM assignments WHERE tenant_id = $1 AND app_id = $2)`,
		tenantID, clientID, micros(at))
	if err != nil {
		return fmt.Errorf("sqlstore: end unassigned users' access to an application: %w", err)
	}
	return nil
}
