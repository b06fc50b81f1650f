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
	"guestlist/internal/providers"
	"guestlist/internal/redeem"
	"guestlist/internal/roles"
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
	// providers administers identity providers (R41).
	providers *providers.Service
	// roles administers directory roles.
	roles   *roles.Service
	deploy  policy.Deployment
	now     platform.Clock
	log     *slog.Logger
	baseURL string
	// pageSize is the page size without $top (Graph's 100).
	pageSize int
}

// New returns the API.
func New(st store.Store, keys *platform.Keyring, tokens *oidcop.Verifier, invites *invite.Service, users *users.Service, apps *apps.Service, signin *redeem.Service, idps *providers.Service, dirRoles *roles.Service, deploy policy.Deployment, now platform.Clock, baseURL string, log *slog.Logger) *API {
	return &API{st: st, keys: keys, pageSize: defaultPageSize, tokens: tokens, invites: invites, users: users, apps: apps, signin: signin, providers: idps, roles: dirRoles, deploy: deploy, now: now, log: log, baseURL: strings.TrimSuffix(baseURL, "/")}
}

type tenantKey struct{}

// handler is an API handler that runs for an authenticated tenant and
// returns an error to be mapped to Graph's shape.
type handler func(w http.ResponseWriter, r *http.Request, t *core.Tenant) error

// authed checks the bearer token and loads its tenant (a deleted tenant's
// tokens stop working at once).
func (a *API) authed(h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		t, actor, roles, err := a.authenticate(r)
		if err == nil {
			// Services record the token's application as who made each change (R41).
			ctx := withRoles(core.WithActor(r.Context(), actor), roles)
			err = h(w, r.WithContext(ctx), t)
		}
		if err != nil {
			platform.WriteError(w, r, a.log, err)
		}
	}
}

// authenticate is the token's tenant, application (as the actor of any
// change) and application permissions (roles).
func (a *API) authenticate(r *http.Request) (*core.Tenant, core.Actor, []string, error) {
	raw, ok := platform.BearerToken(r)
	if !ok {
		return nil, core.Actor{}, nil, core.Errorf(core.ErrUnauthenticated, "InvalidAuthenticationToken", "Access token is empty.")
	}
	c, err := a.tokens.Verify(r.Context(), raw)
	if err != nil {
		return nil, core.Actor{}, nil, err
	}
	t, err := a.st.GetTenant(r.Context(), c.TenantID)
	if errors.Is(err, core.ErrNotFound) {
		return nil, core.Actor{}, nil, core.Errorf(core.ErrUnauthenticated, "InvalidAuthenticationToken", "the token's tenant no longer exists")
	} else if err != nil {
		return nil, core.Actor{}, nil, err
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		// A read changes nothing and writes no audit record: the
		// application's name is looked up only for changes.
		return t, core.Actor{AppID: c.AppID}, c.Roles, nil
	}
	actor, err := a.appActor(r.Context(), t.ID, c.AppID)
	return t, actor, c.Roles, err
}

// versions are the API versions served. Graph's beta is a superset of
// v1.0; here both serve the same resources with the same handlers, and
// only @odata.context names the version asked for (Microsoft's own
// documentation uses /beta/ in places, e.g. resetting redemption).
var versions = []string{"v1.0", "beta"}

// route is one method and path (below the version) and its handler.
type route struct {
	method, path string
	h            handler
}

func (a *API) routes() []route {
	const email = "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email"
	const crossTenant = "/policies/crossTenantAccessPolicy/default"
	rs := []route{
		{"POST", "/invitations", a.createInvitation},
		{"GET", "/invitations", a.listInvitations},
		// The literal path is more specific than /invitations/{id}, so
		// the mux sends it here whatever the order (R14).
		{"GET", "/invitations/redemptionPreview", a.redemptionPreview},
		{"GET", "/invitations/{id}", a.getInvitation},
		{"POST", "/invitations/{id}/resend", a.resendInvitation}, // R8, guestlist's own
		{"POST", "/invitations/{id}/revoke", a.revokeInvitation}, // R8, guestlist's own
		{"GET", "/policies/invitationPolicy", a.getInvitationPolicy},
		{"PATCH", "/policies/invitationPolicy", a.patchInvitationPolicy},
		{"POST", "/users", a.createUser},
		{"GET", "/users", a.listUsers},
		// A literal segment: more specific than /users/{id} (R41).
		{"GET", "/users/$count", a.countUsers},
		{"GET", "/users/{id}", a.getUser},
		{"PATCH", "/users/{id}", a.patchUser},
		{"DELETE", "/users/{id}", a.deleteUser},
		{"POST", "/users/{id}/revokeSignInSessions", a.revokeSignInSessions},
		{"POST", "/applications", a.createApplication},
		{"GET", "/applications", a.listApplications},
		{"GET", "/applications/{id}", a.getApplication},
		{"PATCH", "/applications/{id}", a.patchApplication},
		{"DELETE", "/applications/{id}", a.deleteApplication},
		{"POST", "/applications/{id}/addPassword", a.addPassword},
		{"POST", "/applications/{id}/removePassword", a.removePassword},
		{"GET", "/servicePrincipals", a.listServicePrincipals},
		{"GET", "/servicePrincipals/{id}", a.getServicePrincipal},
		{"PATCH", "/servicePrincipals/{id}", a.patchServicePrincipal},
		{"GET", "/servicePrincipals/{id}/appRoleAssignedTo", a.appRoleAssignedTo},
		{"GET", "/auditLogs/directoryAudits", a.listDirectoryAudits},
		{"GET", "/auditLogs/signIns", a.listSignIns},
		{"POST", "/users/{id}/appRoleAssignments", a.createAssignment},
		{"GET", "/users/{id}/appRoleAssignments", a.listAssignments},
		{"DELETE", "/users/{id}/appRoleAssignments/{assignmentId}", a.deleteAssignment},
		{"GET", email, a.getEmailPolicy},
		{"PATCH", email, a.patchEmailPolicy},
		{"GET", "/policies/b2bManagementPolicy", a.getB2BPolicy},
		{"PUT", "/policies/b2bManagementPolicy", a.putB2BPolicy},
		{"GET", "/policies/authorizationPolicy", a.getAuthorizationPolicy},
		{"PATCH", "/policies/authorizationPolicy", a.patchAuthorizationPolicy},
		{"GET", crossTenant, a.getCrossTenantDefault},
		{"PATCH", crossTenant, a.patchCrossTenantDefault},
	}
	rs = append(rs, a.identityProviderRoutes()...)
	rs = append(rs, a.roleRoutes()...)
	return append(rs, a.samlFederationRoutes()...)
}

// Routes registers every route under /v1.0/ and /beta/ on mux, each path
// answering other methods with 405 in Graph's shape. Unknown paths are
// answered by the server's root handler in the same error shape (a
// catch-all here would overlap the /{tenant}/… guest routes).
func (a *API) Routes(mux *http.ServeMux) {
	var rs []platform.Route
	for _, v := range versions {
		for _, rt := range a.routes() {
			rs = append(rs, platform.Route{Method: rt.method, Path: "/" + v + rt.path, Handler: a.authed(rt.h)})
		}
	}
	platform.HandleRoutes(mux, rs)
}

// context is the @odata.context of an answer to r, naming the version r
// asked for.
func (a *API) context(r *http.Request, entity string) string {
	return a.baseURL + "/" + version(r) + "/$metadata#" + entity
}

// version is the API version of r's path.
func version(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, "/beta/") {
		return "beta"
	}
	return "v1.0"
}
