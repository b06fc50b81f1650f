package oidcop

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"guestlist/internal/core"
	"guestlist/internal/platform"
)

// codeResponse is a successful authorization response (RFC 6749 section
// 4.1.2) with the issuer (RFC 9207 section 2), so a client talking to
// several providers knows which one answered.
type codeResponse struct {
	Code  string `schema:"code"`
	State string `schema:"state,omitempty"`
	Iss   string `schema:"iss"`
}

// errorResponse is an authorization error response (RFC 6749 section
// 4.1.2.1, OpenID Connect Core 3.1.2.6), also with iss (RFC 9207).
type errorResponse struct {
	Error       string `schema:"error"`
	Description string `schema:"error_description,omitempty"`
	State       string `schema:"state,omitempty"`
	Iss         string `schema:"iss"`
}

func (p *Provider) issuer(t *core.Tenant) string { return p.baseURL + "/" + t.ID + "/v2.0" }

// issuerContext is what the library's own handlers find in the context.
func (p *Provider) issuerContext(ctx context.Context, t *core.Tenant) context.Context {
	return op.ContextWithIssuer(withTenant(ctx, t), p.issuer(t))
}

// AuthRequest returns a live authorization request of the tenant, if r
// comes from the browser that started it. Errors: core.ErrNotFound,
// ErrOtherBrowser.
func (p *Provider) AuthRequest(r *http.Request, t *core.Tenant, id string) (*core.AuthRequest, error) {
	ar, err := p.storage.st.GetAuthRequest(r.Context(), t.ID, id, p.storage.now())
	if err != nil {
		return nil, err
	}
	if !p.sameBrowser(r, ar) {
		return nil, ErrOtherBrowser
	}
	return ar, nil
}

// Complete records who signed in for an authorization request (SPEC R24),
// if r comes from the browser that started it; a zero authTime means now.
// Errors: core.ErrNotFound, ErrOtherBrowser, core.ErrConflict (already
// complete).
func (p *Provider) Complete(r *http.Request, t *core.Tenant, id, userID string, authTime time.Time, amr []string) error {
	if _, err := p.AuthRequest(r, t, id); err != nil {
		return err
	}
	if authTime.IsZero() {
		authTime = p.storage.now()
	}
	return p.storage.st.CompleteAuthRequest(r.Context(), t.ID, id, userID, authTime, amr)
}

// LoginRequired sends the browser back to the application with
// login_required: it asked for prompt=none and the guest has no usable
// session (OpenID Connect Core 3.1.2.6).
func (p *Provider) LoginRequired(w http.ResponseWriter, r *http.Request, t *core.Tenant, id string) {
	p.answerError(w, r, t, id, "login_required", "the guest is not signed in")
}

// Decline sends the browser back to the application with access_denied:
// the guest declined consent (OpenID Connect Core 3.1.2.6).
func (p *Provider) Decline(w http.ResponseWriter, r *http.Request, t *core.Tenant, id string) {
	p.answerError(w, r, t, id, "access_denied", "the guest declined to share their details")
}

// answerError ends the request id of the browser r with an error at the
// application's redirect URI; without such a request, an error page.
func (p *Provider) answerError(w http.ResponseWriter, r *http.Request, t *core.Tenant, id, code, desc string) {
	ar, err := p.AuthRequest(r, t, id)
	if err != nil {
		p.plainError(w, err)
		return
	}
	p.redirectError(w, r, t, ar, code, desc)
}

// redirectError answers at ar's redirect URI, which the provider checked
// against the client's registered ones when it stored ar.
func (p *Provider) redirectError(w http.ResponseWriter, r *http.Request, t *core.Tenant, ar *core.AuthRequest, code, desc string) {
	resp := errorResponse{Error: code, Description: desc, State: ar.State, Iss: p.issuer(t)}
	p.respond(w, r, ar, resp)
}

// respond sends an authorization response the way the request asked
// (query, fragment or form post).
func (p *Provider) respond(w http.ResponseWriter, r *http.Request, ar *core.AuthRequest, resp any) {
	mode := oidc.ResponseMode(ar.ResponseMode)
	if mode == oidc.ResponseModeFormPost {
		if err := op.AuthResponseFormPost(w, ar.RedirectURI, resp, p.op.Encoder()); err != nil {
			p.plainError(w, err)
		}
		return
	}
	to, err := op.AuthResponseURL(ar.RedirectURI, oidc.ResponseType(ar.ResponseType), mode, resp, p.op.Encoder())
	if err != nil {
		p.plainError(w, err)
		return
	}
	http.Redirect(w, r, to, http.StatusFound)
}

