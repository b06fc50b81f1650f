package providers

import (
	"context"
	"slices"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/store"
)

// Patch is a change to a provider: Apply sets the fields the caller sent
// (and only those) on the stored provider; Secret, when not "", is a new
// client secret.
type Patch struct {
	Apply  func(p *core.IdentityProvider) error
	Secret string
}

// maxRetries bounds how often an update starts over because the provider
// changed while its new configuration was being checked remotely.
const maxRetries = 3

// Update applies patch to the tenant's provider id (of one of kinds, any
// when none are given) and writes it with its audit record. The merge runs
// on the provider as stored inside the transaction, under the provider's
// lock, so two concurrent patches of different fields both stick; the
// remote check runs before the transaction (it may take seconds), and the
// update starts over if the configuration it checked changed meanwhile.
// Errors: core.ErrNotFound, core.ErrInvalid, core.ErrConflict.
func (s *Service) Update(ctx context.Context, t *core.Tenant, id string, patch Patch, kinds ...core.ProviderKind) (*core.IdentityProvider, error) {
	return s.update(ctx, t, id, patch, audit.UpdateIdentityProvider, kinds)
}

// AddDomain adds domain to the provider id (of one of kinds).
// Errors: as Update.
func (s *Service) AddDomain(ctx context.Context, t *core.Tenant, id, domain string, kinds ...core.ProviderKind) (string, error) {
	d, err := core.DomainName(trim(domain))
	if err != nil {
		return "", err
	}
	_, err = s.update(ctx, t, id, Patch{Apply: func(p *core.IdentityProvider) error {
		if slices.Contains(p.Domains, d) {
			return core.Errorf(core.ErrConflict, "", "the domain %s is already federated with %s", d, p.DisplayName)
		}
		p.Domains = append(p.Domains, d)
		return nil
	}}, audit.SetDomainFederation, kinds)
	return d, err
}

// RemoveDomain removes domain from the provider id (of one of kinds). A
// SAML or OpenID Connect provider keeps at least one domain.
// Errors: as Update; core.ErrNotFound if the provider does not serve it.
func (s *Service) RemoveDomain(ctx context.Context, t *core.Tenant, id, domain string, kinds ...core.ProviderKind) error {
	d, err := core.DomainName(trim(domain))
	if err != nil {
		return core.NotFoundf("the identity provider does not serve %s", domain)
	}
	_, err = s.update(ctx, t, id, Patch{Apply: func(p *core.IdentityProvider) error {
		i := slices.Index(p.Domains, d)
		if i < 0 {
			return core.NotFoundf("%s does not serve %s", p.DisplayName, d)
		}
		p.Domains = slices.Delete(p.Domains, i, i+1)
		return nil
	}}, audit.SetDomainFederation, kinds)
	return err
}

func (s *Service) update(ctx context.Context, t *core.Tenant, id string, patch Patch, activity string, kinds []core.ProviderKind) (*core.IdentityProvider, error) {
	for range maxRetries {
		// The remote check, on the patch applied to the provider as it
		// is now, outside any transaction.
		checked, err := s.merged(ctx, s.st, t, id, patch, kinds)
		if err != nil {
			return nil, err
		}
		unchecked := *checked
		if err := s.check(ctx, checked); err != nil {
			return nil, err
		}
		var out *core.IdentityProvider
		stale := false
		err = s.st.InTx(ctx, func(tx store.Tx) error {
			if err := tx.Lock(ctx, t.ID, lockKey(id)); err != nil {
				return err
			}
			old, err := tx.GetIdentityProvider(ctx, t.ID, id)
			if err != nil {
				return err
			}
			p, err := s.merged(ctx, tx, t, id, patch, kinds)
			if err != nil {
				return err
			}
			if p.SAML != unchecked.SAML || p.OIDC != unchecked.OIDC {
				stale = true // someone changed the configuration: check again
				return nil
			}
			p.SAML, p.OIDC = checked.SAML, checked.OIDC
			if err := s.seal(p, patch.Secret); err != nil {
				return err
			}
			p.UpdatedAt = s.now()
			if err := tx.UpdateIdentityProvider(ctx, p); err != nil {
				return err
			}
			// The check fetched the metadata of the configuration being
			// written (a new metadataExchangeUri, say): keep that copy,
			// or sign-ins would verify against the old partner's
			// certificates, or none, until the next refresh.
			if !checked.Metadata.FetchedAt.Equal(unchecked.Metadata.FetchedAt) {
				if err := tx.SetProviderMetadata(ctx, t.ID, id, checked.Metadata); err != nil {
					return err
				}
				p.Metadata = checked.Metadata
			}
			out = p
			return audit.Record(ctx, tx, p.UpdatedAt, t.ID, activity, target(p, changes(old, p, patch.Secret != "")...))
		})
		if err != nil {
			return nil, err
		}
		if !stale {
			out.ClientSecret = nil
			return out, nil
		}
	}
	return nil, core.Errorf(core.ErrConflict, "", "the identity provider is being changed by someone else: try again")
}

// merged is the provider as read through tx with patch applied and
// validated.
func (s *Service) merged(ctx context.Context, tx store.Tx, t *core.Tenant, id string, patch Patch, kinds []core.ProviderKind) (*core.IdentityProvider, error) {
	p, err := tx.GetIdentityProvider(ctx, t.ID, id)
	if err != nil {
		return nil, err
	}
	if len(kinds) > 0 && !slices.Contains(kinds, p.Kind) {
		return nil, notFound(id)
	}
	p.Domains = slices.Clone(p.Domains)
	kind, pid, tenant := p.Kind, p.ID, p.TenantID
	if patch.Apply != nil {
		if err := patch.Apply(p); err != nil {
			return nil, err
		}
	}
	p.Kind, p.ID, p.TenantID = kind, pid, tenant // not the patch's to change
	if err := Validate(t, p); err != nil {
		return nil, err
	}
	return p, nil
}
