package invite

import (
	"context"

	"guestlist/internal/store"
)

// DeleteUser removes a user with everything attached to them, and ends
// their sessions and every token in the same transaction, so no process
// lets them in afterwards (R41). Errors: core.ErrNotFound.
func (s *Service) DeleteUser(ctx context.Context, tenantID, userID string) error {
	return s.st.InTx(ctx, func(tx store.Tx) error {
		if _, err := tx.GetUser(ctx, tenantID, userID); err != nil {
			return err
		}
		if err := tx.EndUserAccess(ctx, tenantID, userID, s.now()); err != nil {
			return err
		}
		if err := recordDelete(ctx, tx, s.now(), tenantID, userID); err != nil {
			return err
		}
		return tx.DeleteUser(ctx, tenantID, userID)
	})
}
