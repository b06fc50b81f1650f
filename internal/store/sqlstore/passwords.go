package sqlstore

import (
	"context"
	"fmt"

	"guestlist/internal/core"
)

const passwordCols = `tenant_id, user_id, hash, must_change, changed_at`

// SetPassword inserts or replaces the password in one statement, and only
// for a user that exists.
func (o ops) SetPassword(ctx context.Context, p *core.Password) error {
	res, err := o.wr().ExecContext(ctx, `INSERT INTO passwords (`+passwordCols+`)
		SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2)
		ON CONFLICT (tenant_id, user_id) DO UPDATE SET hash = excluded.hash,
			must_change = excluded.must_change, changed_at = excluded.changed_at`,
		p.TenantID, p.UserID, p.Hash, p.MustChange, micros(p.ChangedAt))
	if err != nil {
		return fmt.Errorf("sqlstore: set password: %w", err)
	}
	return mustAffect(res, "set password", fmt.Sprintf("the user %s does not exist", p.UserID))
}

func (o ops) GetPassword(ctx context.Context, tenantID, userID string) (*core.Password, error) {
	var p core.Password
	err := o.rd().QueryRowContext(ctx, `SELECT `+passwordCols+` FROM passwords
		WHERE tenant_id = $1 AND user_id = $2`, tenantID, userID).
		Scan(&p.TenantID, &p.UserID, &p.Hash, &p.MustChange, timeCol{&p.ChangedAt})
	if err != nil {
		return nil, readErr(err, "get password", "the user has no password")
	}
	return &p, nil
}

// PasswordByMail joins the user and the password in one read: a sign-in
// with a password needs both.
func (o ops) PasswordByMail(ctx context.Context, tenantID, mailKey string) (*core.User, *core.Password, error) {
	var u core.User
	var p core.Password
	row := o.rd().QueryRowContext(ctx, `SELECT `+prefixed("u.", userCols)+`,
			p.tenant_id, p.user_id, p.hash, p.must_change, p.changed_at
		FROM users u JOIN passwords p ON p.tenant_id = u.tenant_id AND p.user_id = u.id
		WHERE u.tenant_id = $1 AND u.mail_key = $2`, tenantID, mailKey)
	err := scanUser(row, &u, &p.TenantID, &p.UserID, &p.Hash, &p.MustChange, timeCol{&p.ChangedAt})
	if err != nil {
		return nil, nil, readErr(err, "password by mail", "no account with a password has this address")
	}
	return &u, &p, nil
}
