package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"guestlist/internal/core"
)

// setTenantColumn writes one column of one tenant: each policy is
// written on its own, never by rewriting a row read earlier.
func (o ops) setTenantColumn(ctx context.Context, what, tenantID string, set string, args ...any) error {
	res, err := o.wr().ExecContext(ctx, `UPDATE tenants SET `+set+` WHERE id = $1`, append([]any{tenantID}, args...)...)
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	return mustAffect(res, what, "the tenant does not exist")
}

func (o ops) SetExternalEmailOTP(ctx context.Context, tenantID, value string) error {
	return o.setTenantColumn(ctx, "set email otp", tenantID, `email_otp = $2`, value)
}

func (o ops) SetEmailMethodOff(ctx context.Context, tenantID string, off bool) error {
	return o.setTenantColumn(ctx, "set email method state", tenantID, `email_method_off = $2`, off)
}

// SetGuestDomains writes the list's kind and entries together: they are
// one setting.
func (o ops) SetGuestDomains(ctx context.Context, tenantID string, g core.GuestDomains) error {
	return o.setTenantColumn(ctx, "set guest domains", tenantID,
		`guest_domains_kind = $2, guest_domains = $3`, g.Kind, strings.Join(g.Domains, ","))
}

func (o ops) SetInvitesFrom(ctx context.Context, tenantID, value string) error {
	return o.setTenantColumn(ctx, "set invites from", tenantID, `invites_from = $2`, value)
}

func (o ops) SetAdminMFA(ctx context.Context, tenantID, value string) error {
	return o.setTenantColumn(ctx, "set admin mfa", tenantID, `admin_mfa = $2`, value)
}

// domainsCol reads the comma-separated guest domain list; domain names
// hold no commas.
type domainsCol struct{ p *[]string }

func (c domainsCol) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	case nil:
	default:
		return fmt.Errorf("sqlstore: domains column of type %T", src)
	}
	*c.p = nil
	if s != "" {
		*c.p = strings.Split(s, ",")
	}
	return nil
}
