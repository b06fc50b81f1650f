package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"guestlist/internal/core"
)

func (o ops) GetBranding(ctx context.Context, tenantID string) (*core.Branding, error) {
	var b core.Branding
	var li core.LogoInfo
	err := o.rd().QueryRowContext(ctx, `SELECT logo_type, logo_etag, logo_updated_at, accent_color,
		signin_text, privacy_url FROM branding WHERE tenant_id = $1`, tenantID).Scan(&li.ContentType,
		&li.ETag, timeCol{&li.UpdatedAt}, &b.AccentColor, &b.SignInText, &b.PrivacyURL)
	if err := readErr(err, "get branding", "no branding"); err != nil {
		if errors.Is(err, core.ErrNotFound) {
			return &core.Branding{}, nil
		}
		return nil, err
	}
	if li.ContentType != "" {
		b.Logo = &li
	}
	return &b, nil
}

func (o ops) GetLogo(ctx context.Context, tenantID string) (*core.Logo, error) {
	var l core.Logo
	err := o.rd().QueryRowContext(ctx, `SELECT logo, logo_type, logo_etag, logo_updated_at FROM branding
		WHERE tenant_id = $1 AND logo_type <> ''`, tenantID).Scan(&l.Data, &l.ContentType, &l.ETag,
		timeCol{&l.UpdatedAt})
	if err := readErr(err, "get logo", "the tenant has no logo"); err != nil {
		return nil, err
	}
	return &l, nil
}

func (o ops) SetLogo(ctx context.Context, tenantID string, l *core.Logo) error {
	if l == nil {
		return o.setBranding(ctx, "remove logo", tenantID,
			`logo = NULL, logo_type = '', logo_etag = '', logo_updated_at = 0`)
	}
	return o.setBranding(ctx, "set logo", tenantID,
		`logo = $2, logo_type = $3, logo_etag = $4, logo_updated_at = $5`,
		l.Data, l.ContentType, l.ETag, micros(l.UpdatedAt))
}

func (o ops) SetAccentColor(ctx context.Context, tenantID, color string) error {
	return o.setBranding(ctx, "set accent color", tenantID, `accent_color = $2`, color)
}

func (o ops) SetSignInText(ctx context.Context, tenantID, text string) error {
	return o.setBranding(ctx, "set sign-in text", tenantID, `signin_text = $2`, text)
}

func (o ops) SetPrivacyURL(ctx context.Context, tenantID, url string) error {
	return o.setBranding(ctx, "set privacy url", tenantID, `privacy_url = $2`, url)
}

func (o ops) SetPasscodeInSubject(ctx context.Context, tenantID string, on bool) error {
	return o.setTenantColumn(ctx, "set passcode in subject", tenantID, `passcode_in_subject = $2`, on)
}

// setBranding writes the columns of set in the tenant's branding row,
// made first if the tenant has none: one setting at a time, never by
// rewriting a row read earlier.
func (o ops) setBranding(ctx context.Context, what, tenantID, set string, args ...any) error {
	return o.atomic(ctx, func(q runner) error {
		if _, err := q.ExecContext(ctx, `INSERT INTO branding (tenant_id)
			SELECT id FROM tenants WHERE id = $1 ON CONFLICT (tenant_id) DO NOTHING`, tenantID); err != nil {
			return fmt.Errorf("sqlstore: %s: %w", what, mark(err))
		}
		res, err := q.ExecContext(ctx, `UPDATE branding SET `+set+` WHERE tenant_id = $1`,
			append([]any{tenantID}, args...)...)
		if err != nil {
			return fmt.Errorf("sqlstore: %s: %w", what, mark(err))
		}
		return mustAffect(res, what, "the tenant does not exist")
	})
}
