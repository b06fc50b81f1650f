package sqlstore

import (
	"context"
	"fmt"
	"time"

	"guestlist/internal/core"
)

const adminSessionCols = `tenant_id, id, user_id, created_at, seen_at, expires_at, pending, client_ip, user_agent`

func (o ops) CreateAdminSession(ctx context.Context, s *core.AdminSession) error {
	_, err := o.wr().ExecContext(ctx, `INSERT INTO admin_sessions (`+adminSessionCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, s.TenantID, s.ID, s.UserID, micros(s.CreatedAt),
		micros(s.SeenAt), micros(s.ExpiresAt), s.Pending, s.ClientIP, s.UserAgent)
	return o.writeErr(err, "create admin session", "the session exists already")
}

func (o ops) AdminSession(ctx context.Context, tenantID, id string) (*core.AdminSession, error) {
	var s core.AdminSession
	err := o.rd().QueryRowContext(ctx, `SELECT `+adminSessionCols+` FROM admin_sessions
		WHERE tenant_id = $1 AND id = $2`, tenantID, id).Scan(&s.TenantID, &s.ID, &s.UserID,
		timeCol{&s.CreatedAt}, timeCol{&s.SeenAt}, timeCol{&s.ExpiresAt}, &s.Pending, &s.ClientIP, &s.UserAgent)
	if err := readErr(err, "get admin session", "the session does not exist"); err != nil {
		return nil, err
	}
	return &s, nil
}

func (o ops) TouchAdminSession(ctx context.Context, tenantID, id string, seen time.Time) error {
	_, err := o.wr().ExecContext(ctx, `UPDATE admin_sessions SET seen_at = $3
		WHERE tenant_id = $1 AND id = $2 AND seen_at < $3`, tenantID, id, micros(seen))
	if err != nil {
		return fmt.Errorf("sqlstore: touch admin session: %w", mark(err))
	}
	return nil
}

func (o ops) PassAdminSecondFactor(ctx context.Context, tenantID, id string, expires time.Time) error {
	res, err := o.wr().ExecContext(ctx, `UPDATE admin_sessions SET pending = FALSE, expires_at = $3
		WHERE tenant_id = $1 AND id = $2 AND pending = TRUE`, tenantID, id, micros(expires))
	if err != nil {
		return fmt.Errorf("sqlstore: pass second factor: %w", mark(err))
	}
	return mustAffect(res, "pass second factor", "the session does not wait for a second factor")
}

func (o ops) DeleteAdminSession(ctx context.Context, tenantID, id string) error {
	if _, err := o.wr().ExecContext(ctx, `DELETE FROM admin_sessions WHERE tenant_id = $1 AND id = $2`,
		tenantID, id); err != nil {
		return fmt.Errorf("sqlstore: delete admin session: %w", mark(err))
	}
	return nil
}

func (o ops) DeleteAdminSessionsOf(ctx context.Context, tenantID, userID string) (int, error) {
	res, err := o.wr().ExecContext(ctx, `DELETE FROM admin_sessions WHERE tenant_id = $1 AND user_id = $2`,
		tenantID, userID)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: delete admin sessions: %w", mark(err))
	}
	n, err := affected(res, "delete admin sessions")
	return int(n), err
}
