package sqlstore

import (
	"context"
	"fmt"
	"time"

	"guestlist/internal/core"
)

const authenticatorCols = `tenant_id, user_id, secret, created_at, activated_at, last_step`

// PutAuthenticator inserts the pending authenticator, or replaces a
// pending one, in one statement and only for a user that exists; the
// upsert's WHERE keeps an active one, which the caller must remove first.
func (o ops) PutAuthenticator(ctx context.Context, a *core.Authenticator) error {
	const what = "put authenticator"
	res, err := o.wr().ExecContext(ctx, `INSERT INTO mfa_authenticators (`+authenticatorCols+`)
		SELECT $1, $2, $3, $4, 0, 0 WHERE EXISTS (SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2)
		ON CONFLICT (tenant_id, user_id) DO UPDATE SET secret = excluded.secret,
			created_at = excluded.created_at, last_step = 0
		WHERE mfa_authenticators.activated_at = 0`,
		a.TenantID, a.UserID, blob(a.Secret), micros(a.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", what, mark(err))
	}
	n, err := affected(res, what)
	if err != nil || n > 0 {
		return err
	}
	if _, err := o.GetUser(ctx, a.TenantID, a.UserID); err != nil {
		return err
	}
	return core.Errorf(core.ErrConflict, codeState, "the user has an authenticator app already")
}

func (o ops) GetAuthenticator(ctx context.Context, tenantID, userID string) (*core.Authenticator, error) {
	var a core.Authenticator
	err := o.rd().QueryRowContext(ctx, `SELECT `+authenticatorCols+` FROM mfa_authenticators
		WHERE tenant_id = $1 AND user_id = $2`, tenantID, userID).Scan(&a.TenantID, &a.UserID, &a.Secret,
		timeCol{&a.CreatedAt}, timeCol{&a.ActivatedAt}, &a.LastStep)
	if err := readErr(err, "get authenticator", "the user has no authenticator app"); err != nil {
		return nil, err
	}
	return &a, nil
}

func (o ops) ActivateAuthenticator(ctx context.Context, tenantID, userID string, at time.Time, step int64) error {
	return o.compareAndSet(ctx, "activate authenticator", "the user has no pending authenticator app",
		`UPDATE mfa_authenticators SET activated_at = $3, last_step = $4
		WHERE tenant_id = $1 AND user_id = $2 AND activated_at = 0`, tenantID, userID, micros(at), step)
}

// AdvanceStep compares and sets in one statement: of two uses of the same
// code (or of two codes of steps out of order) only the first changes the
// row, on both databases.
func (o ops) AdvanceStep(ctx context.Context, tenantID, userID string, step int64) error {
	return o.compareAndSet(ctx, "advance authenticator step", "the code was used already",
		`UPDATE mfa_authenticators SET last_step = $3
		WHERE tenant_id = $1 AND user_id = $2 AND activated_at <> 0 AND last_step < $3`, tenantID, userID, step)
}

// compareAndSet runs a conditional UPDATE; no row changed is a conflict.
func (o ops) compareAndSet(ctx context.Context, what, lost, stmt string, args ...any) error {
	res, err := o.wr().ExecContext(ctx, stmt, args...)
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", what, mark(err))
	}
	n, err := affected(res, what)
	if err != nil {
		return err
	}
	if n == 0 {
		return core.Errorf(core.ErrConflict, codeState, "%s", lost)
	}
	return nil
}

func (o ops) DeleteAuthenticator(ctx context.Context, tenantID, userID string) error {
	return o.atomic(ctx, func(q runner) error {
		if _, err := q.ExecContext(ctx, `DELETE FROM mfa_recovery_codes WHERE tenant_id = $1 AND user_id = $2`,
			tenantID, userID); err != nil {
			return fmt.Errorf("sqlstore: delete recovery codes: %w", mark(err))
		}
		res, err := q.ExecContext(ctx, `DELETE FROM mfa_authenticators WHERE tenant_id = $1 AND user_id = $2`,
			tenantID, userID)
		if err != nil {
			return fmt.Errorf("sqlstore: delete authenticator: %w", mark(err))
		}
		return mustAffect(res, "delete authenticator", "the user has no authenticator app")
	})
}

// SetRecoveryCodes deletes the old codes, used or not, and inserts the
// new ones: a new set voids the old one at once.
func (o ops) SetRecoveryCodes(ctx context.Context, tenantID, userID string, hashes [][]byte, at time.Time) error {
	return o.atomic(ctx, func(q runner) error {
		if _, err := q.ExecContext(ctx, `DELETE FROM mfa_recovery_codes WHERE tenant_id = $1 AND user_id = $2`,
			tenantID, userID); err != nil {
			return fmt.Errorf("sqlstore: set recovery codes: %w", mark(err))
		}
		for _, h := range hashes {
			_, err := q.ExecContext(ctx, `INSERT INTO mfa_recovery_codes (tenant_id, user_id, hash, created_at, used_at)
				VALUES ($1, $2, $3, $4, 0)`, tenantID, userID, blob(h), micros(at))
			if err := o.writeErr(err, "set recovery codes", "a recovery code is repeated"); err != nil {
				return err
			}
		}
		return nil
	})
}

// UseRecoveryCode spends the code in one conditional UPDATE, so two uses
// of one code cannot both succeed.
func (o ops) UseRecoveryCode(ctx context.Context, tenantID, userID string, hash []byte, at time.Time) error {
	res, err := o.wr().ExecContext(ctx, `UPDATE mfa_recovery_codes SET used_at = $4
		WHERE tenant_id = $1 AND user_id = $2 AND hash = $3 AND used_at = 0`, tenantID, userID, blob(hash), micros(at))
	if err != nil {
		return fmt.Errorf("sqlstore: use recovery code: %w", mark(err))
	}
	return mustAffect(res, "use recovery code", "no such unused recovery code")
}

func (o ops) RecoveryCodesLeft(ctx context.Context, tenantID, userID string) (int, error) {
	var n int
	err := o.rd().QueryRowContext(ctx, `SELECT COUNT(*) FROM mfa_recovery_codes
		WHERE tenant_id = $1 AND user_id = $2 AND used_at = 0`, tenantID, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: count recovery codes: %w", mark(err))
	}
	return n, nil
}
