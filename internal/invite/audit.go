package invite

import (
	"context"
	"time"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/store"
)

// inviteActivity is how Entra's audit log names the invitation r makes.
func inviteActivity(r Request) string {
	if r.ResetRedemption {
		return audit.ResetRedemption
	}
	return audit.InviteExternalUser
}

// inviteTarget is the invited user, with where the invitation went; never
// its redeem token.
func inviteTarget(u *core.User, inv *core.Invitation) core.AuditTarget {
	return audit.User(u, audit.Set("InvitedUserEmailAddress", nil, inv.Email),
		audit.Set("InvitationId", nil, inv.ID))
}

// recordDelete records a user's deletion, naming them as they were.
func recordDelete(ctx context.Context, tx store.Tx, at time.Time, tenantID, userID string) error {
	u, err := tx.GetUser(ctx, tenantID, userID)
	if err != nil {
		return err
	}
	return audit.Record(ctx, tx, at, tenantID, audit.DeleteUser, audit.User(u))
}
