package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

func (o ops) RecordAudit(ctx context.Context, r *core.AuditRecord) error {
	targets, err := jsonText(r.Targets)
	if err != nil {
		return err
	}
	var targetID string
	if len(r.Targets) > 0 {
		targetID = r.Targets[0].ID
	}
	a := r.Actor
	_, err = o.wr().ExecContext(ctx, `INSERT INTO audit_records (tenant_id, id, at, category, activity,
		operation_type, service, result, result_reason, actor_app_id, actor_app_name, actor_sp_id,
		actor_user_id, actor_upn, target_id, targets)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		r.TenantID, r.ID, micros(r.At), r.Category, r.Activity, r.OperationType, r.Service, r.Result,
		r.ResultReason, a.AppID, a.AppDisplayName, a.ServicePrincipalID, a.UserID, a.UserPrincipalName,
		targetID, targets)
	return o.writeErr(err, "record audit", "an audit record with this id exists")
}

const auditCols = `tenant_id, id, at, category, activity, operation_type, service, result, result_reason,
	actor_app_id, actor_app_name, actor_sp_id, actor_user_id, actor_upn, targets`

func (o ops) ListAudit(ctx context.Context, tenantID string, f store.AuditFilter) ([]core.AuditRecord, error) {
	w := logWhere(tenantID, f.LogFilter, "actor_app_id")
	w.eq("target_id", f.TargetID)
	w.eq("actor_user_id", f.ActorUserID)
	w.eq("category", f.Category)
	w.before(f.After)
	rows, err := o.rd().QueryContext(ctx, `SELECT `+auditCols+` FROM audit_records`+w.sql+
		` ORDER BY at DESC, id DESC`+w.limit(f.Top), w.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list audit records: %w", err)
	}
	var list []core.AuditRecord
	for rows.Next() {
		var r core.AuditRecord
		a := &r.Actor
		if err := rows.Scan(&r.TenantID, &r.ID, timeCol{&r.At}, &r.Category, &r.Activity, &r.OperationType,
			&r.Service, &r.Result, &r.ResultReason, &a.AppID, &a.AppDisplayName, &a.ServicePrincipalID,
			&a.UserID, &a.UserPrincipalName, jsonCol{&r.Targets}); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: list audit records: %w", err)
		}
		list = append(list, r)
	}
	return list, closeRows(rows, "list audit records")
}

func (o ops) RecordSignIn(ctx context.Context, r *core.SignInRecord) error {
	_, err := o.wr().ExecContext(ctx, `INSERT INTO sign_in_records (tenant_id, id, at, user_id,
		user_principal_name, user_display_name, user_type, app_id, app_display_name, ip_address, method,
		error_code, failure_reason, cross_tenant_access, home_tenant_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		r.TenantID, r.ID, micros(r.At), r.UserID, r.UserPrincipalName, r.UserDisplayName, r.UserType,
		r.AppID, r.AppDisplayName, r.IPAddress, string(r.Method), r.ErrorCode, r.FailureReason,
		r.CrossTenantAccess, r.HomeTenantID)
	return o.writeErr(err, "record sign-in", "a sign-in record with this id exists")
}

const signInCols = `tenant_id, id, at, user_id, user_principal_name, user_display_name, user_type, app_id,
	app_display_name, ip_address, method, error_code, failure_reason, cross_tenant_access, home_tenant_id`

func (o ops) ListSignIns(ctx context.Context, tenantID string, f store.SignInFilter) ([]core.SignInRecord, error) {
	w := logWhere(tenantID, f.LogFilter, "app_id")
	w.eq("user_id", f.UserID)
	switch f.Status {
	case core.ResultSuccess:
		w.sql += " AND error_code = 0"
	case core.ResultFailure:
		w.sql += " AND error_code <> 0"
	}
	w.before(f.After)
	rows, err := o.rd().QueryContext(ctx, `SELECT `+signInCols+` FROM sign_in_records`+w.sql+
		` ORDER BY at DESC, id DESC`+w.limit(f.Top), w.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list sign-ins: %w", err)
	}
	var list []core.SignInRecord
	for rows.Next() {
		var r core.SignInRecord
		if err := rows.Scan(&r.TenantID, &r.ID, timeCol{&r.At}, &r.UserID, &r.UserPrincipalName,
			&r.UserDisplayName, &r.UserType, &r.AppID, &r.AppDisplayName, &r.IPAddress, &r.Method,
			&r.ErrorCode, &r.FailureReason, &r.CrossTenantAccess, &r.HomeTenantID); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: list sign-ins: %w", err)
		}
		list = append(list, r)
	}
	return list, closeRows(rows, "list sign-ins")
}

// PruneLogs deletes in batches, like Prune, so no one write holds the
// SQLite writer for long.
func (o ops) PruneLogs(ctx context.Context, before time.Time) error {
	for _, table := range [...]string{"audit_records", "sign_in_records"} {
		if err := o.pruneTable(ctx, table, "at", "at < $1", micros(before)); err != nil {
			return err
		}
	}
	return nil
}

// logWhere is the tenant and time window of a log query, and its
// application column's filter.
func logWhere(tenantID string, f store.LogFilter, appCol string) *where {
	w := &where{sql: ` WHERE tenant_id = $1`, args: []any{tenantID}}
	if !f.Since.IsZero() {
		w.args = append(w.args, micros(f.Since))
		w.sql += " AND at >= $" + strconv.Itoa(len(w.args))
	}
	if !f.Until.IsZero() {
		w.args = append(w.args, micros(f.Until))
		w.sql += " AND at < $" + strconv.Itoa(len(w.args))
	}
	w.eq(appCol, f.AppID)
	return w
}

// before is after for a list ordered newest first by (at, id): only
// rows older than c.
func (w *where) before(c store.Cursor) {
	if c.IsZero() {
		return
	}
	w.args = append(w.args, micros(c.CreatedAt), c.ID)
	at, id := "$"+strconv.Itoa(len(w.args)-1), "$"+strconv.Itoa(len(w.args))
	w.sql += " AND (at < " + at + " OR (at = " + at + " AND id < " + id + "))"
}

// deleteTenantLogs removes a tenant's logs with the tenant.
func deleteTenantLogs(ctx context.Context, q runner, tenantID string) error {
	for _, table := range [...]string{"audit_records", "sign_in_records"} {
		if _, err := q.ExecContext(ctx, `DELETE FROM `+table+` WHERE tenant_id = $1`, tenantID); err != nil {
			return fmt.Errorf("sqlstore: delete tenant's %s: %w", table, err)
		}
	}
	return nil
}
