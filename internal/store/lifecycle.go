package store

import (
	"context"
	"time"
)

// InvitationLifecycle is what happens to an invitation between its
// creation and its redemption (SPEC R8): it may be revoked, its mail sent
// again, and a tenant may give new invitations an expiry. Embedded in Tx.
type InvitationLifecycle interface {
	// RevokeInvitation turns a pending invitation Revoked at at (an
	// expired one too: its link is dead either way, and revoking says so
	// for good). core.ErrConflict if it is not pending, core.ErrNotFound
	// if there is no such invitation.
	RevokeInvitation(ctx context.Context, tenantID, id string, at time.Time) error
	// RecordResend records that a pending invitation's mail went out again:
	// r.MessageID becomes its mail, its resend count goes up and r.ExpiresAt
	// replaces its expiry. core.ErrConflict if it is not pending,
	// core.ErrNotFound if there is no such invitation.
	RecordResend(ctx context.Context, tenantID, id string, r Resend) error
	// InvitationExpiryDays is the tenant's default validity of a new
	// invitation in days, 0 for none; core.ErrNotFound without the tenant.
	InvitationExpiryDays(ctx context.Context, tenantID string) (int, error)
	// SetInvitationExpiryDays writes it; core.ErrNotFound without the tenant.
	SetInvitationExpiryDays(ctx context.Context, tenantID string, days int) error
}

// Resend is one resend of an invitation's mail.
type Resend struct {
	MessageID string    // the new outbox message
	At        time.Time // when
	ExpiresAt time.Time // the invitation's expiry from now on (zero: none)
}
