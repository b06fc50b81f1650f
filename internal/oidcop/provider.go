package oidcop

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

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
	log     *slog.Logger
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
}

// NewProvider builds the provider on the store.
func NewProvider(st store.Store, keys *Keys, ring *platform.Keyring, now platform.Clock, ts *tenants.Service,
	baseURL string, log *slog.Logger, opts Options) (*Provider, error) {
	opts.Lifetimes.defaults()
	if opts.Access == nil {
		return nil, errors.New("oidcop: Options.Access is required")
	}
	baseURL = strings.TrimSuffix(baseURL, "/")
	s := &storage{st: st, ring: ring, keys: keys, now: now, life: opts.Lifetimes, graphAudience: baseURL + "/v1.0",
		login: func(tid, id string) string { return baseURL + opts.LoginPath(tid, id) }}
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
	return &Provider{op: p, storage: s, tenants: ts, baseURL: baseURL, log: log}, nil
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
		p.op.ServeHTTP(w, r2)
	})
}

// CallbackURL is where a completed sign-in returns to, to finish the
// authorization request with a code.
func (p *Provider) CallbackURL(ctx context.Context, t *core.Tenant, requestID string) string {
	return op.AuthCallbackURL(p.op)(op.ContextWithIssuer(ctx, p.baseURL+"/"+t.ID+"/v2.0"), requestID)
}

// AuthRequest returns a live authorization request of the tenant.
func (p *Provider) AuthRequest(ctx context.Context, t *core.Tenant, id string) (*core.AuthRequest, error) {
	return p.storage.st.GetAuthRequest(ctx, t.ID, id, p.storage.now())
}

// Complete records who signed in for an authorization request (SPEC R24);
// a zero authTime means now.
func (p *Provider) Complete(ctx context.Context, t *core.Tenant, id, userID string, authTime time.Time, amr []string) error {
	if authTime.IsZero() {
		authTime = p.storage.now()
	}
	return p.storage.st.CompleteAuthRequest(ctx, t.ID, id, userID, authTime, amr)
}

// LoginRequired sends the browser back to the application with
// login_required: it asked for prompt=none and the guest has no usable
// session (OpenID Connect Core 3.1.2.6).
func (p *Provider) LoginRequired(w http.ResponseWriter, r *http.Request, t *core.Tenant, id string) {
	ctx := op.ContextWithIssuer(withTenant(r.Context(), t), p.baseURL+"/"+t.ID+"/v2.0")
	req, err := p.storage.AuthRequestByID(ctx, id)
	if err != nil {
		req = nil
	}
	op.AuthRequestError(w, r.WithContext(ctx), req, oidc.ErrLoginRequired(), p.op)
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
