package graph

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"guestlist/internal/core"
)

// The JSON of identity providers: Graph's samlOrWsFedExternalDomainFederation,
// openIdConnectIdentityProvider and socialIdentityProvider (Google), with
// guestlist's additions named in each type. A client secret is never
// shown: Graph shows it as "******".

const (
	typeSAMLFederation = "#microsoft.graph.samlOrWsFedExternalDomainFederation"
	typeOIDCProvider   = "#microsoft.graph.openIdConnectIdentityProvider"
	typeSocialProvider = "#microsoft.graph.socialIdentityProvider"
	typeExternalDomain = "#microsoft.graph.externalDomainName"
	hiddenSecret       = "******"
)

// odataType is an @odata.type as a client sent it, with the leading "#"
// Graph's own examples sometimes leave out.
func odataType(t string) string {
	if t != "" && !strings.HasPrefix(t, "#") {
		return "#" + t
	}
	return t
}

type externalDomainJSON struct {
	Type string `json:"@odata.type"`
	ID   string `json:"id"`
}

// serviceProviderJSON (a guestlist addition) is what a partner's SAML
// identity provider needs to know about this tenant.
type serviceProviderJSON struct {
	EntityID                    string `json:"entityId"`
	AssertionConsumerServiceURL string `json:"assertionConsumerServiceUrl"`
	MetadataURL                 string `json:"metadataUrl"`
}

// metadataStatusJSON (a guestlist addition) is the state of the partner's
// metadata as last fetched from metadataExchangeUri.
type metadataStatusJSON struct {
	LastFetchedDateTime *string `json:"lastFetchedDateTime"`
	LastCheckedDateTime *string `json:"lastCheckedDateTime"`
	LastError           *string `json:"lastError"`
}

type samlFederationJSON struct {
	Context                         string               `json:"@odata.context,omitempty"`
	Type                            string               `json:"@odata.type"`
	ID                              string               `json:"id"`
	DisplayName                     string               `json:"displayName"`
	IssuerURI                       *string              `json:"issuerUri"`
	MetadataExchangeURI             *string              `json:"metadataExchangeUri"`
	PassiveSignInURI                *string              `json:"passiveSignInUri"`
	PreferredAuthenticationProtocol string               `json:"preferredAuthenticationProtocol"`
	SigningCertificate              *string              `json:"signingCertificate"`
	Domains                         []externalDomainJSON `json:"domains"`
	// guestlist additions.
	RequireResponseSignature bool                `json:"requireResponseSignature"`
	AllowSHA1                bool                `json:"allowSha1"`
	ServiceProvider          serviceProviderJSON `json:"serviceProvider"`
	MetadataStatus           metadataStatusJSON  `json:"metadataStatus"`
}

type claimsMappingJSON struct {
	UserID      string  `json:"userId"`
	Email       string  `json:"email"`
	DisplayName *string `json:"displayName"`
	GivenName   *string `json:"givenName"`
	Surname     *string `json:"surname"`
}

type oidcProviderJSON struct {
	Context       string            `json:"@odata.context,omitempty"`
	Type          string            `json:"@odata.type"`
	ID            string            `json:"id"`
	DisplayName   string            `json:"displayName"`
	ClientID      string            `json:"clientId"`
	ClientSecret  string            `json:"clientSecret"`
	MetadataURL   *string           `json:"metadataUrl"`
	Scope         string            `json:"scope"`
	ResponseType  string            `json:"responseType"`
	ClaimsMapping claimsMappingJSON `json:"claimsMapping"`
	// guestlist additions.
	Issuer      *string  `json:"issuer"`
	Domains     []string `json:"domains"`
	RedirectURI string   `json:"redirectUri"`
}

type socialProviderJSON struct {
	Context              string `json:"@odata.context,omitempty"`
	Type                 string `json:"@odata.type"`
	ID                   string `json:"id"`
	DisplayName          string `json:"displayName"`
	IdentityProviderType string `json:"identityProviderType"`
	ClientID             string `json:"clientId"`
	ClientSecret         string `json:"clientSecret"`
	// guestlist additions.
	Domains     []string `json:"domains"`
	RedirectURI string   `json:"redirectUri"`
}

