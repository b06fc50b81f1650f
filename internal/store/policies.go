package store

import (
	"context"

	"guestlist/internal/core"
)

// Policies writes a tenant's policies one setting at a time (SPEC R9,
// R20, R28), so two administrators changing different settings at once
// both keep their change. They are read with the tenant (GetTenant), on
// every request, so every process applies a change at once (R27).
// Embedded in Tx. Each is core.ErrNotFound if there is no such tenant.
type Policies interface {
	// SetExternalEmailOTP writes allowExternalIdToUseEmailOtp.
	SetExternalEmailOTP(ctx context.Context, tenantID, value string) error
	// SetEmailMethodOff writes the email method's state (true: disabled).
	SetEmailMethodOff(ctx context.Context, tenantID string, off bool) error
	// SetGuestDomains writes the guest domain list.
	SetGuestDomains(ctx context.Context, tenantID string, g core.GuestDomains) error
	// SetInvitesFrom writes allowInvitesFrom.
	SetInvitesFrom(ctx context.Context, tenantID, value string) error
	// SetAdminMFA writes which directory role holders must use an
	// authenticator app.
	SetAdminMFA(ctx context.Context, tenantID, value string) error
}
