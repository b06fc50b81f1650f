package providers

import (
	"crypto/x509"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"guestlist/internal/core"
)

// Limits on what an administrator types.
const (
	MaxDisplayName = 256
	maxURI         = 2048
	maxDomains     = 100
)

// consumerGoogle are the addresses Google federation serves without being
// told (R10 step 3): never a partner's domain.
var consumerGoogle = []string{"gmail.com", "googlemail.com"}

// Validate checks p as it is about to be stored and normalises it: trims
// its display name, normalises its domains (IDN to ASCII, lower case, no
// duplicates) and fills in defaults. Errors: core.ErrInvalid.
func Validate(t *core.Tenant, p *core.IdentityProvider) error {
	p.DisplayName = trim(p.DisplayName)
	if p.DisplayName == "" {
		return core.Invalidf("displayName is required")
	}
	if utf8.RuneCountInString(p.DisplayName) > MaxDisplayName {
		return core.Invalidf("displayName must be at most %d characters", MaxDisplayName)
	}
	if err := validateDomains(t, p); err != nil {
		return err
	}
	switch p.Kind {
	case core.ProviderSAML:
		p.OIDC = core.OIDCConfig{}
		return validateSAML(&p.SAML)
	case core.ProviderOIDC:
		p.SAML = core.SAMLConfig{}
		return validateOIDC(&p.OIDC)
	case core.ProviderGoogle:
		p.SAML = core.SAMLConfig{}
		return validateGoogle(&p.OIDC)
	}
	return core.Invalidf("unknown identity provider kind %q", p.Kind)
}

func validateDomains(t *core.Tenant, p *core.IdentityProvider) error {
	if len(p.Domains) > maxDomains {
		return core.Invalidf("an identity provider serves at most %d domains", maxDomains)
	}
	var out []string
	for _, raw := range p.Domains {
		d, err := core.DomainName(trim(raw))
		if err != nil {
			return err
		}
		if t.OwnsDomain(d) {
			return core.Invalidf("%s is a domain of this tenant: its members sign in here, not at a partner's identity provider", d)
		}
		if slices.Contains(consumerGoogle, d) {
			if p.Kind == core.ProviderGoogle {
				return core.Invalidf("%s is served by Google federation without being listed: list only Google Workspace domains", d)
			}
			return core.Invalidf("%s addresses are Google accounts: configure Google federation instead of a partner for it", d)
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	p.Domains = out
	if len(out) == 0 && p.Kind != core.ProviderGoogle {
		return core.Invalidf("domains must name at least one domain: a partner's identity provider is chosen by the guest's email domain")
	}
	return nil
}

func validateSAML(c *core.SAMLConfig) error {
	c.IssuerURI, c.MetadataURL, c.PassiveSignInURI = trim(c.IssuerURI), trim(c.MetadataURL), trim(c.PassiveSignInURI)
	c.SigningCertificate = strings.Join(strings.Fields(c.SigningCertificate), "")
	switch c.PreferredProtocol {
	case "", "saml":
		c.PreferredProtocol = "saml"
	case "wsFed":
		return core.Invalidf("preferredAuthenticationProtocol wsFed is not supported: guestlist speaks SAML 2.0 only (use saml)")
	default:
		return core.Invalidf("preferredAuthenticationProtocol must be saml")
	}
	if c.IssuerURI == "" && c.MetadataURL == "" {
		return core.Invalidf("issuerUri is required unless metadataExchangeUri is given")
	}
	if len(c.IssuerURI) > maxURI {
		return core.Invalidf("issuerUri must be at most %d characters", maxURI)
	}
	if c.MetadataURL == "" && (c.SigningCertificate == "" || c.PassiveSignInURI == "") {
		return core.Invalidf("give metadataExchangeUri, or both signingCertificate and passiveSignInUri")
	}
	if err := checkURL("metadataExchangeUri", c.MetadataURL); err != nil {
		return err
	}
	if err := checkURL("passiveSignInUri", c.PassiveSignInURI); err != nil {
		return err
	}
	if c.SigningCertificate != "" {
		der, err := base64.StdEncoding.DecodeString(c.SigningCertificate)
		if err != nil {
			return core.Invalidf("signingCertificate must be the certificate's DER in base64 (a PEM body without its header lines)")
		}
		if _, err := x509.ParseCertificate(der); err != nil {
			return core.Invalidf("signingCertificate is not an X.509 certificate")
		}
	}
	return nil
}

func validateOIDC(c *core.OIDCConfig) error {
	c.ClientID, c.Issuer, c.MetadataURL = trim(c.ClientID), trim(c.Issuer), trim(c.MetadataURL)
	if c.ClientID == "" {
		return core.Invalidf("clientId is required")
	}
	if c.Issuer == "" && c.MetadataURL == "" {
		return core.Invalidf("issuer or metadataUrl is required")
	}
	if err := checkURL("issuer", c.Issuer); err != nil {
		return err
	}
	if err := checkURL("metadataUrl", c.MetadataURL); err != nil {
		return err
	}
	switch c.ResponseType {
	case "", "code":
		c.ResponseType = "code"
	default:
		return core.Invalidf("responseType must be code: guestlist uses the authorization code flow with PKCE")
	}
	c.Scope = strings.Join(strings.Fields(c.Scope), " ")
	if c.Scope == "" {
		c.Scope = "openid email profile"
	}
	if !slices.Contains(strings.Fields(c.Scope), "openid") {
		return core.Invalidf("scope must include openid")
	}
	m := &c.ClaimsMapping
	m.UserID, m.Email, m.DisplayName, m.GivenName, m.Surname = trim(m.UserID), trim(m.Email), trim(m.DisplayName), trim(m.GivenName), trim(m.Surname)
	if m.UserID == "" {
		m.UserID = "sub"
	}
	if m.Email == "" {
		m.Email = "email"
	}
	return nil
}

func validateGoogle(c *core.OIDCConfig) error {
	c.ClientID = trim(c.ClientID)
	if c.ClientID == "" {
		return core.Invalidf("clientId is required")
	}
	// Google's endpoints are the deployment's; nothing else is set.
	*c = core.OIDCConfig{ClientID: c.ClientID}
	return nil
}

// checkURL: u, when given, is an absolute http(s) URL.
func checkURL(name, u string) error {
	if u == "" {
		return nil
	}
	if len(u) > maxURI {
		return core.Invalidf("%s must be at most %d characters", name, maxURI)
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" || p.User != nil {
		return core.Invalidf("%s must be an absolute https URL", name)
	}
	return nil
}
