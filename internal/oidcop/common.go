package oidcop

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"guestlist/internal/core"
	"guestlist/internal/platform"
)

// The common endpoint (SPEC R31) for multi-tenant applications, shaped
// like Entra's /common/v2.0: its discovery names the issuer with the
// literal {tenantid} placeholder, since the tenant is known only once the
// guest picked their organization; the tokens are then the tenant's own
// (iss {base}/{tenantId}/v2.0, tid).
//
// Model: a multi-tenant application (signInAudience AzureADMultipleOrgs)
// is registered in its home tenant and signs guests in to that tenant
// only. Entra would also let guests of other organizations in once their
// administrators consented (a service principal in each); guestlist does
// not: picking another organization there leads to its own authorization
// endpoint, which does not know the application.

// commonTenantID stands for "no tenant yet" in the library's context and
// the throttle's events: the keys are the deployment's, whoever asks.
const commonTenantID = "common"

// CommonPickPath is where /common/v2.0/authorize sends the guest to pick
// their organization; the authorization request rides along as the
// authorize parameter (the picker then continues at the chosen tenant's
// /authorize with it).
const CommonPickPath = "/common/signin"

// aadsts50194 is Entra's description of a single-tenant application used
// through /common.
const aadsts50194 = "AADSTS50194: Application '%s'(%s) is not configured as a multi-tenant application. " +
	"Usage of the /common endpoint is not supported for such applications. " +
	"Use a tenant-specific endpoint or configure the application to be multi-tenant."

func (p *Provider) commonRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /common/v2.0/.well-known/openid-configuration", p.commonDiscovery)
	mux.HandleFunc("/common/v2.0/authorize", p.commonAuthorize)
	mux.HandleFunc("POST /common/v2.0/oauth/token", p.commonToken)
	mux.HandleFunc("GET /common/v2.0/keys", func(w http.ResponseWriter, r *http.Request) {
		p.commonServe(w, r, &core.Tenant{ID: commonTenantID}, p.op.KeysEndpoint().Relative())
	})
}

// commonDiscovery is Entra's multi-tenant metadata: what works through
// /common (authorize, token, keys), the issuer as a template. Userinfo,
// logout, revocation and introspection are the tenant's, named by its
// own discovery.
func (p *Provider) commonDiscovery(w http.ResponseWriter, r *http.Request) {
	doc := p.discoveryDoc(r, &core.Tenant{ID: commonTenantID})
	doc.Issuer = p.baseURL + "/{tenantid}/v2.0"
	doc.UserinfoEndpoint, doc.EndSessionEndpoint = "", ""
	doc.RevocationEndpoint, doc.IntrospectionEndpoint = "", ""
	doc.RevocationEndpointAuthMethodsSupported, doc.IntrospectionEndpointAuthMethodsSupported = nil, nil
	platform.WriteJSON(w, http.StatusOK, doc)
}

// homeApp is the application with this client id, in its home tenant:
// the oldest registration if ids ever collide across tenants.
func (p *Provider) homeApp(r *http.Request, clientID string) (*core.Application, *core.Tenant, error) {
	apps, err := p.storage.st.ApplicationsByClientID(r.Context(), clientID)
	if err != nil {
		return nil, nil, err
	}
	if len(apps) == 0 || apps[0].IsAdmin {
		return nil, nil, core.NotFoundf("no application %s", clientID)
	}
	t, err := p.storage.st.GetTenant(r.Context(), apps[0].TenantID)
	if err != nil {
		return nil, nil, err
	}
	return &apps[0], t, nil
}

// commonAuthorize checks the request as the home tenant's endpoint would
// (client, redirect URI, throttle), refuses a single-tenant application
// with Entra's AADSTS50194 at its redirect URI, and sends the guest to
// pick their organization with the request unchanged.
func (p *Provider) commonAuthorize(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		w.Header().Set("Cache-Control", "no-store")
		platform.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "the method is not allowed"})
		return
	}
	if len(r.URL.RawQuery) > maxAuthorizeQuery {
		p.refuse(w, r, nil, RefusedRequest, "the request is too large")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxAuthorizeQuery)
	if err := r.ParseForm(); err != nil {
		p.refuse(w, r, nil, RefusedRequest, "the request is too large or malformed")
		return
	}
	if !p.allowAuthorize(w, r, &core.Tenant{ID: commonTenantID}) {
		return
	}
	app, home, err := p.homeApp(r, r.Form.Get("client_id"))
	if errors.Is(err, core.ErrNotFound) {
		p.refuse(w, r, nil, RefusedClient, "this application is not registered")
		return
	} else if err != nil {
		p.plainError(w, err)
		return
	}
	ar, ok := p.checkRedirect(w, r.WithContext(withTenant(r.Context(), home)), home)
	if !ok {
		return
	}
	if app.SignInAudience != core.AudienceMultipleOrgs {
		p.redirectError(w, r, home, ar, "invalid_request", fmt.Sprintf(aadsts50194, app.AppID, app.DisplayName))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, CommonPickPath+"?"+url.Values{"authorize": {r.Form.Encode()}}.Encode(), http.StatusFound)
}

// commonToken is the token endpoint of the common metadata: the client
// id (form or HTTP Basic) names the application, whose home tenant issued
// the code and answers. An unknown client gets the token endpoint's one
// answer to failed client authentication.
func (p *Provider) commonToken(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	r.Body = http.MaxBytesReader(w, r.Body, maxAuthorizeQuery)
	clientID, _, basic := r.BasicAuth()
	if !basic {
		if err := r.ParseForm(); err != nil {
			platform.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "malformed request"})
			return
		}
		clientID = r.PostForm.Get("client_id")
	} else if id, err := url.QueryUnescape(clientID); err == nil {
		clientID = id // RFC 6749 section 2.3.1: form-encoded
	}
	app, home, err := p.homeApp(r, strings.TrimSpace(clientID))
	if errors.Is(err, core.ErrNotFound) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write(clientAuthFailed)
		return
	} else if err != nil {
		p.plainError(w, err)
		return
	}
	if app.SignInAudience != core.AudienceMultipleOrgs {
		platform.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request",
			"error_description": fmt.Sprintf(aadsts50194, app.AppID, app.DisplayName)})
		return
	}
	r2 := r.WithContext(withTenant(r.Context(), home))
	r2.URL = withPath(r.URL, p.op.TokenEndpoint().Relative())
	p.token(w, r2, home)
}

// commonServe hands r to the library at path, in t's context.
func (p *Provider) commonServe(w http.ResponseWriter, r *http.Request, t *core.Tenant, path string) {
	r2 := r.WithContext(withTenant(r.Context(), t))
	r2.URL = withPath(r.URL, path)
	p.op.ServeHTTP(w, r2)
}
