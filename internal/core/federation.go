package core

import "time"

// ProviderKind is the protocol of a tenant's identity provider (SPEC R10
// steps 2 and 3, R41 identity providers).
type ProviderKind string

const (
	// ProviderSAML is a partner's SAML 2.0 identity provider for one or
	// more domains: Graph's samlOrWsFedExternalDomainFederation.
	ProviderSAML ProviderKind = "saml"
	// ProviderOIDC is a partner's OpenID provider for one or more
	// domains: Graph's openIdConnectIdentityProvider.
	ProviderOIDC ProviderKind = "oidc"
	// ProviderGoogle is Google federation: Graph's socialIdentityProvider
	// of type Google. A tenant has at most one.
	ProviderGoogle ProviderKind = "google"
)

// Method is the redemption method a provider of the kind serves.
func (k ProviderKind) Method() Method {
	if k == ProviderGoogle {
		return MethodGoogle
	}
	return MethodFederation
}

// IdentityProvider is one identity provider a tenant federates with.
// Domains are the address domains it serves: for SAML and OpenID Connect
// the partner's domains (a domain has at most one provider in a tenant),
// for Google the Google Workspace domains served besides gmail.com and
// googlemail.com.
type IdentityProvider struct {
	TenantID    string
	ID          string
	Kind        ProviderKind
	DisplayName string
	Domains     []string
	SAML        SAMLConfig
	OIDC        OIDCConfig
	// Metadata is the last good copy of what the provider publishes about
	// itself (SAML metadata), kept when a refresh fails.
	Metadata ProviderMetadata
	// ClientSecret is the OpenID Connect client secret, sealed with the
	// server key (platform.Keyring.Seal): it must be sent to the partner,
	// so unlike our own secrets it cannot be only a hash.
	ClientSecret []byte
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// SAMLConfig is a SAML 2.0 partner as Graph's
// samlOrWsFedExternalDomainFederation describes it.
type SAMLConfig struct {
	IssuerURI           string `json:"issuerUri"`
	MetadataURL         string `json:"metadataExchangeUri,omitempty"`
	PassiveSignInURI    string `json:"passiveSignInUri,omitempty"`
	SigningCertificate  string `json:"signingCertificate,omitempty"` // base64 DER; pinned when set by the admin
	PreferredProtocol   string `json:"preferredAuthenticationProtocol"`
	RequireResponseSign bool   `json:"requireResponseSignature,omitempty"` // else a signed assertion suffices
	AllowSHA1           bool   `json:"allowSha1,omitempty"`                // SHA-1 signatures are refused unless set
}

// OIDCConfig is an OpenID Connect partner (Graph's
// openIdConnectIdentityProvider) or Google.
type OIDCConfig struct {
	ClientID      string        `json:"clientId"`
	Issuer        string        `json:"issuer,omitempty"`
	MetadataURL   string        `json:"metadataUrl,omitempty"`
	Scope         string        `json:"scope,omitempty"`
	ResponseType  string        `json:"responseType,omitempty"`
	ClaimsMapping ClaimsMapping `json:"claimsMapping"`
}

// ClaimsMapping names the ID token claims that carry who the guest is.
type ClaimsMapping struct {
	UserID      string `json:"userId,omitempty"`
	Email       string `json:"email,omitempty"`
	DisplayName string `json:"displayName,omitempty"`
	GivenName   string `json:"givenName,omitempty"`
	Surname     string `json:"surname,omitempty"`
}

// ProviderMetadata is a provider's published metadata document as last
// fetched: Document is the last good copy, Error why the latest fetch
// failed ("" when it did not).
type ProviderMetadata struct {
	Document  []byte
	FetchedAt time.Time // when Document was fetched
	CheckedAt time.Time // the latest attempt, good or not
	Error     string
}

// FederationRequest is one sign-in sent to a provider: what the answer
// must match (the state or RelayState it comes back with, the SAML
// request id or the OpenID nonce, the PKCE verifier) and, once the
// provider answered, who it asserted. It belongs to one flow, and so to
// the browser that holds the flow's cookie: the answer is taken only for
// that flow (SPEC R32). It is used once.
type FederationRequest struct {
	TenantID   string
	ID         string // HMAC of the state / RelayState sent to the provider
	FlowID     string
	ProviderID string
	// RequestID is the SAML AuthnRequest ID (InResponseTo must match) or
	// the OpenID Connect nonce.
	RequestID string
	// Verifier is the PKCE code verifier (RFC 7636), for OpenID Connect.
	Verifier  string
	Result    *FederationResult // nil until the provider answered
	CreatedAt time.Time
	ExpiresAt time.Time
}

// FederationResult is who a provider asserted the guest is.
type FederationResult struct {
	Issuer      string // the provider's issuer: SAML issuerUri, OpenID issuer, "google.com"
	Subject     string // the provider's id for the guest (NameID, sub)
	Email       string
	DisplayName string
}
