package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"guestlist/internal/core"
)

const tenantCols = `id, display_name, initial_domain, default_language, email_otp,
	passcode_in_subject, created_at, redemption_primary, redemption_fallback,
	email_method_off, guest_domains_kind, guest_domains, invites_from, admin_mfa`

func scanTenant(sc interface{ Scan(...any) error }, t *core.Tenant, more ...any) error {
	return sc.Scan(append([]any{&t.ID, &t.DisplayName, &t.InitialDomain, &t.DefaultLanguage,
		&t.EmailOTP, &t.PasscodeInSubject, timeCol{&t.CreatedAt},
		methodsCol{&t.Redemption.Primary}, methodsCol{&t.Redemption.Fallback},
		&t.EmailMethodOff, &t.GuestDomains.Kind, domainsCol{&t.GuestDomains.Domains}, &t.AllowInvitesFrom,
		&t.AdminMFA}, more...)...)
}

// methodsCol reads a comma-separated list of methods; ” is none.
type methodsCol struct{ p *[]core.Method }

func (c methodsCol) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	case nil:
	default:
		return fmt.Errorf("sqlstore: methods column of type %T", src)
	}
	*c.p = nil
	for m := range strings.SplitSeq(s, ",") {
		if m != "" {
			*c.p = append(*c.p, core.Method(m))
		}
	}
	return nil
}

// methodsText is the column text of a list of methods.
func methodsText(ms []core.Method) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = string(m)
	}
	return strings.Join(parts, ",")
}

// SetRedemptionOrder writes the two order columns only.
func (o ops) SetRedemptionOrder(ctx context.Context, tenantID string, ord core.RedemptionOrder) error {
	res, err := o.wr().ExecContext(ctx, `UPDATE tenants SET redemption_primary = $2,
		redemption_fallback = $3 WHERE id = $1`, tenantID, methodsText(ord.Primary), methodsText(ord.Fallback))
	if err != nil {
		return fmt.Errorf("sqlstore: set redemption order: %w", err)
	}
	return mustAffect(res, "set redemption order", "the tenant does not exist")
}

// Lock is a no-op on SQLite, where write transactions are serial (one
// writer connection, BEGIN IMMEDIATE). On PostgreSQL it takes
// pg_advisory_xact_lock on a hash of (tenant, key), released when the
// transaction ends; outside InTx that is at once, so call it inside.
func (o ops) Lock(ctx context.Context, tenantID, key string) error {
	if o.h.d.lockSQL == "" {
		return nil
	}
	if _, err := o.wr().ExecContext(ctx, o.h.d.lockSQL, tenantID, key); err != nil {
		return fmt.Errorf("sqlstore: lock: %w", err)
	}
	return nil
}

// CreateTenant stores t and one domains row per name: the initial domain
// and every entry of t.Domains (which may repeat the initial domain). A
// name another tenant has, or a repeated name, is core.ErrConflict.
func (o ops) CreateTenant(ctx context.Context, t *core.Tenant) error {
	return o.atomic(ctx, func(q runner) error {
		_, err := q.ExecContext(ctx, `INSERT INTO tenants (`+tenantCols+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			t.ID, t.DisplayName, t.InitialDomain, t.DefaultLanguage, t.EmailOTP,
			t.PasscodeInSubject, micros(t.CreatedAt),
			methodsText(t.Redemption.Primary), methodsText(t.Redemption.Fallback),
			t.EmailMethodOff, t.GuestDomains.Kind, strings.Join(t.GuestDomains.Domains, ","), t.AllowInvitesFrom,
			t.AdminMFA)
		if err != nil {
			return o.writeErr(err, "create tenant", "a tenant with this id already exists")
		}
		initialListed := false
		for i, d := range t.Domains {
			initialListed = initialListed || d == t.InitialDomain
			if err := o.addDomain(ctx, q, t.ID, d, i); err != nil {
				return err
			}
		}
		if initialListed {
			return nil
		}
		return o.addDomain(ctx, q, t.ID, t.InitialDomain, -1)
	})
}

func (o ops) addDomain(ctx context.Context, q runner, tenantID, name string, ordinal int) error {
	_, err := q.ExecContext(ctx,
		`INSERT INTO domains (name, tenant_id, ordinal) VALUES ($1, $2, $3)`,
		name, tenantID, ordinal)
	return o.writeErr(err, "add domain",
		fmt.Sprintf("the domain %s already belongs to a tenant", name))
}

// GetTenant reads a tenant. Outside a transaction a tenant read before is
// reused while its version is unchanged: one point read of one column
// instead of the row, its domains and its providers.
func (o ops) GetTenant(ctx context.Context, id string) (*core.Tenant, error) {
	if o.tx != nil || o.h.tenants == nil {
		return o.tenantWhere(ctx, `WHERE id = $1`, id)
	}
	var v int64
	err := o.rd().QueryRowContext(ctx, `SELECT version FROM tenants WHERE id = $1`, id).Scan(&v)
	if err != nil {
		return nil, readErr(err, "get tenant", "the tenant does not exist")
	}
	if t := o.h.tenants.get(id, v); t != nil {
		return t, nil
	}
	return o.readTenant(ctx, `WHERE id = $1`, id)
}

