package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"guestlist/internal/core"
)

// providerConfig is what identity_providers.config holds.
type providerConfig struct {
	SAML core.SAMLConfig `json:"saml"`
	OIDC core.OIDCConfig `json:"oidc"`
}

const providerCols = `tenant_id, id, kind, display_name, config, client_secret, metadata,
	metadata_fetched_at, metadata_checked_at, metadata_error, created_at, updated_at`

// refreshes reports whether the provider's metadata is fetched from a URL
// on a schedule (ProvidersToRefresh).
func refreshes(p *core.IdentityProvider) bool {
	return p.Kind == core.ProviderSAML && p.SAML.MetadataURL != ""
}

func (o ops) CreateIdentityProvider(ctx context.Context, p *core.IdentityProvider) error {
	cfg, err := jsonText(providerConfig{SAML: p.SAML, OIDC: p.OIDC})
	if err != nil {
		return err
	}
	return o.atomic(ctx, func(q runner) error {
		_, err := q.ExecContext(ctx, `INSERT INTO identity_providers (`+providerCols+`, refresh)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			p.TenantID, p.ID, string(p.Kind), p.DisplayName, cfg, blob(p.ClientSecret), blob(p.Metadata.Document),
			micros(p.Metadata.FetchedAt), micros(p.Metadata.CheckedAt), p.Metadata.Error,
			micros(p.CreatedAt), micros(p.UpdatedAt), refreshes(p))
		if err := o.writeErr(err, "create identity provider", "the tenant already has Google federation"); err != nil {
			return err
		}
		return o.insertProviderDomains(ctx, q, p)
	})
}

// insertProviderDomains adds p's domains; a domain another provider of the
// tenant serves is a conflict.
func (o ops) insertProviderDomains(ctx context.Context, q runner, p *core.IdentityProvider) error {
	for _, d := range p.Domains {
		_, err := q.ExecContext(ctx, `INSERT INTO identity_provider_domains (tenant_id, domain, provider_id)
			VALUES ($1, $2, $3)`, p.TenantID, strings.ToLower(d), p.ID)
		if err := o.writeErr(err, "add identity provider domain",
			fmt.Sprintf("the domain %s already has an identity provider in this tenant", d)); err != nil {
			return err
		}
	}
	return nil
}

func (o ops) GetIdentityProvider(ctx context.Context, tenantID, id string) (*core.IdentityProvider, error) {
	ps, err := o.providers(ctx, `WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, core.NotFoundf("the identity provider %s does not exist", id)
	}
	return &ps[0], nil
}

func (o ops) ListIdentityProviders(ctx context.Context, tenantID string) ([]core.IdentityProvider, error) {
	return o.providers(ctx, `WHERE tenant_id = $1`, tenantID)
}

func (o ops) ProviderByDomain(ctx context.Context, tenantID, domain string) (*core.IdentityProvider, error) {
	ps, err := o.providers(ctx, `WHERE tenant_id = $1 AND kind <> 'google' AND id IN
		(SELECT provider_id FROM identity_provider_domains WHERE tenant_id = $1 AND domain = $2)`,
		tenantID, strings.ToLower(domain))
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, core.NotFoundf("no identity provider serves %s", domain)
	}
	return &ps[0], nil
}

func (o ops) GoogleProvider(ctx context.Context, tenantID string) (*core.IdentityProvider, error) {
	ps, err := o.providers(ctx, `WHERE tenant_id = $1 AND kind = 'google'`, tenantID)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, core.NotFoundf("the tenant has no Google federation")
	}
	return &ps[0], nil
}

func (o ops) ProvidersToRefresh(ctx context.Context, before time.Time, limit int) ([]core.IdentityProvider, error) {
	return o.providers(ctx, `WHERE refresh AND metadata_checked_at < $1 ORDER BY metadata_checked_at, tenant_id, id LIMIT $2`,
		micros(before), limit)
}

