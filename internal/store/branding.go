package store

import (
	"context"

	"guestlist/internal/core"
)

// Branding is a tenant's company branding (issue item 7), written one
// setting at a time, so two administrators changing different settings
// at once both keep their change. Values are checked by the branding
// service before they reach the store. Embedded in Tx. The setters are
// core.ErrNotFound if there is no such tenant.
type Branding interface {
	// GetBranding is the tenant's branding without the logo's bytes; the
	// zero value when it has none (also for a tenant that does not exist).
	GetBranding(ctx context.Context, tenantID string) (*core.Branding, error)
	// GetLogo is the tenant's logo; core.ErrNotFound when it has none.
	GetLogo(ctx context.Context, tenantID string) (*core.Logo, error)
	// SetLogo stores the logo; nil removes it.
	SetLogo(ctx context.Context, tenantID string, l *core.Logo) error
	SetAccentColor(ctx context.Context, tenantID, color string) error
	SetSignInText(ctx context.Context, tenantID, text string) error
	SetPrivacyURL(ctx context.Context, tenantID, url string) error
	// SetPasscodeInSubject writes the tenant's passcode-in-subject
	// setting (R53) and nothing else.
	SetPasscodeInSubject(ctx context.Context, tenantID string, on bool) error
}
