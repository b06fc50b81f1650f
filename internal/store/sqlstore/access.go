package sqlstore

import (
	"context"
	"fmt"
	"time"

	"guestlist/internal/core"
)

// EndUserAccess revokes the user's sessions and token families in one
// transaction (the caller's, when there is one).
func (o ops) EndUserAccess(ctx context.Context, tenantID, userID string, at time.Time) error {
	if at.IsZero() {
		return core.Invalidf("access cannot be ended at the zero time")
	}
	return o.atomic(ctx, func(q runner) error {
		for _, stmt := range [...]string{
			`UPDATE sessions SET revoked_at = $3 WHERE tenant_id = $1 AND user_id = $2 AND revoked_at = 0`,
			`UPDATE token_families SET revoked_at = $3 WHERE tenant_id = $1 AND user_id = $2 AND revoked_at = 0`,
		} {
			if _, err := q.ExecContext(ctx, stmt, tenantID, userID, micros(at)); err != nil {
				return fmt.Errorf("sqlstore: end user access: %w", err)
			}
		}
		return nil
	})
}

func (o ops) EndUserAppAccess(ctx context.Context, tenantID, userID, clientID string, at time.Time) error {
	if at.IsZero() {
		return core.Invalidf("access cannot be ended at the zero time")
	}
	_, err := o.wr().ExecContext(ctx, `UPDATE token_families SET revoked_at = $4
		WHERE tenant_id = $1 AND user_id = $2 AND client_id = $3 AND revoked_at = 0`,
		tenantID, userID, clientID, micros(at))
	if err != nil {
		return fmt.Errorf("sqlstore: end user access to an application: %w", err)
	}
	return nil
}

func (o ops) EndAppAccess(ctx context.Context, tenantID, clientID string, at time.Time) error {
	if at.IsZero() {
		return core.Invalidf("access cannot be ended at the zero time")
	}
	_, err := o.wr().ExecContext(ctx, `UPDATE token_families SET revoked_at = $3
		WHERE tenant_id = $1 AND client_id = $2 AND revoked_at = 0`, tenantID, clientID, micros(at))
	if err != nil {
		return fmt.Errorf("sqlstore: end access to an application: %w", err)
	}
	return nil
}
