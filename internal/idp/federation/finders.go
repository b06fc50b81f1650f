package federation

import (
	"context"
	"errors"
	"fmt"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// ByDomain finds the tenant's SAML or OpenID Connect partner for the
// address's domain (R10 step 2).
func ByDomain(ctx context.Context, st store.Store, tenant *core.Tenant, addr core.Address) (*core.IdentityProvider, string, error) {
	none := fmt.Sprintf("no SAML or OpenID Connect identity provider is configured for %s", addr.Domain)
	if !tenant.HasIdentityProviders {
		return nil, none, nil
	}
	p, err := st.ProviderByDomain(ctx, tenant.ID, addr.Domain)
	if errors.Is(err, core.ErrNotFound) {
		return nil, none, nil
	}
	if err != nil {
		return nil, "", err
	}
	return p, fmt.Sprintf("%s is federated with %s (%s, issuer %s)", addr.Domain, p.DisplayName, protocolName(p.Kind), Issuer(p)), nil
}

// Issuer is the issuer a guest who signs in with p is shown with (R12):
// the SAML issuerUri, the OpenID issuer, or google.com.
func Issuer(p *core.IdentityProvider) string {
	switch p.Kind {
	case core.ProviderSAML:
		return p.SAML.IssuerURI
	case core.ProviderGoogle:
		return core.MethodGoogle.Issuer()
	}
	if p.OIDC.Issuer != "" {
		return p.OIDC.Issuer
	}
	return p.OIDC.MetadataURL
}

func protocolName(k core.ProviderKind) string {
	switch k {
	case core.ProviderSAML:
		return "SAML 2.0"
	case core.ProviderOIDC:
		return "OpenID Connect"
	}
	return string(k)
}
