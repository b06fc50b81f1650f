package oidcop

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"guestlist/internal/core"
	"guestlist/internal/platform"
)

// userinfo answers the userinfo endpoint (OpenID Connect Core 5.3). A
// missing, invalid, expired or revoked access token is 401 with the
// challenge of RFC 6750 section 3, so a client knows to get a new token;
// expiry is checked on the server's clock.
func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request, t *core.Tenant) {
	ctx := p.issuerContext(r.Context(), t)
	r = r.WithContext(ctx)
	token, err := op.ParseUserinfoRequest(r, p.op.Decoder())
	if err != nil || token == "" {
		// No credentials: a bare challenge (RFC 6750 section 3.1).
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+p.issuer(t)+`"`)
		platform.WriteJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_request", "error_description": "no access token"})
		return
	}
	claims, err := op.VerifyAccessToken[*oidc.AccessTokenClaims](ctx, token, p.op.AccessTokenVerifier(ctx))
	if err != nil {
		p.invalidToken(w, t, "the access token is not valid")
		return
	}
	if !p.storage.now().Before(claims.Expiration.AsTime().Add(leeway)) {
		p.invalidToken(w, t, "the access token has expired")
		return
	}
	info := new(oidc.UserInfo)
	err = p.storage.SetUserinfoFromToken(ctx, info, claims.JWTID, claims.Subject, "")
	var oe *oidc.Error
	switch {
	case errors.As(err, &oe):
		p.invalidToken(w, t, "the access token has been revoked")
	case err != nil:
		p.plainError(w, err)
	default:
		w.Header().Set("Cache-Control", "no-store")
		platform.WriteJSON(w, http.StatusOK, info)
	}
}

// invalidToken is RFC 6750 section 3.1's invalid_token.
func (p *Provider) invalidToken(w http.ResponseWriter, t *core.Tenant, desc string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="`+p.issuer(t)+`", error="invalid_token", error_description="`+desc+`"`)
	platform.WriteJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": desc})
}

// clientAuthFailed is the one answer to every failed client
// authentication at the token endpoint: an unknown client id and a wrong
// secret look the same, so the endpoint does not tell which client ids
// exist.
var clientAuthFailed = []byte(`{"error":"invalid_client","error_description":"client authentication failed"}`)

// token runs the library's token endpoint and rewrites its
// invalid_client answers: always 401 with the same body, and the Basic
// challenge when the client sent HTTP Basic credentials (RFC 6749 section
// 5.2).
func (p *Provider) token(w http.ResponseWriter, r *http.Request, t *core.Tenant) {
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	p.op.ServeHTTP(rec, r)
	var e struct {
		Error string `json:"error"`
	}
	if rec.status/100 == 4 && json.Unmarshal(rec.body.Bytes(), &e) == nil && e.Error == string(oidc.InvalidClient) {
		if _, _, basic := r.BasicAuth(); basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="`+p.issuer(t)+`"`)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(clientAuthFailed)))
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write(clientAuthFailed)
		return
	}
	for k, v := range rec.header {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}

// recorder keeps a response (token responses are small) so it can be
// rewritten before it is sent.
type recorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}