// providers reads the providers that where (with its args) selects, with
// their domains, ordered by creation unless where orders them.
func (o ops) providers(ctx context.Context, where string, args ...any) ([]core.IdentityProvider, error) {
	if !strings.Contains(where, "ORDER BY") {
		where += ` ORDER BY created_at, id`
	}
	rows, err := o.rd().QueryContext(ctx, `SELECT `+providerCols+` FROM identity_providers `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list identity providers: %w", mark(err))
	}
	var out []core.IdentityProvider
	for rows.Next() {
		var p core.IdentityProvider
		var cfg providerConfig
		if err := rows.Scan(&p.TenantID, &p.ID, (*string)(&p.Kind), &p.DisplayName, jsonCol{&cfg}, &p.ClientSecret,
			&p.Metadata.Document, timeCol{&p.Metadata.FetchedAt}, timeCol{&p.Metadata.CheckedAt}, &p.Metadata.Error,
			timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt}); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: read identity provider: %w", err)
		}
		p.SAML, p.OIDC = cfg.SAML, cfg.OIDC
		out = append(out, p)
	}
	if err := closeRows(rows, "list identity providers"); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Domains, err = o.providerDomains(ctx, out[i].TenantID, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (o ops) providerDomains(ctx context.Context, tenantID, id string) ([]string, error) {
	rows, err := o.rd().QueryContext(ctx, `SELECT domain FROM identity_provider_domains
		WHERE tenant_id = $1 AND provider_id = $2 ORDER BY domain`, tenantID, id)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: identity provider domains: %w", mark(err))
	}
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: read identity provider domain: %w", err)
		}
		out = append(out, d)
	}
	return out, closeRows(rows, "identity provider domains")
}

func (o ops) UpdateIdentityProvider(ctx context.Context, p *core.IdentityProvider) error {
	cfg, err := jsonText(providerConfig{SAML: p.SAML, OIDC: p.OIDC})
	if err != nil {
		return err
	}
	return o.atomic(ctx, func(q runner) error {
		res, err := q.ExecContext(ctx, `UPDATE identity_providers SET display_name = $3, config = $4,
			client_secret = $5, updated_at = $6, refresh = $7 WHERE tenant_id = $1 AND id = $2`,
			p.TenantID, p.ID, p.DisplayName, cfg, blob(p.ClientSecret), micros(p.UpdatedAt), refreshes(p))
		if err != nil {
			return fmt.Errorf("sqlstore: update identity provider: %w", mark(err))
		}
		if err := mustAffect(res, "update identity provider", "the identity provider does not exist"); err != nil {
			return err
		}
		if _, err := q.ExecContext(ctx, `DELETE FROM identity_provider_domains WHERE tenant_id = $1 AND provider_id = $2`,
			p.TenantID, p.ID); err != nil {
			return fmt.Errorf("sqlstore: replace identity provider domains: %w", mark(err))
		}
		return o.insertProviderDomains(ctx, q, p)
	})
}

func (o ops) DeleteIdentityProvider(ctx context.Context, tenantID, id string) error {
	return o.atomic(ctx, func(q runner) error {
		if _, err := q.ExecContext(ctx, `DELETE FROM identity_provider_domains WHERE tenant_id = $1 AND provider_id = $2`,
			tenantID, id); err != nil {
			return fmt.Errorf("sqlstore: delete identity provider domains: %w", mark(err))
		}
		res, err := q.ExecContext(ctx, `DELETE FROM identity_providers WHERE tenant_id = $1 AND id = $2`, tenantID, id)
		if err != nil {
			return fmt.Errorf("sqlstore: delete identity provider: %w", mark(err))
		}
		return mustAffect(res, "delete identity provider", "the identity provider does not exist")
	})
}

func (o ops) SetProviderMetadata(ctx context.Context, tenantID, id string, m core.ProviderMetadata) error {
	res, err := o.wr().ExecContext(ctx, `UPDATE identity_providers SET metadata = $3, metadata_fetched_at = $4,
		metadata_checked_at = $5, metadata_error = $6 WHERE tenant_id = $1 AND id = $2`,
		tenantID, id, blob(m.Document), micros(m.FetchedAt), micros(m.CheckedAt), m.Error)
	if err != nil {
		return fmt.Errorf("sqlstore: set provider metadata: %w", mark(err))
	}
	return mustAffect(res, "set provider metadata", "the identity provider does not exist")
}

const fedRequestCols = `tenant_id, id, flow_id, provider_id, request_id, verifier, answered,
	result_issuer, result_subject, result_email, result_display_name, created_at, expires_at`

