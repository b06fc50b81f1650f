package oidcop

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"guestlist/internal/core"
	"guestlist/internal/i18n"
	"guestlist/internal/platform"
	"guestlist/internal/store"
	"guestlist/internal/tenants"
)

// Provider is the OpenID provider of every tenant (SPEC R32), built on
// zitadel/oidc's op package: the library owns the protocol (validation of
// /authorize, PKCE, the token endpoint's grants, ID tokens, JWKS, userinfo,
// end session); this package gives it our storage and hands sign-in to the
// guest pages.
//
// Each tenant has its own issuer {base}/{tenantId}/v2.0; the endpoints live
// under it at the library's paths: /.well-known/openid-configuration,
// /authorize, /oauth/token, /keys, /userinfo, /end_session, /revoke,
// /oauth/introspect. The token endpoint also answers at Entra's
// /{tenant}/oauth2/v2.0/token.
type Provider struct {
	op      *op.Provider
	storage *storage
	tenants *tenants.Service
	baseURL string
	secure  bool // https: Secure, __Host- cookies
	log     *slog.Logger
	// authorizeLimit is how many authorization requests one client
	// address may make in a tenant per authorizeWindow.
	authorizeLimit int
	refusalPage    RefusalPage
}

// Options configure the provider.
type Options struct {
	Lifetimes Lifetimes
	// LoginPath is the sign-in page of an authorization request:
	// LoginPath(tenantID, requestID).
	LoginPath func(tenantID, requestID string) string
	// Access is asked on every refresh, userinfo and introspection whether
	// the user may still use the application (required).
	Access Access
	// LogoutPath is the page that confirms a logout without a valid
	// id_token_hint, or says the guest is signed out.
	LogoutPath func(tenantID string) string
	// AuthorizeLimit is how many authorization requests one client
	// address may make in a tenant per 10 minutes (default 100).
	AuthorizeLimit int
	// RefusalPage shows a request that cannot go back to the application
	// (unknown client, unregistered redirect URI); nil answers with an
	// RFC 6749 error object instead.
	RefusalPage RefusalPage
}

// NewProvider builds the provider on the store.
func NewProvider(st store.Store, keys *Keys, ring *platform.Keyring, now platform.Clock, ts *tenants.Service,
	baseURL string, log *slog.Logger, opts Options) (*Provider, error) {
	opts.Lifetimes.defaults()
	if opts.Access == nil {
		return nil, errors.New("oidcop: Options.Access is required")
	}
	baseURL = strings.TrimSuffix(baseURL, "/")
	s := &storage{st: st, ring: ring, keys: keys, now: now, life: opts.Lifetimes, graphAudience: baseURL + "/v1.0", baseURL: baseURL,
		login:  func(tid, id string) string { return baseURL + opts.LoginPath(tid, id) },
		logout: func(tid string) string { return baseURL + opts.LogoutPath(tid) }}
	s.access = opts.Access
	var crypto [32]byte
	copy(crypto[:], ring.Hash("oidc-code-encryption", ""))
	var locales []language.Tag
	for _, l := range i18n.Languages {
		locales = append(locales, language.MustParse(l))
	}
	cfg := &op.Config{
		CryptoKey: crypto, CodeMethodS256: true, AuthMethodPost: true, GrantTypeRefreshToken: true,
		SupportedUILocales: locales,
		SupportedClaims: []string{"sub", "aud", "exp", "iat", "iss", "auth_time", "nonce", "acr", "amr",
			"email", "email_verified", "name", "preferred_username", "oid", "tid", "idp"},
		SupportedScopes: []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, oidc.ScopeOfflineAccess},
	}
	issuer := func(insecure bool) (op.IssuerFromRequest, error) {
		return func(r *http.Request) string {
			if t, err := tenantOf(r.Context()); err == nil {
				return baseURL + "/" + t.ID + "/v2.0"
			}
			return baseURL
		}, nil
	}
	// The library's default endpoint paths, deliberately: its
	// WithCustom…Endpoint options write into the package-wide default
	// endpoints every provider shares (a data race between providers).
	options := []op.Option{op.WithLogger(log.WithGroup("oidc"))}
	if strings.HasPrefix(baseURL, "http://") {
		options = append(options, op.WithAllowInsecure())
	}
	p, err := op.NewProvider(cfg, s, issuer, options...)
	if err != nil {
		return nil, err
	}
	if opts.AuthorizeLimit <= 0 {
		opts.AuthorizeLimit = defaultAuthorizeLimit
	}
	return &Provider{op: p, storage: s, tenants: ts, baseURL: baseURL, secure: strings.HasPrefix(baseURL, "https://"), log: log,
		authorizeLimit: opts.AuthorizeLimit, refusalPage: opts.RefusalPage}, nil
}

// Routes mounts the provider under /{tenant}/v2.0/ and the Entra-shaped
// token endpoint /{tenant}/oauth2/v2.0/token.
func (p *Provider) Routes(mux *http.ServeMux) {
	mux.Handle("/{tenant}/v2.0/{rest...}", p.tenantScoped(func(tenant, path string) string {
		return strings.TrimPrefix(path, "/"+tenant+"/v2.0")
	}))
	mux.Handle("POST /{tenant}/oauth2/v2.0/token", p.tenantScoped(func(string, string) string {
		return p.op.TokenEndpoint().Relative()
	}))
	p.commonRoutes(mux) // SPEC R31
}

// tenantScoped resolves {tenant} (id or domain), puts it in the context
// for the storage and the issuer, and hands the rest of the path to the
// library's router.
func (p *Provider) tenantScoped(route func(tenant, path string) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, err := p.tenants.Resolve(r.Context(), r.PathValue("tenant"))
		if err != nil {
			status, code := http.StatusNotFound, "invalid_tenant"
			if !errors.Is(err, core.ErrNotFound) {
				status, code = http.StatusServiceUnavailable, "temporarily_unavailable"
			}
			platform.WriteJSON(w, status, map[string]string{"error": code, "error_description": "unknown organization"})
			return
		}
		r2 := r.WithContext(withTenant(r.Context(), t))
		r2.URL = withPath(r.URL, route(r.PathValue("tenant"), r.URL.Path))
		if r2.URL.Path == p.op.TokenEndpoint().Relative() || r2.URL.Path == p.op.RevocationEndpoint().Relative() {
			// Token responses, errors included, must not be cached (RFC
			// 6749 section 5.1); the library sets it only on success.
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Pragma", "no-cache")
		}
		if p.serveOwn(w, r2, t) {
			return
		}
		p.op.ServeHTTP(w, r2)
	})
}

// serveOwn answers the endpoints (or the parts of them) the provider
// handles itself rather than the library; it reports whether it did.
func (p *Provider) serveOwn(w http.ResponseWriter, r *http.Request, t *core.Tenant) bool {
	switch r.URL.Path {
	case p.op.AuthorizationEndpoint().Relative():
		p.authorize(w, r, t)
	case p.op.AuthorizationEndpoint().Relative() + "/callback":
		p.callback(w, r, t)
	case oidc.DiscoveryEndpoint:
		p.discovery(w, r, t)
	case p.op.UserinfoEndpoint().Relative():
		p.userinfo(w, r, t)
	case p.op.TokenEndpoint().Relative():
		p.token(w, r, t)
	case p.op.EndSessionEndpoint().Relative():
		p.endSession(w, r, t)
	default:
		return false
	}
	return true
}

// withPath is a copy of u with another path, for the library's router.
func withPath(u *url.URL, path string) *url.URL {
	c := *u
	c.Path = path
	c.RawPath = ""
	if c.Path == "" {
		c.Path = "/"
	}
	return &c
}
