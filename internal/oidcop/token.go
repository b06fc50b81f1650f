package oidcop

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/store"
	"guestlist/internal/tenants"
)

// AccessTokenTTL is how long an admin access token is valid.
const AccessTokenTTL = time.Hour

// Issuer issues and checks admin access tokens.
type Issuer struct {
	st      store.Store
	keys    *Keys
	ring    *platform.Keyring
	now     platform.Clock
	tenants *tenants.Service
	baseURL string
	log     *slog.Logger
}

// NewIssuer returns an Issuer for the deployment at baseURL.
func NewIssuer(st store.Store, keys *Keys, ring *platform.Keyring, now platform.Clock, ts *tenants.Service, baseURL string, log *slog.Logger) *Issuer {
	return &Issuer{st: st, keys: keys, ring: ring, now: now, tenants: ts, baseURL: strings.TrimSuffix(baseURL, "/"), log: log}
}

// Claims are an admin access token's claims (Entra's app-only token shape).
type Claims struct {
	jwt.Claims
	TenantID string   `json:"tid"`
	AppID    string   `json:"appid"`
	Roles    []string `json:"roles,omitempty"`
}

// Audience of admin access tokens: the Graph-shaped API.
func (i *Issuer) Audience() string { return i.baseURL + "/v1.0" }

func (i *Issuer) issuer(tenantID string) string { return i.baseURL + "/" + tenantID + "/v2.0" }

// TokenHandler serves POST /{tenant}/oauth2/v2.0/token (client credentials).
// Errors follow RFC 6749 section 5.2.
func (i *Issuer) TokenHandler(w http.ResponseWriter, r *http.Request) {
	tenant, err := i.tenants.Resolve(r.Context(), r.PathValue("tenant"))
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "unknown tenant")
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm == nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "only client_credentials is supported here")
		return
	}
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	app, err := i.authenticate(r.Context(), tenant.ID, id, secret)
	if err != nil {
		if errors.Is(err, core.ErrUnavailable) {
			w.Header().Set("Retry-After", "5")
			oauthError(w, http.StatusServiceUnavailable, "temporarily_unavailable", "try again in a few seconds")
			return
		}
		if !errors.Is(err, core.ErrUnauthenticated) {
			i.log.Error("token: authenticate client", "err", err)
			oauthError(w, http.StatusInternalServerError, "server_error", "try again later")
			return
		}
		if basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="guestlist"`)
		}
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	tok, err := i.Issue(tenant.ID, app.AppID)
	if err != nil {
		i.log.Error("token: sign", "err", err)
		oauthError(w, http.StatusInternalServerError, "server_error", "try again later")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "token_type": "Bearer", "expires_in": int(AccessTokenTTL.Seconds()),
	})
}

func (i *Issuer) authenticate(ctx context.Context, tenantID, id, secret string) (*core.Application, error) {
	bad := core.Errorf(core.ErrUnauthenticated, "invalid_client", "client authentication failed")
	if id == "" || secret == "" || len(id) > 64 || len(secret) > 256 {
		return nil, bad
	}
	app, err := i.st.GetApplication(ctx, tenantID, strings.ToLower(id))
	if errors.Is(err, core.ErrNotFound) {
		return nil, bad
	} else if err != nil {
		return nil, err
	}
	if !app.IsAdmin {
		return nil, bad
	}
	secrets, err := i.st.AppSecrets(ctx, tenantID, app.AppID)
	if err != nil {
		return nil, err
	}
	if !tenants.CheckSecret(i.ring, secrets, app.AppID, secret, i.now()) {
		return nil, bad
	}
	return app, nil
}

// Issue signs an admin access token for appID in tenantID.
func (i *Issuer) Issue(tenantID, appID string) (string, error) {
	now := i.now()
	c := Claims{
		Claims: jwt.Claims{
			Issuer: i.issuer(tenantID), Subject: appID, Audience: jwt.Audience{i.Audience()},
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
			Expiry: jwt.NewNumericDate(now.Add(AccessTokenTTL)), ID: platform.NewToken(),
		},
		TenantID: tenantID, AppID: appID, Roles: []string{"Directory.ReadWrite.All", "User.Invite.All"},
	}
	return jwt.Signed(i.keys.Signer()).Claims(c).Serialize()
}

// Verify checks a bearer token: signature by one of our keys, issuer of its
// own tenant, our audience, not expired. Errors: core.ErrUnauthenticated.
func (i *Issuer) Verify(ctx context.Context, raw string) (*Claims, error) {
	bad := func(msg string) error {
		return core.Errorf(core.ErrUnauthenticated, "InvalidAuthenticationToken", "%s", msg)
	}
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil || len(tok.Headers) != 1 {
		return nil, bad("the access token is malformed")
	}
	key, err := i.keys.Public(ctx, tok.Headers[0].KeyID)
	if errors.Is(err, errUnknownKey) {
		return nil, bad("the access token's signature is not valid")
	} else if err != nil {
		return nil, err // the key store could not be read: not the caller's fault
	}
	var c Claims
	if err := tok.Claims(key, &c); err != nil {
		return nil, bad("the access token's signature is not valid")
	}
	err = c.ValidateWithLeeway(jwt.Expected{
		Issuer: i.issuer(c.TenantID), AnyAudience: jwt.Audience{i.Audience()}, Time: i.now(),
	}, 30*time.Second)
	if err != nil || c.TenantID == "" || c.AppID == "" {
		return nil, bad("the access token has expired or is not for this API")
	}
	return &c, nil
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
