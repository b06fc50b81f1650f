package graph

import (
	"encoding/json"
	"net/http"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/providers"
)

// A tenant's identity providers under /identity/identityProviders (SPEC
// R10 steps 2 and 3, R41): OpenID Connect partners
// (openIdConnectIdentityProvider) and Google (socialIdentityProvider).
// The list also shows the SAML federations, as Graph's does; they are
// changed under /directory/federationConfigurations.

type claimsMappingRequest struct {
	UserID      *string `json:"userId"`
	Email       *string `json:"email"`
	DisplayName *string `json:"displayName"`
	GivenName   *string `json:"givenName"`
	Surname     *string `json:"surname"`
}

// identityProviderRequest is the body of POST and PATCH for OpenID
// Connect and Google; which properties a kind takes is checked by apply.
type identityProviderRequest struct {
	Type                 *string               `json:"@odata.type"`
	DisplayName          *string               `json:"displayName"`
	IdentityProviderType *string               `json:"identityProviderType"`
	ClientID             *string               `json:"clientId"`
	ClientSecret         *string               `json:"clientSecret"`
	Issuer               *string               `json:"issuer"`
	MetadataURL          *string               `json:"metadataUrl"`
	Scope                *string               `json:"scope"`
	ResponseType         *string               `json:"responseType"`
	ClaimsMapping        *claimsMappingRequest `json:"claimsMapping"`
	Domains              *[]string             `json:"domains"`
}

// kindOf is the provider kind an @odata.type (and identityProviderType)
// names. Errors: core.ErrInvalid.
func (req *identityProviderRequest) kindOf() (core.ProviderKind, error) {
	if req.Type == nil {
		return "", core.Invalidf("@odata.type is required: %s or %s", typeOIDCProvider, typeSocialProvider)
	}
	switch odataType(*req.Type) {
	case typeOIDCProvider:
		return core.ProviderOIDC, nil
	case typeSocialProvider:
		if req.IdentityProviderType == nil || *req.IdentityProviderType != "Google" {
			return "", core.Invalidf("identityProviderType must be Google: guestlist federates with no other social identity provider")
		}
		return core.ProviderGoogle, nil
	case typeSAMLFederation:
		return "", core.Invalidf("create SAML federations at /directory/federationConfigurations/graph.samlOrWsFedExternalDomainFederation")
	}
	return "", core.Invalidf("@odata.type %q is not supported here: use %s or %s", *req.Type, typeOIDCProvider, typeSocialProvider)
}

// apply merges the request into p (of a known kind).
func (req *identityProviderRequest) apply(p *core.IdentityProvider) error {
	if req.Type != nil {
		k, err := req.kindOf()
		if err != nil {
			return err
		}
		if k != p.Kind {
			return core.Invalidf("@odata.type %q does not match the identity provider's type", *req.Type)
		}
	} else if req.IdentityProviderType != nil && (p.Kind != core.ProviderGoogle || *req.IdentityProviderType != "Google") {
		return core.Invalidf("identityProviderType cannot be changed")
	}
	set(&p.DisplayName, req.DisplayName)
	set(&p.OIDC.ClientID, req.ClientID)
	if req.Domains != nil {
		p.Domains = append(p.Domains[:0], *req.Domains...)
	}
	if p.Kind == core.ProviderGoogle {
		if req.Issuer != nil || req.MetadataURL != nil || req.Scope != nil || req.ResponseType != nil || req.ClaimsMapping != nil {
			return core.Invalidf("Google federation takes displayName, clientId, clientSecret and domains only")
		}
		return nil
	}
	c := &p.OIDC
	set(&c.Issuer, req.Issuer)
	set(&c.MetadataURL, req.MetadataURL)
	set(&c.Scope, req.Scope)
	set(&c.ResponseType, req.ResponseType)
	if m := req.ClaimsMapping; m != nil {
		set(&c.ClaimsMapping.UserID, m.UserID)
		set(&c.ClaimsMapping.Email, m.Email)
		set(&c.ClaimsMapping.DisplayName, m.DisplayName)
		set(&c.ClaimsMapping.GivenName, m.GivenName)
		set(&c.ClaimsMapping.Surname, m.Surname)
	}
	return nil
}

func (a *API) writeIdentityProvider(w http.ResponseWriter, r *http.Request, status int, p *core.IdentityProvider) error {
	ctx := a.context(r, "identity/identityProviders/$entity")
	var out any
	switch p.Kind {
	case core.ProviderSAML:
		j := a.toSAMLFederation(p)
		j.Context, out = ctx, j
	case core.ProviderGoogle:
		j := a.toSocialProvider(p)
		j.Context, out = ctx, j
	default:
		j := a.toOIDCProvider(p)
		j.Context, out = ctx, j
	}
	platform.WriteJSON(w, status, out)
	return nil
}

func (a *API) createIdentityProvider(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var raw json.RawMessage
	if err := decode(w, r, &raw); err != nil {
		return err
	}
	var req identityProviderRequest
	if err := strictUnmarshal(raw, &req); err != nil {
		return err
	}
	kind, err := req.kindOf()
	if err != nil {
		return err
	}
	p := core.IdentityProvider{Kind: kind}
	if err := req.apply(&p); err != nil {
		return err
	}
	secret := ""
	set(&secret, req.ClientSecret)
	created, err := a.providers.Create(r.Context(), t, p, secret)
	if err != nil {
		return err
	}
	return a.writeIdentityProvider(w, r, http.StatusCreated, created)
}

func (a *API) listIdentityProviders(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	list, err := a.providers.List(r.Context(), t.ID)
	if err != nil {
		return err
	}
	out := make([]any, 0, len(list))
	for i := range list {
		out = append(out, a.toIdentityProvider(&list[i]))
	}
	a.writeCollection(w, r, "identity/identityProviders", "", out)
	return nil
}

func (a *API) getIdentityProvider(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	p, err := a.providers.Get(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return a.writeIdentityProvider(w, r, http.StatusOK, p)
}

// patchIdentityProvider answers 204 like Graph.
func (a *API) patchIdentityProvider(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var req identityProviderRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	secret := ""
	if req.ClientSecret != nil {
		if *req.ClientSecret == "" || *req.ClientSecret == hiddenSecret {
			return core.Invalidf("clientSecret must be the new secret (leave it out to keep the current one)")
		}
		secret = *req.ClientSecret
	}
	_, err := a.providers.Update(r.Context(), t, r.PathValue("id"), providers.Patch{Apply: req.apply, Secret: secret},
		core.ProviderOIDC, core.ProviderGoogle)
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) deleteIdentityProvider(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	if err := a.providers.Delete(r.Context(), t.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) identityProviderRoutes() []route {
	return []route{
		{"POST", "/identity/identityProviders", requires(a.createIdentityProvider, idpReadWrite)},
		{"GET", "/identity/identityProviders", requires(a.listIdentityProviders, idpRead, idpReadWrite)},
		{"GET", "/identity/identityProviders/{id}", requires(a.getIdentityProvider, idpRead, idpReadWrite)},
		{"PATCH", "/identity/identityProviders/{id}", requires(a.patchIdentityProvider, idpReadWrite)},
		{"DELETE", "/identity/identityProviders/{id}", requires(a.deleteIdentityProvider, idpReadWrite)},
	}
}
