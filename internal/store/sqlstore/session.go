package sqlstore

import (
	"context"
	"fmt"
	"time"

	"guestlist/internal/core"
)

const sessionCols = `tenant_id, id, user_id, amr, created_at, expires_at, revoked_at`

func (o ops) CreateSession(ctx context.Context, s *core.Session) error {
	_, err := o.wr().ExecContext(ctx, `INSERT INTO sessions (`+sessionCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		s.TenantID, s.ID, s.UserID, s.AMR, micros(s.CreatedAt), micros(s.ExpiresAt),
		micros(s.RevokedAt))
	return o.writeErr(err, "create session", "the session already exists")
}

// GetSession returns the session if it is live at now: not expired and not
// revoked; otherwise core.ErrNotFound.
func (o ops) GetSession(ctx context.Context, tenantID, id string, now time.Time) (*core.Session, error) {
	var s core.Session
	err := o.rd().QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions
		WHERE tenant_id = $1 AND id = $2 AND expires_at > $3 AND revoked_at = 0`,
		tenantID, id, micros(now)).
		Scan(&s.TenantID, &s.ID, &s.UserID, &s.AMR, timeCol{&s.CreatedAt},
			timeCol{&s.ExpiresAt}, timeCol{&s.RevokedAt})
	if err != nil {
		return nil, readErr(err, "get session", "the session has ended or does not exist")
	}
	return &s, nil
}

// RevokeUserSessions revokes the user's sessions that are not revoked
// yet; at must not be zero. A user without sessions is not an error.
func (o ops) RevokeUserSessions(ctx context.Context, tenantID, userID string, at time.Time) error {
	if at.IsZero() {
		return core.Invalidf("sessions cannot be revoked at the zero time")
	}
	_, err := o.wr().ExecContext(ctx, `UPDATE sessions SET revoked_at = $3
		WHERE tenant_id = $1 AND user_id = $2 AND revoked_at = 0`, tenantID, userID, micros(at))
	if err != nil {
		return fmt.Errorf("sqlstore: revoke sessions: %w", err)
	}
	return nil
}

func (o ops) CreateSigningKey(ctx context.Context, k *core.SigningKey) error {
	_, err := o.wr().ExecContext(ctx, `INSERT INTO signing_keys (id, algorithm, private_jwk,
		created_at) VALUES ($1, $2, $3, $4)`, k.ID, k.Algorithm, blob(k.PrivateJWK), micros(k.CreatedAt))
	return o.writeErr(err, "create signing key", "a signing key with this id already exists")
}

// SigningKeys lists every key, newest first.
func (o ops) SigningKeys(ctx context.Context) ([]core.SigningKey, error) {
	rows, err := o.rd().QueryContext(ctx, `SELECT id, algorithm, private_jwk, created_at
		FROM signing_keys ORDER BY created_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list signing keys: %w", err)
	}
	var list []core.SigningKey
	for rows.Next() {
		var k core.SigningKey
		if err := rows.Scan(&k.ID, &k.Algorithm, &k.PrivateJWK, timeCol{&k.CreatedAt}); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: list signing keys: %w", err)
		}
		list = append(list, k)
	}
	return list, closeRows(rows, "list signing keys")
}

// pruneBatch bounds how many rows one DELETE of Prune removes, so that
// outside InTx no single write holds the SQLite writer for long.
const pruneBatch = 1000

// sensitiveDone matches the outbox rows Prune deletes: mail that held a
// passcode and was sent, or given up, before $1 (its bodies are already
// cleared). Without it the outbox would grow by one row per sign-in for
// ever. One status at a time, so the outbox_done index serves both the
// match and the order.
func sensitiveDone(status string) string {
	return `status = '` + status + `' AND sensitive = TRUE AND created_at < $1`
}

// Prune deletes, in every tenant, the flows, passcodes and sessions that
// had expired by before (expires_at <= before), the throttle events that
// happened before it, and the passcode mail created before it that was
// sent or given up. Outside InTx it deletes in batches, each its own short
// transaction.
func (o ops) Prune(ctx context.Context, before time.Time) error {
	for _, p := range [...]struct{ table, col, match string }{
		{"passcodes", "expires_at", "expires_at <= $1"},
		{"flows", "expires_at", "expires_at <= $1"},
		{"sessions", "expires_at", "expires_at <= $1"},
		{"events", "at", "at < $1"},
		{"auth_requests", "expires_at", "expires_at <= $1"},
		{"refresh_tokens", "expires_at", "expires_at <= $1"},
		{"federation_requests", "expires_at", "expires_at <= $1"},
		{"saml_assertions", "expires_at", "expires_at <= $1"},
		{"admin_sessions", "expires_at", "expires_at <= $1"},
		{"password_links", "expires_at", "expires_at <= $1"},
		{"outbox", "created_at", sensitiveDone(core.MailSent)},
		{"outbox", "created_at", sensitiveDone(core.MailFailed)},
	} {
		if err := o.pruneTable(ctx, p.table, p.col, p.match, micros(before)); err != nil {
			return err
		}
	}
	return nil
}

// pruneTable deletes the rows that match (a condition on $1 = before),
// in the order of col, at most about pruneBatch at a time: the cut-off of
// a batch is the col value of the pruneBatch-th matching row (ties may
// add a few rows), or before itself when fewer rows are left.
func (o ops) pruneTable(ctx context.Context, table, col, match string, before int64) error {
	query := `DELETE FROM ` + table + ` WHERE ` + match + ` AND ` + col + ` <= COALESCE(
		(SELECT ` + col + ` FROM ` + table + ` WHERE ` + match + `
		 ORDER BY ` + col + ` LIMIT 1 OFFSET $2), $1)`
	for {
		res, err := o.wr().ExecContext(ctx, query, before, pruneBatch-1)
		if err != nil {
			return fmt.Errorf("sqlstore: prune %s: %w", table, err)
		}
		n, err := affected(res, "prune "+table)
		if err != nil {
			return err
		}
		if n < pruneBatch {
			return nil
		}
	}
}

// KeyCheck inserts the check value unless one is stored, then returns
// whichever is stored: two processes starting at once agree on the first.
func (o ops) KeyCheck(ctx context.Context, check []byte) ([]byte, error) {
	if _, err := o.wr().ExecContext(ctx, `INSERT INTO deployment (name, value) VALUES ('key-check', $1)
		ON CONFLICT (name) DO NOTHING`, blob(check)); err != nil {
		return nil, fmt.Errorf("sqlstore: store key check: %w", err)
	}
	var stored []byte
	if err := o.wr().QueryRowContext(ctx, `SELECT value FROM deployment WHERE name = 'key-check'`).Scan(&stored); err != nil {
		return nil, fmt.Errorf("sqlstore: read key check: %w", err)
	}
	return stored, nil
}