// plainError answers an error that may not go to the application: an
// RFC 6749 error object, never a redirect.
func (p *Provider) plainError(w http.ResponseWriter, err error) {
	status, code, desc := http.StatusBadRequest, "invalid_request", "the sign-in request has expired or does not exist"
	switch {
	case errors.Is(err, ErrOtherBrowser):
		status, code, desc = http.StatusForbidden, "access_denied", "the sign-in was started in another browser"
	case errors.Is(err, core.ErrNotFound):
	case errors.Is(err, core.ErrUnavailable):
		status, code, desc = http.StatusServiceUnavailable, "temporarily_unavailable", "try again in a moment"
	default:
		p.log.Error("oidc: authorization response", "err", err)
		status, code, desc = http.StatusInternalServerError, "server_error", "internal error"
	}
	w.Header().Set("Cache-Control", "no-store")
	platform.WriteJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// CallbackURL is where a completed sign-in returns to, to finish the
// authorization request with a code.
func (p *Provider) CallbackURL(ctx context.Context, t *core.Tenant, requestID string) string {
	return op.AuthCallbackURL(p.op)(op.ContextWithIssuer(ctx, p.issuer(t)), requestID)
}

// callback hands the code of a completed request to the browser that
// started it, and to no other (SPEC R32): the code goes out once.
func (p *Provider) callback(w http.ResponseWriter, r *http.Request, t *core.Tenant) {
	ctx := p.issuerContext(r.Context(), t)
	r = r.WithContext(ctx)
	ar, err := p.AuthRequest(r, t, r.URL.Query().Get("id"))
	if err != nil {
		p.plainError(w, err)
		return
	}
	if !ar.Done {
		p.redirectError(w, r, t, ar, "interaction_required", "the guest has not signed in")
		return
	}
	code, err := op.CreateAuthRequestCode(ctx, p.storage.wrap(ar), p.storage, p.op.Crypto())
	if errors.Is(err, core.ErrConflict) {
		p.plainError(w, core.ErrNotFound) // its code was already handed out
		return
	} else if err != nil {
		p.plainError(w, err)
		return
	}
	p.respond(w, r, ar, codeResponse{Code: code, State: ar.State, Iss: p.issuer(t)})
}

// withIss adds the issuer to an error response the library sends to the
// application's redirect URI (RFC 9207 section 2: every authorization
// response), in the part of the URI that carries the response.
func withIss(location, issuer string) string {
	u, err := url.Parse(location)
	if err != nil {
		return location
	}
	if strings.Contains(u.RawFragment+u.Fragment, "error=") {
		f, _ := url.ParseQuery(u.Fragment)
		f.Set("iss", issuer)
		u.RawFragment = f.Encode()
		u.Fragment, _ = url.PathUnescape(u.RawFragment)
		return u.String()
	}
	q := u.Query()
	q.Set("iss", issuer)
	u.RawQuery = q.Encode()
	return u.String()
}

// discoveryDocument is the library's discovery document and what it has
// no field for.
type discoveryDocument struct {
	*oidc.DiscoveryConfiguration
	// RFC 9207 section 3: authorization responses carry iss.
	ISSParameterSupported bool `json:"authorization_response_iss_parameter_supported"`
}

// discovery advertises only what works end to end (SPEC R32): the
// authorization code flow (no implicit or hybrid response types), the
// code, refresh and client credentials grants (no JWT bearer, device or
// token exchange grant), PKCE with S256, and pairwise subjects — the sub
// differs per application (OpenID Connect Core 8).
func (p *Provider) discovery(w http.ResponseWriter, r *http.Request, t *core.Tenant) {
	platform.WriteJSON(w, http.StatusOK, p.discoveryDoc(r, t))
}

// discoveryDoc is the discovery document of t's issuer.
func (p *Provider) discoveryDoc(r *http.Request, t *core.Tenant) discoveryDocument {
	c := op.CreateDiscoveryConfig(p.issuerContext(r.Context(), t), p.op, p.storage)
	c.SubjectTypesSupported = []string{"pairwise"}
	c.ResponseTypesSupported = []string{string(oidc.ResponseTypeCode)}
	c.GrantTypesSupported = []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken, oidc.GrantTypeClientCredentials}
	c.CodeChallengeMethodsSupported = []oidc.CodeChallengeMethod{oidc.CodeChallengeMethodS256}
	c.DeviceAuthorizationEndpoint, c.CheckSessionIframe = "", ""
	c.RequestObjectSigningAlgValuesSupported = nil
	c.TokenEndpointAuthSigningAlgValuesSupported = nil
	c.IntrospectionEndpointAuthMethodsSupported = []oidc.AuthMethod{oidc.AuthMethodBasic}
	c.IntrospectionEndpointAuthSigningAlgValuesSupported = nil
	c.RevocationEndpointAuthSigningAlgValuesSupported = nil
	return discoveryDocument{DiscoveryConfiguration: c, ISSParameterSupported: true}
}
