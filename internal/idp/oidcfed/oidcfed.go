package oidcfed

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"guestlist/internal/core"
	"guestlist/internal/idp/federation"
	"guestlist/internal/platform"
)

// Options tune how the deployment talks to OpenID providers; zero fields
// take the defaults given.
type Options struct {
	// Timeout bounds every request to a provider (discovery, keys, code
	// exchange): 5s.
	Timeout time.Duration
	// AllowInsecureHTTP lets providers be reached over http:// (tests'
	// loopback partners).
	AllowInsecureHTTP bool
	// GoogleDiscoveryURL is Google's discovery document: google.DiscoveryURL
	// unless a test points it at a local provider.
	GoogleDiscoveryURL string
	// CacheTTL is how long a discovery document is used: 1h.
	CacheTTL time.Duration
}

// Protocol speaks OpenID Connect to partners' providers and Google.
type Protocol struct {
	keys    *platform.Keyring
	baseURL string
	now     platform.Clock
	opts    Options
	client  *http.Client

	mu    sync.Mutex
	cache map[cacheKey]*discovered
}

var _ federation.Protocol = (*Protocol)(nil)

// New returns the protocol; baseURL is the deployment's public URL, under
// which partners register the redirect URI {baseURL}/{tenant}/federation/callback.
func New(keys *platform.Keyring, baseURL string, now platform.Clock, opts Options) *Protocol {
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.CacheTTL <= 0 {
		opts.CacheTTL = time.Hour
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	return &Protocol{
		keys: keys, baseURL: strings.TrimSuffix(baseURL, "/"), now: now, opts: opts,
		client: &http.Client{Timeout: opts.Timeout, Transport: schemeGuard{next: transport, allowHTTP: opts.AllowInsecureHTTP}},
		cache:  map[cacheKey]*discovered{},
	}
}

// RedirectURI is where p's provider sends the guest back.
func (pr *Protocol) RedirectURI(tenantID string) string {
	return pr.baseURL + "/" + tenantID + "/federation/callback"
}

// config is the OAuth 2.0 client we are at p's provider.
func (pr *Protocol) config(p *core.IdentityProvider, d *discovered, secret platform.Secret) *oauth2.Config {
	ep := d.provider.Endpoint()
	ep.AuthStyle = d.authStyle
	return &oauth2.Config{ClientID: p.OIDC.ClientID, ClientSecret: string(secret), Endpoint: ep,
		RedirectURL: pr.RedirectURI(p.TenantID), Scopes: scopes(p.OIDC.Scope)}
}

// scopes are the configured scopes, openid always among them; by default
// openid email profile, which carry the claims a guest is known by.
func scopes(configured string) []string {
	s := strings.Fields(configured)
	if len(s) == 0 {
		return []string{oidc.ScopeOpenID, oidc.ScopeEmail, oidc.ScopeProfile}
	}
	if !slices.Contains(s, oidc.ScopeOpenID) {
		s = append([]string{oidc.ScopeOpenID}, s...)
	}
	return s
}

// Redirect sends the guest to p with the authorization code flow: a new
// nonce (req.RequestID) and PKCE verifier (req.Verifier) for this sign-in
// only, state = relay.
func (pr *Protocol) Redirect(ctx context.Context, p *core.IdentityProvider, req *core.FederationRequest, relay string) (string, error) {
	if rt := p.OIDC.ResponseType; rt != "" && rt != "code" {
		return "", federation.Errorf(federation.Unavailable, fmt.Errorf("oidcfed: response type %q is not supported, only code", rt))
	}
	d, err := pr.discover(ctx, p)
	if err != nil {
		return "", federation.Errorf(federation.Unavailable, err)
	}
	req.RequestID, req.Verifier = platform.NewToken(), oauth2.GenerateVerifier()
	return pr.config(p, d, "").AuthCodeURL(relay, oauth2.S256ChallengeOption(req.Verifier), oidc.Nonce(req.RequestID)), nil
}

// Verify takes the provider's answer to req: it exchanges the code (with
// the PKCE verifier) for an ID token, verifies the token and returns who
// it asserts. The tokens are not kept.
func (pr *Protocol) Verify(ctx context.Context, p *core.IdentityProvider, req *core.FederationRequest, params map[string]string) (core.FederationResult, error) {
	if e := params["error"]; e != "" {
		return core.FederationResult{}, federation.Errorf(federation.Refused,
			fmt.Errorf("oidcfed: the provider answered %s: %s", e, params["error_description"]))
	}
	code := params["code"]
	if code == "" {
		return core.FederationResult{}, federation.Errorf(federation.Invalid, errors.New("oidcfed: the answer has neither a code nor an error"))
	}
	d, err := pr.discover(ctx, p)
	if err != nil {
		return core.FederationResult{}, federation.Errorf(federation.Unavailable, err)
	}
	// RFC 9207 section 2.4: an answer naming another issuer is a mix-up
	// (another provider's code sent here); its code must not be spent.
	// A provider that announces iss always sends it, so an answer
	// without it did not come from that provider.
	if iss, ok := params["iss"]; (ok || d.issParam) && iss != d.issuer {
		return core.FederationResult{}, federation.Errorf(federation.Invalid,
			fmt.Errorf("oidcfed: the answer comes from issuer %q, not %q (RFC 9207)", iss, d.issuer))
	}
	idt, err := pr.exchange(ctx, p, d, req, code)
	if err != nil {
		return core.FederationResult{}, err
	}
	res, err := identity(idt, p.OIDC.ClaimsMapping)
	if err != nil {
		return core.FederationResult{}, federation.Errorf(federation.Invalid, err)
	}
	res.Issuer = d.issuer
	if p.Kind == core.ProviderGoogle {
		res.Issuer = federation.Issuer(p)
	}
	return res, nil
}

// exchange redeems the code and verifies the ID token that comes back.
func (pr *Protocol) exchange(ctx context.Context, p *core.IdentityProvider, d *discovered, req *core.FederationRequest, code string) (*oidc.IDToken, error) {
	var secret platform.Secret
	if len(p.ClientSecret) > 0 {
		s, err := pr.keys.Open(p.ClientSecret, federation.SecretAAD(p.TenantID, p.ID))
		if err != nil {
			return nil, federation.Errorf(federation.Unavailable, fmt.Errorf("oidcfed: client secret: %w", err))
		}
		secret = s
	}
	ctx = pr.clientContext(ctx)
	tok, err := pr.config(p, d, secret).Exchange(ctx, code, oauth2.VerifierOption(req.Verifier))
	if err != nil {
		return nil, exchangeError(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, federation.Errorf(federation.Invalid, errors.New("oidcfed: the token response has no ID token"))
	}
	idt, err := d.provider.Verifier(&oidc.Config{ClientID: p.OIDC.ClientID, Now: pr.now}).Verify(ctx, raw)
	if err != nil {
		// go-oidc flattens the key fetch's error into text: a provider
		// whose keys cannot be fetched is unavailable, not lying.
		if strings.Contains(err.Error(), "fetching keys") {
			return nil, federation.Errorf(federation.Unavailable, fmt.Errorf("oidcfed: ID token: %w", err))
		}
		return nil, federation.Errorf(federation.Invalid, fmt.Errorf("oidcfed: ID token: %w", err))
	}
	// Core 1.0 section 3.1.3.7 step 11: the token was issued for this
	// sign-in, not replayed from another.
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(req.RequestID)) != 1 || req.RequestID == "" {
		return nil, federation.Errorf(federation.Invalid, errors.New("oidcfed: the ID token's nonce is not this sign-in's"))
	}
	return idt, nil
}

// exchangeError sorts a failed code exchange: a code the provider does
// not honour (used, expired, another verifier or redirect URI) is an
// invalid answer; anything else (unreachable, slow, 5xx, our client
// refused) is the provider being unusable.
func exchangeError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.ErrorCode == "invalid_grant" {
			return federation.Errorf(federation.Invalid, fmt.Errorf("oidcfed: code exchange: %w", err))
		}
		return federation.Errorf(federation.Unavailable, fmt.Errorf("oidcfed: code exchange: %w", err))
	}
	return federation.Errorf(federation.Unavailable, fmt.Errorf("oidcfed: code exchange: %w", err))
}
