package store

import (
	"context"
	"time"

	"guestlist/internal/core"
)

// Federation is a tenant's identity providers (SPEC R10 steps 2 and 3,
// R41) and the sign-ins sent to them. Embedded in Tx.
type Federation interface {
	// CreateIdentityProvider stores p with its domains. core.ErrConflict
	// if one of its domains already has a provider in the tenant, or p is
	// Google and the tenant already has Google.
	CreateIdentityProvider(ctx context.Context, p *core.IdentityProvider) error
	// GetIdentityProvider: core.ErrNotFound if the tenant has no such
	// provider.
	GetIdentityProvider(ctx context.Context, tenantID, id string) (*core.IdentityProvider, error)
	// ListIdentityProviders lists the tenant's providers, oldest first.
	ListIdentityProviders(ctx context.Context, tenantID string) ([]core.IdentityProvider, error)
	// UpdateIdentityProvider writes p's display name, configuration,
	// client secret and domains (not its metadata: SetProviderMetadata).
	// core.ErrNotFound, or core.ErrConflict as CreateIdentityProvider.
	UpdateIdentityProvider(ctx context.Context, p *core.IdentityProvider) error
	// DeleteIdentityProvider removes p and its domains; core.ErrNotFound
	// if there is no such provider.
	DeleteIdentityProvider(ctx context.Context, tenantID, id string) error
	// ProviderByDomain is the tenant's provider serving domain (one of
	// its Domains); core.ErrNotFound if none.
	ProviderByDomain(ctx context.Context, tenantID, domain string) (*core.IdentityProvider, error)
	// GoogleProvider is the tenant's Google federation; core.ErrNotFound
	// if it has none.
	GoogleProvider(ctx context.Context, tenantID string) (*core.IdentityProvider, error)
	// SetProviderMetadata writes the provider's metadata as last fetched.
	SetProviderMetadata(ctx context.Context, tenantID, id string, m core.ProviderMetadata) error
	// ProvidersToRefresh lists, across tenants, the providers with a
	// metadata URL whose metadata was last checked before before (or
	// never), at most limit of them.
	ProvidersToRefresh(ctx context.Context, before time.Time, limit int) ([]core.IdentityProvider, error)

	// CreateFederationRequest stores a sign-in sent to a provider.
	CreateFederationRequest(ctx context.Context, r *core.FederationRequest) error
	// GetFederationRequest is the request unless it expired at now;
	// core.ErrNotFound otherwise.
	GetFederationRequest(ctx context.Context, tenantID, id string, now time.Time) (*core.FederationRequest, error)
	// SetFederationResult records the provider's answer to a request;
	// core.ErrConflict if it already has one, core.ErrNotFound if the
	// request is gone.
	SetFederationResult(ctx context.Context, tenantID, id string, res core.FederationResult) error
	// AnsweredFederationRequest is the flow's request that has a result
	// and has not expired at now; core.ErrNotFound if none.
	AnsweredFederationRequest(ctx context.Context, tenantID, flowID string, now time.Time) (*core.FederationRequest, error)
	// DeleteFederationRequest spends a request; core.ErrNotFound if it
	// was already spent (each answer is used once).
	DeleteFederationRequest(ctx context.Context, tenantID, id string) error
	// UseAssertionID records that an assertion with id (a SAML
	// assertion's ID, qualified by its issuer) was accepted, until
	// expires; core.ErrConflict if it was already (a replay).
	UseAssertionID(ctx context.Context, tenantID, id string, expires time.Time) error

	// ServiceProviderKey is the deployment's SAML service provider key
	// and certificate (PEM), creating it with create on first use (made
	// at now); every process gets the same one.
	ServiceProviderKey(ctx context.Context, now time.Time, create func() (keyPEM, certPEM string, err error)) (keyPEM, certPEM string, err error)
}
