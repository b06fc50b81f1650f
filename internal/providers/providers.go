package providers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/idp/federation"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// GoogleID is the id of a tenant's Google federation, as Graph names it
// (a tenant has at most one).
const GoogleID = "Google-OAUTH"

// Checks are the protocols' remote checks of a provider before it is
// stored: fetching its metadata or discovery document, say. A check may
// complete p (an issuer read from metadata); it must not keep p. A nil
// check means no remote check. Errors should be core.ErrInvalid with a
// message that says what to fix.
type Checks struct {
	SAML func(ctx context.Context, p *core.IdentityProvider) error
	OIDC func(ctx context.Context, p *core.IdentityProvider) error
}

// Service creates, reads, changes and deletes identity providers.
type Service struct {
	st     store.Store
	keys   *platform.Keyring
	now    platform.Clock
	checks Checks
}

// New returns a Service; keys seals client secrets.
func New(st store.Store, keys *platform.Keyring, now platform.Clock, checks Checks) *Service {
	return &Service{st: st, keys: keys, now: now, checks: checks}
}

// Create validates p (of kind p.Kind), checks it remotely, seals secret
// (OpenID Connect and Google) and stores it with a new id; the answer has
// no ClientSecret. Errors: core.ErrInvalid, core.ErrConflict (a domain has
// a provider already, or the tenant has Google).
func (s *Service) Create(ctx context.Context, t *core.Tenant, p core.IdentityProvider, secret string) (*core.IdentityProvider, error) {
	p.TenantID = t.ID
	p.ID = uuid.NewString()
	if p.Kind == core.ProviderGoogle {
		p.ID = GoogleID
	}
	if p.Kind != core.ProviderSAML && secret == "" {
		return nil, core.Invalidf("clientSecret is required")
	}
	if err := Validate(t, &p); err != nil {
		return nil, err
	}
	if err := s.check(ctx, &p); err != nil {
		return nil, err
	}
	if err := s.seal(&p, secret); err != nil {
		return nil, err
	}
	p.CreatedAt = s.now()
	p.UpdatedAt = p.CreatedAt
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateIdentityProvider(ctx, &p); err != nil {
			return err
		}
		return audit.Record(ctx, tx, p.CreatedAt, t.ID, audit.AddIdentityProvider, target(&p, changes(nil, &p, secret != "")...))
	})
	if err != nil {
		return nil, err
	}
	p.ClientSecret = nil
	return &p, nil
}

// Get is the tenant's provider id if it is of one of kinds (any kind when
// none are given). Errors: core.ErrNotFound.
func (s *Service) Get(ctx context.Context, tenantID, id string, kinds ...core.ProviderKind) (*core.IdentityProvider, error) {
	p, err := s.st.GetIdentityProvider(ctx, tenantID, id)
	if err != nil {
		return nil, err
	}
	if len(kinds) > 0 && !slices.Contains(kinds, p.Kind) {
		return nil, notFound(id)
	}
	p.ClientSecret = nil
	return p, nil
}

// List lists the tenant's providers of kinds (all when none are given),
// oldest first.
func (s *Service) List(ctx context.Context, tenantID string, kinds ...core.ProviderKind) ([]core.IdentityProvider, error) {
	all, err := s.st.ListIdentityProviders(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, p := range all {
		if len(kinds) == 0 || slices.Contains(kinds, p.Kind) {
			p.ClientSecret = nil
			out = append(out, p)
		}
	}
	return out, nil
}

// Delete removes the provider id if it is of one of kinds. Guests who
// redeemed with it keep their lock-in (R11) and can no longer sign in
// until their redemption is reset (R13). Errors: core.ErrNotFound.
func (s *Service) Delete(ctx context.Context, tenantID, id string, kinds ...core.ProviderKind) error {
	return s.st.InTx(ctx, func(tx store.Tx) error {
		if err := tx.Lock(ctx, tenantID, lockKey(id)); err != nil {
			return err
		}
		p, err := tx.GetIdentityProvider(ctx, tenantID, id)
		if err != nil {
			return err
		}
		if len(kinds) > 0 && !slices.Contains(kinds, p.Kind) {
			return notFound(id)
		}
		if err := tx.DeleteIdentityProvider(ctx, tenantID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), tenantID, audit.DeleteIdentityProvider, target(p))
	})
}

func lockKey(id string) string { return "idp:" + id }

func notFound(id string) error {
	return core.NotFoundf("the identity provider %s does not exist", id)
}

// check runs the protocol's remote check of p, if there is one.
func (s *Service) check(ctx context.Context, p *core.IdentityProvider) error {
	var c func(context.Context, *core.IdentityProvider) error
	switch p.Kind {
	case core.ProviderSAML:
		c = s.checks.SAML
	case core.ProviderOIDC, core.ProviderGoogle:
		c = s.checks.OIDC
	}
	if c == nil {
		return nil
	}
	if err := c(ctx, p); err != nil {
		if errors.Is(err, core.ErrInvalid) {
			return err
		}
		return fmt.Errorf("providers: check %s: %w", p.DisplayName, err)
	}
	return nil
}

// seal stores secret, sealed, as p's client secret ("" keeps p's).
func (s *Service) seal(p *core.IdentityProvider, secret string) error {
	if secret == "" {
		return nil
	}
	sealed, err := s.keys.Seal(secret, federation.SecretAAD(p.TenantID, p.ID))
	if err != nil {
		return fmt.Errorf("providers: seal client secret: %w", err)
	}
	p.ClientSecret = sealed
	return nil
}

// target is p as an audit target.
func target(p *core.IdentityProvider, modified ...core.ModifiedProperty) core.AuditTarget {
	return core.AuditTarget{ID: p.ID, DisplayName: p.DisplayName, Type: audit.TypeIdentityProvider, Modified: modified}
}

// changes are the properties that differ from old (nil: a new provider)
// to p; the client secret is named, never shown.
func changes(old, p *core.IdentityProvider, secret bool) []core.ModifiedProperty {
	var o core.IdentityProvider
	if old != nil {
		o = *old
	}
	var out []core.ModifiedProperty
	if o.DisplayName != p.DisplayName {
		out = append(out, audit.Set("DisplayName", nilIfEmpty(o.DisplayName), p.DisplayName))
	}
	if !slices.Equal(o.Domains, p.Domains) {
		out = append(out, audit.Set("Domains", o.Domains, p.Domains))
	}
	if o.SAML != p.SAML && p.Kind == core.ProviderSAML {
		out = append(out, audit.Set("SAML", configOf(old, func(q *core.IdentityProvider) any { return q.SAML }), p.SAML))
	}
	if o.OIDC != p.OIDC && p.Kind != core.ProviderSAML {
		out = append(out, audit.Set("OpenIDConnect", configOf(old, func(q *core.IdentityProvider) any { return q.OIDC }), p.OIDC))
	}
	if secret {
		out = append(out, audit.Set("ClientSecret", nil, nil))
	}
	return out
}

func configOf(p *core.IdentityProvider, f func(*core.IdentityProvider) any) any {
	if p == nil {
		return nil
	}
	return f(p)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// lower is s trimmed.
func trim(s string) string { return strings.TrimSpace(s) }
