package graph

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"guestlist/internal/apps"
	"guestlist/internal/core"
	"guestlist/internal/invite"
	"guestlist/internal/oidcop"
	"guestlist/internal/platform"
	"guestlist/internal/policy"
	"guestlist/internal/redeem"
	"guestlist/internal/store"
	"guestlist/internal/users"
)

// API serves /v1.0/.
type API struct {
	st      store.Store
	keys    *platform.Keyring // MACs of $skiptoken
	tokens  *oidcop.Verifier
	invites *invite.Service
	users   *users.Service
	apps    *apps.Service
	signin  *redeem.Service
	deploy  policy.Deployment
	now     platform.Clock
	log     *slog.Logger
	baseURL string
	// pageSize is the page size without $top (Graph's 100).
	pageSize int
}

// New returns the API.
func New(st store.Store, keys *platform.Keyring, tokens *oidcop.Verifier, invites *invite.Service, users *users.Service, apps *apps.Service, signin *redeem.Service, deploy policy.Deployment, now platform.Clock, baseURL string, log *slog.Logger) *API {
	return &API{st: st, keys: keys, pageSize: defaultPageSize, tokens: tokens, invites: invites, users: users, apps: apps, signin: signin, deploy: deploy, now: now, log: log, baseURL: strings.TrimSuffix(baseURL, "/")}
}

type tenantKey struct{}

// handler is an API handler that runs for an authenticated tenant and
// returns an error to be mapped to Graph's shape.
type handler func(w http.ResponseWriter, r *http.Request, t *core.Tenant) error

// authed checks the bearer token and loads its tenant (a deleted tenant's
// tokens stop working at once).
func (a *API) authed(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, err := a.authenticate(r)
		if err == nil {
			err = h(w, r, t)
		}
		if err != nil {
			platform.WriteError(w, a.log, err)
		}
	}
}

func (a *API) authenticate(r *http.Request) (*core.Tenant, error) {
	raw, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || raw == "" {
		return nil, core.Errorf(core.ErrUnauthenticated, "InvalidAuthenticationToken", "Access token is empty.")
	}
	c, err := a.tokens.Verify(r.Context(), strings.TrimSpace(raw))
	if err != nil {
		return nil, err
	}
	t, err := a.st.GetTenant(r.Context(), c.TenantID)
	if errors.Is(err, core.ErrNotFound) {
		return nil, core.Errorf(core.ErrUnauthenticated, "InvalidAuthenticationToken", "the token's tenant no longer exists")
	} else if err != nil {
		return nil, err
	}
	return t, nil
}

// Routes registers every /v1.0/ route on mux. Unknown /v1.0/ paths are
// answered by the server's root handler in the same error shape (a catch-all
// here would overlap the /{tenant}/… guest routes).
func (a *API) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1.0/invitations", a.authed(a.createInvitation))
	mux.HandleFunc("GET /v1.0/invitations", a.authed(a.listInvitations))
	mux.HandleFunc("GET /v1.0/invitations/{id}", a.authed(a.getInvitation))
	mux.HandleFunc("GET /v1.0/users", a.authed(a.listUsers))
	mux.HandleFunc("GET /v1.0/users/{id}", a.authed(a.getUser))
	mux.HandleFunc("PATCH /v1.0/users/{id}", a.authed(a.patchUser))
	mux.HandleFunc("DELETE /v1.0/users/{id}", a.authed(a.deleteUser))
	mux.HandleFunc("POST /v1.0/users/{id}/revokeSignInSessions", a.authed(a.revokeSignInSessions))
	mux.HandleFunc("POST /v1.0/applications", a.authed(a.createApplication))
	mux.HandleFunc("GET /v1.0/applications", a.authed(a.listApplications))
	mux.HandleFunc("GET /v1.0/applications/{id}", a.authed(a.getApplication))
	mux.HandleFunc("PATCH /v1.0/applications/{id}", a.authed(a.patchApplication))
	mux.HandleFunc("DELETE /v1.0/applications/{id}", a.authed(a.deleteApplication))
	mux.HandleFunc("POST /v1.0/applications/{id}/addPassword", a.authed(a.addPassword))
	mux.HandleFunc("POST /v1.0/applications/{id}/removePassword", a.authed(a.removePassword))
	mux.HandleFunc("GET /v1.0/servicePrincipals", a.authed(a.listServicePrincipals))
	mux.HandleFunc("GET /v1.0/servicePrincipals/{id}", a.authed(a.getServicePrincipal))
	mux.HandleFunc("PATCH /v1.0/servicePrincipals/{id}", a.authed(a.patchServicePrincipal))
	mux.HandleFunc("GET /v1.0/servicePrincipals/{id}/appRoleAssignedTo", a.authed(a.appRoleAssignedTo))
	mux.HandleFunc("POST /v1.0/users/{id}/appRoleAssignments", a.authed(a.createAssignment))
	mux.HandleFunc("GET /v1.0/users/{id}/appRoleAssignments", a.authed(a.listAssignments))
	mux.HandleFunc("DELETE /v1.0/users/{id}/appRoleAssignments/{assignmentId}", a.authed(a.deleteAssignment))
	const email = "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email"
	mux.HandleFunc("GET "+email, a.authed(a.getEmailPolicy))
	mux.HandleFunc("PATCH "+email, a.authed(a.patchEmailPolicy))
}

func (a *API) context(entity string) string { return a.baseURL + "/v1.0/$metadata#" + entity }
