package store

import (
	"context"
	"time"
)

// Access ends what a user holds, in the transaction of the change that
// takes their access away (SPEC R13, R26, R32), so every server process
// sees it at once. Embedded in Tx.
type Access interface {
	// EndUserAccess revokes every session and every token family of the
	// user in the tenant: reset of redemption, the sign-in method turned
	// off, deletion. Idempotent; a user without any is not an error.
	EndUserAccess(ctx context.Context, tenantID, userID string, at time.Time) error
	// EndUserAppAccess revokes the user's token families at one client
	// (client id): unassignment. The user's sessions stay, for the
	// tenant's other applications. Idempotent.
	EndUserAppAccess(ctx context.Context, tenantID, userID, clientID string, at time.Time) error
	// EndAppAccess revokes every token family issued to a client (client
	// id), whoever holds it: the application's deletion. Idempotent.
	EndAppAccess(ctx context.Context, tenantID, clientID string, at time.Time) error
}