func (a *API) toSAMLFederation(p *core.IdentityProvider) samlFederationJSON {
	c := p.SAML
	out := samlFederationJSON{
		Type: typeSAMLFederation, ID: p.ID, DisplayName: p.DisplayName, IssuerURI: optional(c.IssuerURI),
		MetadataExchangeURI: optional(c.MetadataURL), PassiveSignInURI: optional(c.PassiveSignInURI),
		PreferredAuthenticationProtocol: c.PreferredProtocol, SigningCertificate: optional(c.SigningCertificate),
		Domains:                  make([]externalDomainJSON, 0, len(p.Domains)),
		RequireResponseSignature: c.RequireResponseSign, AllowSHA1: c.AllowSHA1,
		ServiceProvider: serviceProviderJSON{
			EntityID:                    a.baseURL + "/" + p.TenantID + "/saml/metadata",
			AssertionConsumerServiceURL: a.baseURL + "/" + p.TenantID + "/saml/acs",
			MetadataURL:                 a.baseURL + "/" + p.TenantID + "/saml/metadata",
		},
		MetadataStatus: metadataStatusJSON{
			LastFetchedDateTime: optional(graphTime(p.Metadata.FetchedAt)),
			LastCheckedDateTime: optional(graphTime(p.Metadata.CheckedAt)),
			LastError:           optional(p.Metadata.Error),
		},
	}
	for _, d := range p.Domains {
		out.Domains = append(out.Domains, externalDomainJSON{Type: typeExternalDomain, ID: d})
	}
	return out
}

// redirectURI is where a partner's OpenID provider (or Google) sends the
// guest back: what the partner registers for guestlist's client.
func (a *API) redirectURI(tenantID string) string {
	return a.baseURL + "/" + tenantID + "/federation/callback"
}

func (a *API) toOIDCProvider(p *core.IdentityProvider) oidcProviderJSON {
	c := p.OIDC
	return oidcProviderJSON{
		Type: typeOIDCProvider, ID: p.ID, DisplayName: p.DisplayName, ClientID: c.ClientID, ClientSecret: hiddenSecret,
		MetadataURL: optional(c.MetadataURL), Scope: c.Scope, ResponseType: c.ResponseType,
		ClaimsMapping: claimsMappingJSON{UserID: c.ClaimsMapping.UserID, Email: c.ClaimsMapping.Email,
			DisplayName: optional(c.ClaimsMapping.DisplayName), GivenName: optional(c.ClaimsMapping.GivenName),
			Surname: optional(c.ClaimsMapping.Surname)},
		Issuer: optional(c.Issuer), Domains: orEmpty(p.Domains), RedirectURI: a.redirectURI(p.TenantID),
	}
}

func (a *API) toSocialProvider(p *core.IdentityProvider) socialProviderJSON {
	return socialProviderJSON{
		Type: typeSocialProvider, ID: p.ID, DisplayName: p.DisplayName, IdentityProviderType: "Google",
		ClientID: p.OIDC.ClientID, ClientSecret: hiddenSecret, Domains: orEmpty(p.Domains),
		RedirectURI: a.redirectURI(p.TenantID),
	}
}

// toIdentityProvider is p as the identityProviders collection lists it.
func (a *API) toIdentityProvider(p *core.IdentityProvider) any {
	switch p.Kind {
	case core.ProviderSAML:
		return a.toSAMLFederation(p)
	case core.ProviderGoogle:
		return a.toSocialProvider(p)
	}
	return a.toOIDCProvider(p)
}

// strictUnmarshal reads raw into v as decode reads a body: unknown
// properties and wrong types are refused with what to fix.
func strictUnmarshal(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return core.Invalidf("the body must hold exactly one JSON object")
	}
	return nil
}
