package sqlstore

import (
	"context"
	"fmt"
	"time"

	"guestlist/internal/core"
)

const passwordLinkCols = `tenant_id, id, user_id, hash, created_at, expires_at, used_at`

// IssuePasswordLink deletes the user's earlier links and stores l, in one
// transaction: an older link stops working the moment a newer one exists.
func (o ops) IssuePasswordLink(ctx context.Context, l *core.PasswordLink) error {
	return o.atomic(ctx, func(q runner) error {
		if _, err := q.ExecContext(ctx, `DELETE FROM password_links WHERE tenant_id = $1 AND user_id = $2`,
			l.TenantID, l.UserID); err != nil {
			return fmt.Errorf("sqlstore: issue password link: %w", mark(err))
		}
		_, err := q.ExecContext(ctx, `INSERT INTO password_links (`+passwordLinkCols+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, l.TenantID, l.ID, l.UserID, blob(l.Hash),
			micros(l.CreatedAt), micros(l.ExpiresAt), micros(l.UsedAt))
		return o.writeErr(err, "issue password link", "the password link exists")
	})
}

func (o ops) PasswordLinkByHash(ctx context.Context, tenantID string, hash []byte) (*core.PasswordLink, error) {
	var l core.PasswordLink
	err := o.rd().QueryRowContext(ctx, `SELECT `+passwordLinkCols+` FROM password_links
		WHERE tenant_id = $1 AND hash = $2`, tenantID, blob(hash)).Scan(&l.TenantID, &l.ID, &l.UserID,
		&l.Hash, timeCol{&l.CreatedAt}, timeCol{&l.ExpiresAt}, timeCol{&l.UsedAt})
	if err := readErr(err, "get password link", "the password link does not exist"); err != nil {
		return nil, err
	}
	return &l, nil
}

// UsePasswordLink is a conditional update: only an unused link is marked,
// so of two uses at once exactly one wins.
func (o ops) UsePasswordLink(ctx context.Context, tenantID, id string, at time.Time) error {
	q := o.wr()
	res, err := q.ExecContext(ctx, `UPDATE password_links SET used_at = $3
		WHERE tenant_id = $1 AND id = $2 AND used_at = 0`, tenantID, id, micros(at))
	if err != nil {
		return fmt.Errorf("sqlstore: use password link: %w", mark(err))
	}
	return o.conditional(ctx, q, res, cond{
		what:     "use password link",
		exists:   `SELECT 1 FROM password_links WHERE tenant_id = $1 AND id = $2`,
		args:     []any{tenantID, id},
		conflict: "the password link has been used",
		missing:  fmt.Sprintf("the password link %s does not exist", id),
	})
}
