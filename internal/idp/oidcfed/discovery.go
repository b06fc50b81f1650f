package oidcfed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"guestlist/internal/core"
)

// maxDocument bounds a discovery document: a provider that sends more is
// not one we can use.
const maxDocument = 1 << 20

// discovered is what a provider's discovery document told us.
type discovered struct {
	provider  *oidc.Provider
	issuer    string
	authStyle oauth2.AuthStyle
	// issParam: the provider says its answers carry iss (RFC 9207
	// section 3), so an answer without one is refused.
	issParam bool
	at       time.Time // when it was fetched
}

// cacheKey names one version of one provider: an edited provider
// (another UpdatedAt) is discovered again.
type cacheKey struct {
	tenant, id string
	updated    int64
}

// document is the part of a discovery document we read (OpenID Connect
// Discovery 1.0 section 3).
type document struct {
	oidc.ProviderConfig
	ResponseTypes   []string `json:"response_types_supported"`
	TokenAuthMethod []string `json:"token_endpoint_auth_methods_supported"`
	IssParameter    bool     `json:"authorization_response_iss_parameter_supported"`
}

// discover returns p's endpoints, from the cache while they are fresh.
// A failed discovery is not cached: the next sign-in tries again.
func (pr *Protocol) discover(ctx context.Context, p *core.IdentityProvider) (*discovered, error) {
	key := cacheKey{p.TenantID, p.ID, p.UpdatedAt.UnixNano()}
	now := pr.now()
	pr.mu.Lock()
	d, ok := pr.cache[key]
	pr.mu.Unlock()
	if ok && now.Sub(d.at) < pr.opts.CacheTTL {
		return d, nil
	}
	d, err := pr.fetch(ctx, p)
	if err != nil {
		return nil, err
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	for k, old := range pr.cache { // old versions and stale copies go
		if now.Sub(old.at) >= pr.opts.CacheTTL || (k.tenant == key.tenant && k.id == key.id) {
			delete(pr.cache, k)
		}
	}
	pr.cache[key] = d
	return d, nil
}

// documentURL is where p's discovery document is, and the issuer it must
// name ("" when any will do: Google's is whatever its document says).
func (pr *Protocol) documentURL(p *core.IdentityProvider) (docURL, issuer string, err error) {
	switch {
	case p.Kind == core.ProviderGoogle:
		return pr.opts.GoogleDiscoveryURL, "", nil
	case p.Kind != core.ProviderOIDC:
		return "", "", fmt.Errorf("oidcfed: a %s provider is not OpenID Connect", p.Kind)
	case p.OIDC.MetadataURL != "":
		return p.OIDC.MetadataURL, p.OIDC.Issuer, nil
	case p.OIDC.Issuer != "":
		return strings.TrimSuffix(p.OIDC.Issuer, "/") + "/.well-known/openid-configuration", p.OIDC.Issuer, nil
	}
	return "", "", errors.New("oidcfed: the provider has neither an issuer nor a metadata URL")
}

// fetch reads p's discovery document. The issuer it names must be the
// configured one (Discovery section 4.3): otherwise a document could
// vouch for tokens another issuer signed.
func (pr *Protocol) fetch(ctx context.Context, p *core.IdentityProvider) (*discovered, error) {
	docURL, want, err := pr.documentURL(p)
	if err != nil {
		return nil, err
	}
	doc, err := pr.document(ctx, docURL)
	if err != nil {
		return nil, err
	}
	if want != "" && doc.IssuerURL != want {
		return nil, fmt.Errorf("oidcfed: %s names the issuer %q, not the configured %q", docURL, doc.IssuerURL, want)
	}
	if err := pr.checkDocument(doc); err != nil {
		return nil, fmt.Errorf("oidcfed: %s: %w", docURL, err)
	}
	// Only asymmetric algorithms: an ID token "signed" with a shared
	// secret or none proves nothing the provider alone could say.
	doc.Algorithms = slices.DeleteFunc(doc.Algorithms, func(a string) bool { return !asymmetric[a] })
	d := &discovered{provider: doc.NewProvider(pr.clientContext(ctx)), issuer: doc.IssuerURL,
		issParam: doc.IssParameter, at: pr.now()}
	// client_secret_basic is the default (Discovery section 3); asking
	// once is better than oauth2's guessing, which sends a code twice.
	d.authStyle = oauth2.AuthStyleInHeader
	if len(doc.TokenAuthMethod) > 0 && !slices.Contains(doc.TokenAuthMethod, "client_secret_basic") &&
		slices.Contains(doc.TokenAuthMethod, "client_secret_post") {
		d.authStyle = oauth2.AuthStyleInParams
	}
	return d, nil
}

var asymmetric = map[string]bool{
	oidc.RS256: true, oidc.RS384: true, oidc.RS512: true, oidc.ES256: true, oidc.ES384: true,
	oidc.ES512: true, oidc.PS256: true, oidc.PS384: true, oidc.PS512: true, oidc.EdDSA: true,
}

// document fetches and decodes a discovery document.
func (pr *Protocol) document(ctx context.Context, docURL string) (*document, error) {
	if err := pr.checkURL(docURL); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, docURL, nil)
	if err != nil {
		return nil, fmt.Errorf("oidcfed: discovery: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := pr.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("oidcfed: discovery: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("oidcfed: discovery: %s answered %s", docURL, resp.Status)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument+1))
	if err != nil {
		return nil, fmt.Errorf("oidcfed: discovery: %w", err)
	}
	if len(raw) > maxDocument {
		return nil, fmt.Errorf("oidcfed: discovery: %s is larger than %d bytes", docURL, maxDocument)
	}
	var doc document
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("oidcfed: discovery: %s is not a discovery document: %w", docURL, err)
	}
	return &doc, nil
}

// checkDocument: the endpoints a sign-in uses are there and are URLs we
// may use, and the provider speaks the code flow.
func (pr *Protocol) checkDocument(doc *document) error {
	for name, u := range map[string]string{"issuer": doc.IssuerURL, "authorization_endpoint": doc.AuthURL,
		"token_endpoint": doc.TokenURL, "jwks_uri": doc.JWKSURL} {
		if u == "" {
			return fmt.Errorf("the discovery document has no %s", name)
		}
		if err := pr.checkURL(u); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if len(doc.ResponseTypes) > 0 && !slices.Contains(doc.ResponseTypes, "code") {
		return errors.New("the provider does not offer the authorization code flow (response type code)")
	}
	return nil
}

// checkURL: an absolute https URL, or http when the deployment allows
// it (tests' loopback partners).
func (pr *Protocol) checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	if u.Scheme == "https" || (u.Scheme == "http" && pr.opts.AllowInsecureHTTP) {
		return nil
	}
	return fmt.Errorf("%q: providers are reached over https only", raw)
}

// schemeGuard refuses every request to a provider that is not https
// (unless allowed), including redirects and the endpoints a discovery
// document names, which were not checked when the admin saved the
// provider.
type schemeGuard struct {
	next      http.RoundTripper
	allowHTTP bool
}

func (g schemeGuard) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme != "https" && !(g.allowHTTP && r.URL.Scheme == "http") {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, fmt.Errorf("oidcfed: %s: providers are reached over https only", r.URL.Redacted())
	}
	return g.next.RoundTrip(r)
}

// clientContext carries our HTTP client (its timeout and scheme guard)
// to go-oidc and oauth2, which read it from the context.
func (pr *Protocol) clientContext(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, pr.client)
}
