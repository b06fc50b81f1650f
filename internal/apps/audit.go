package apps

import (
	"context"
	"fmt"
	"time"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/store"
)

// keyDescription is the secret change as Entra's audit log shows it: the
// key's id and name, never the secret or its hash.
func keyDescription(keyID, name string, added bool) core.ModifiedProperty {
	desc := fmt.Sprintf("[KeyIdentifier=%s,KeyType=Password,KeyUsage=Verify,DisplayName=%s]", keyID, name)
	if added {
		return audit.Set("KeyDescription", nil, []string{desc})
	}
	return audit.Set("KeyDescription", []string{desc}, nil)
}

// recordUnassign records an assignment's removal with its user and,
// when it still exists, the application's service principal.
func recordUnassign(ctx context.Context, tx store.Tx, at time.Time, tenantID, userID, appID string) error {
	u, err := tx.GetUser(ctx, tenantID, userID)
	if err != nil {
		return err
	}
	targets := []core.AuditTarget{audit.User(u)}
	if a, err := tx.GetApplication(ctx, tenantID, appID); err == nil {
		targets = append(targets, audit.ServicePrincipal(a))
	}
	return audit.Record(ctx, tx, at, tenantID, audit.RemoveAssignment, targets...)
}