// TenantByDomain reads the tenant a domain belongs to, reusing a tenant
// read before as GetTenant does.
func (o ops) TenantByDomain(ctx context.Context, domain string) (*core.Tenant, error) {
	const where = `WHERE id = (SELECT tenant_id FROM domains WHERE name = $1)`
	if o.tx != nil || o.h.tenants == nil {
		return o.tenantWhere(ctx, where, domain)
	}
	var id string
	var v int64
	err := o.rd().QueryRowContext(ctx, `SELECT tenants.id, tenants.version FROM domains
		JOIN tenants ON tenants.id = domains.tenant_id WHERE domains.name = $1`, domain).Scan(&id, &v)
	if err != nil {
		return nil, readErr(err, "get tenant", "the tenant does not exist")
	}
	if t := o.h.tenants.get(id, v); t != nil {
		return t, nil
	}
	return o.readTenant(ctx, where, domain)
}

// readTenant reads a tenant with its version and keeps it.
func (o ops) readTenant(ctx context.Context, where, arg string) (*core.Tenant, error) {
	var v int64
	t, err := o.tenantWhere(ctx, where, arg, &v)
	if err == nil {
		o.h.tenants.put(t, v)
	}
	return t, err
}

// tenantWhere reads one tenant with its domains, and whether it has
// identity providers, in one statement: every guest request resolves its
// tenant, so this is a hot path. Domain names
// cannot contain commas, so they travel as one comma-separated string.
func (o ops) tenantWhere(ctx context.Context, where, arg string, version ...*int64) (*core.Tenant, error) {
	var t core.Tenant
	var domains sql.NullString
	var v int64
	row := o.rd().QueryRowContext(ctx, `SELECT `+tenantCols+`,
		(SELECT `+o.h.d.concatAgg+`(name, ',' ORDER BY ordinal) FROM domains
			WHERE domains.tenant_id = tenants.id AND ordinal >= 0),
		EXISTS (SELECT 1 FROM identity_providers WHERE identity_providers.tenant_id = tenants.id),
		version
		FROM tenants `+where, arg)
	err := scanTenant(row, &t, &domains, &t.HasIdentityProviders, &v)
	if len(version) > 0 {
		*version[0] = v
	}
	if err != nil {
		return nil, readErr(err, "get tenant", "the tenant does not exist")
	}
	if domains.String != "" {
		t.Domains = strings.Split(domains.String, ",")
	}
	return &t, nil
}

// ListTenants lists every tenant, oldest first, with its domains.
func (o ops) ListTenants(ctx context.Context) ([]core.Tenant, error) {
	q := o.rd()
	rows, err := q.QueryContext(ctx, `SELECT `+tenantCols+` FROM tenants ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list tenants: %w", err)
	}
	var list []core.Tenant
	for rows.Next() {
		var t core.Tenant
		if err := scanTenant(rows, &t); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: list tenants: %w", err)
		}
		list = append(list, t)
	}
	if err := closeRows(rows, "list tenants"); err != nil {
		return nil, err
	}
	byTenant, err := o.allDomains(ctx, q)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].Domains = byTenant[list[i].ID]
	}
	return list, nil
}

// allDomains is domains for every tenant at once.
func (o ops) allDomains(ctx context.Context, q runner) (map[string][]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT tenant_id, name FROM domains
		WHERE ordinal >= 0 ORDER BY tenant_id, ordinal`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list domains: %w", err)
	}
	m := make(map[string][]string)
	for rows.Next() {
		var tenantID, name string
		if err := rows.Scan(&tenantID, &name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: list domains: %w", err)
		}
		m[tenantID] = append(m[tenantID], name)
	}
	return m, closeRows(rows, "list domains")
}

func (o ops) UpdateTenantSettings(ctx context.Context, t *core.Tenant) error {
	res, err := o.wr().ExecContext(ctx, `UPDATE tenants SET display_name = $2,
		default_language = $3, email_otp = $4, passcode_in_subject = $5 WHERE id = $1`,
		t.ID, t.DisplayName, t.DefaultLanguage, t.EmailOTP, t.PasscodeInSubject)
	if err != nil {
		return fmt.Errorf("sqlstore: update tenant: %w", err)
	}
	return mustAffect(res, "update tenant", "the tenant does not exist")
}

// DeleteTenant deletes the tenant and every row of it in one transaction;
// core.ErrNotFound if there is no such tenant.
func (o ops) DeleteTenant(ctx context.Context, id string) error {
	return o.atomic(ctx, func(q runner) error {
		// Children first: their foreign keys refer to tenants.
		for _, table := range [...]string{"passwords", "passcodes", "flows", "sessions", "invitations",
			"users", "applications", "domains", "events", "outbox", "federation_requests", "saml_assertions",
			"identity_provider_domains", "identity_providers", "role_assignments", "admin_sessions",
			"mfa_recovery_codes", "mfa_authenticators", "password_links", "branding"} {
			if _, err := q.ExecContext(ctx, `DELETE FROM `+table+` WHERE tenant_id = $1`, id); err != nil {
				return fmt.Errorf("sqlstore: delete tenant's %s: %w", table, err)
			}
		}
		if err := deleteTenantLogs(ctx, q, id); err != nil {
			return err
		}
		res, err := q.ExecContext(ctx, `DELETE FROM tenants WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("sqlstore: delete tenant: %w", err)
		}
		return mustAffect(res, "delete tenant", "the tenant does not exist")
	})
}