func (o ops) CreateFederationRequest(ctx context.Context, r *core.FederationRequest) error {
	_, err := o.wr().ExecContext(ctx, `INSERT INTO federation_requests (tenant_id, id, flow_id, provider_id,
		request_id, verifier, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		r.TenantID, r.ID, r.FlowID, r.ProviderID, r.RequestID, r.Verifier, micros(r.CreatedAt), micros(r.ExpiresAt))
	return o.writeErr(err, "create federation request", "the federation request already exists")
}

func (o ops) GetFederationRequest(ctx context.Context, tenantID, id string, now time.Time) (*core.FederationRequest, error) {
	return scanFedRequest(o.rd().QueryRowContext(ctx, `SELECT `+fedRequestCols+` FROM federation_requests
		WHERE tenant_id = $1 AND id = $2 AND expires_at > $3`, tenantID, id, micros(now)))
}

func (o ops) AnsweredFederationRequest(ctx context.Context, tenantID, flowID string, now time.Time) (*core.FederationRequest, error) {
	return scanFedRequest(o.rd().QueryRowContext(ctx, `SELECT `+fedRequestCols+` FROM federation_requests
		WHERE tenant_id = $1 AND flow_id = $2 AND answered AND expires_at > $3
		ORDER BY created_at DESC LIMIT 1`, tenantID, flowID, micros(now)))
}

func scanFedRequest(row *sql.Row) (*core.FederationRequest, error) {
	var r core.FederationRequest
	var res core.FederationResult
	var answered bool
	err := row.Scan(&r.TenantID, &r.ID, &r.FlowID, &r.ProviderID, &r.RequestID, &r.Verifier, &answered,
		&res.Issuer, &res.Subject, &res.Email, &res.DisplayName, timeCol{&r.CreatedAt}, timeCol{&r.ExpiresAt})
	if err != nil {
		return nil, readErr(err, "get federation request", "the sign-in at the identity provider has expired or does not exist")
	}
	if answered {
		r.Result = &res
	}
	return &r, nil
}

func (o ops) SetFederationResult(ctx context.Context, tenantID, id string, res core.FederationResult) error {
	q := o.wr()
	r, err := q.ExecContext(ctx, `UPDATE federation_requests SET answered = TRUE, result_issuer = $3,
		result_subject = $4, result_email = $5, result_display_name = $6
		WHERE tenant_id = $1 AND id = $2 AND NOT answered`,
		tenantID, id, res.Issuer, res.Subject, res.Email, res.DisplayName)
	if err != nil {
		return fmt.Errorf("sqlstore: set federation result: %w", mark(err))
	}
	return o.conditional(ctx, q, r, cond{
		what:     "set federation result",
		exists:   `SELECT 1 FROM federation_requests WHERE tenant_id = $1 AND id = $2`,
		args:     []any{tenantID, id},
		conflict: "the identity provider has already answered this sign-in",
		missing:  "the sign-in at the identity provider has expired or does not exist",
	})
}

func (o ops) DeleteFederationRequest(ctx context.Context, tenantID, id string) error {
	res, err := o.wr().ExecContext(ctx, `DELETE FROM federation_requests WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	if err != nil {
		return fmt.Errorf("sqlstore: delete federation request: %w", mark(err))
	}
	return mustAffect(res, "delete federation request", "the identity provider's answer was already used")
}

func (o ops) UseAssertionID(ctx context.Context, tenantID, id string, expires time.Time) error {
	_, err := o.wr().ExecContext(ctx, `INSERT INTO saml_assertions (tenant_id, id, expires_at) VALUES ($1, $2, $3)`,
		tenantID, id, micros(expires))
	return o.writeErr(err, "record assertion", "the assertion was already used")
}

func (o ops) ServiceProviderKey(ctx context.Context, now time.Time, create func() (string, string, error)) (string, string, error) {
	var key, cert string
	err := o.rd().QueryRowContext(ctx, `SELECT key_pem, cert_pem FROM sp_keys WHERE id = 'saml'`).Scan(&key, &cert)
	if err == nil {
		return key, cert, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", "", fmt.Errorf("sqlstore: read service provider key: %w", mark(err))
	}
	if key, cert, err = create(); err != nil {
		return "", "", err
	}
	// Two processes creating at once agree on the first stored.
	if _, err := o.wr().ExecContext(ctx, `INSERT INTO sp_keys (id, key_pem, cert_pem, created_at)
		VALUES ('saml', $1, $2, $3) ON CONFLICT (id) DO NOTHING`, key, cert, micros(now)); err != nil {
		return "", "", fmt.Errorf("sqlstore: store service provider key: %w", mark(err))
	}
	if err := o.wr().QueryRowContext(ctx, `SELECT key_pem, cert_pem FROM sp_keys WHERE id = 'saml'`).Scan(&key, &cert); err != nil {
		return "", "", fmt.Errorf("sqlstore: read service provider key: %w", mark(err))
	}
	return key, cert, nil
}
