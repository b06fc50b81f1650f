package server_test

import (
	"net/http"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// requireAssignment sets the appRoleAssignmentRequired of the application
// (client id) appID's service principal.
func requireAssignment(t testing.TB, s *servertest.Server, tn servertest.Tenant, appID string, required bool) {
	t.Helper()
	sp := servicePrincipal(t, s, tn, appID)["id"].(string)
	wantAPI(t, "appRoleAssignmentRequired", s.DoJSON(t, "PATCH", "/v1.0/servicePrincipals/"+sp, tn.Token,
		map[string]any{"appRoleAssignmentRequired": required}, nil), http.StatusNoContent)
}

// servicePrincipalView is Graph's servicePrincipal as the tests read it.
type servicePrincipalView struct {
	ID                        string `json:"id"`
	AppID                     string `json:"appId"`
	AppRoleAssignmentRequired *bool  `json:"appRoleAssignmentRequired"`
}

// portalNames are the application names the guest's portal lists.
func portalNames(t testing.TB, g *servertest.Guest, tenantID string) []string {
	t.Helper()
	p := g.Get(t, "/"+tenantID+"/apps")
	if p.Status != http.StatusOK {
		t.Fatalf("portal: %d to %q", p.Status, p.Location)
	}
	var names []string
	for _, m := range portalAppRE.FindAllStringSubmatch(p.Body, -1) {
		names = append(names, m[2])
	}
	return names
}

// TestAssignmentRequiredFlag (SPEC concepts, R7, R30, R32): an application
// does not require assignment by default, so every guest who redeemed may
// sign in to it and sees it on the portal; turning the flag on ends the
// tokens there of every guest who is not assigned, shows them R7's page on
// the direct link and at sign-in and drops it from their portal, and
// leaves assigned guests' tokens alone; turning it off brings no token
// back.
func TestAssignmentRequiredFlag(t *testing.T) {
	t.Parallel()
	x := newSignedIn(t) // assigned to x.rp
	s := x.s
	wiki := newRelyingParty(t, s, x.tn, registerApp(t, s, x.tn, "https://wiki.example/callback"))
	patchApp(t, s, x.tn, wiki.clientID, map[string]any{"displayName": "Wiki", "web": map[string]any{"homePageUrl": "https://wiki.example/"}})
	var sp servicePrincipalView
	wantAPI(t, "GET service principal", s.DoJSON(t, "GET", "/v1.0/servicePrincipals/"+servicePrincipal(t, s, x.tn, wiki.clientID)["id"].(string), x.tn.Token, nil, &sp), http.StatusOK)
	if sp.AppRoleAssignmentRequired == nil || *sp.AppRoleAssignmentRequired {
		t.Fatalf("a new service principal: appRoleAssignmentRequired %v, want false", sp.AppRoleAssignmentRequired)
	}

	// Not assigned, not required: single sign-on works, the portal lists it.
	a, code := wiki.singleSignOn(t, s, x.g)
	wikiTokens := wantTokens(t, "sign-in to an application that does not require assignment", wiki.exchange(t, code, a.verifier))
	wikiTokens = wantAlive(t, wiki, wikiTokens, "at the open application")
	if names := portalNames(t, x.g, x.tn.ID); len(names) != 2 || names[0] != "Project portal" || names[1] != "Wiki" {
		t.Errorf("portal lists %v, want both applications", names)
	}
	portalTokens := wantAlive(t, x.rp, x.first, "at the assigned application")

	// Required: the unassigned guest's tokens there end at once.
	requireAssignment(t, s, x.tn, wiki.clientID, true)
	requireAssignment(t, s, x.tn, x.rp.clientID, true)
	wantDead(t, wiki, wikiTokens, "after the application came to require assignment")
	if in := wiki.introspect(t, wikiTokens.AccessToken); in.Active {
		t.Error("introspection: the unassigned guest's access token is still active")
	}
	portalTokens = wantAlive(t, x.rp, portalTokens, "of an assigned guest after the flag was set")
	if p := open(t, s, x.g, wiki.attempt().url); p.Status != http.StatusForbidden || !strings.Contains(p.Body, textNoAccess) {
		t.Errorf("signing in to the application: %d to %q, want the no-access page", p.Status, p.Location)
	}
	wantRefused(t, x.g.Get(t, "/"+x.tn.ID+"/apps/"+wiki.clientID), http.StatusForbidden, textNoAccess)
	if names := portalNames(t, x.g, x.tn.ID); len(names) != 1 || names[0] != "Project portal" {
		t.Errorf("portal lists %v, want only the assigned application", names)
	}

	// Off again: nothing revoked comes back; a new sign-in works.
	requireAssignment(t, s, x.tn, wiki.clientID, false)
	wantDead(t, wiki, wikiTokens, "after the flag was cleared")
	a, code = wiki.singleSignOn(t, s, x.g)
	wantTokens(t, "a new sign-in after the flag was cleared", wiki.exchange(t, code, a.verifier))
	wantAlive(t, x.rp, portalTokens, "at the assigned application at the end")
}

// TestAppRoleAssignedTo lists an application's assignments, and the
// service principal PATCH refuses what it cannot set.
func TestAppRoleAssignedTo(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	app := registerApp(t, s, tn, "https://board.example/callback", "alice@contoso.example", "bob@contoso.example")
	sp := servicePrincipal(t, s, tn, app.clientID)["id"].(string)
	var list struct {
		Context string `json:"@odata.context"`
		Value   []struct {
			PrincipalID          string `json:"principalId"`
			PrincipalDisplayName string `json:"principalDisplayName"`
			ResourceID           string `json:"resourceId"`
			AppRoleID            string `json:"appRoleId"`
		} `json:"value"`
	}
	wantAPI(t, "appRoleAssignedTo", s.DoJSON(t, "GET", "/v1.0/servicePrincipals/"+sp+"/appRoleAssignedTo", tn.Token, nil, &list), http.StatusOK)
	// Both were assigned at the same instant of the test clock: the order
	// between them is not defined.
	names := map[string]bool{}
	for _, v := range list.Value {
		names[v.PrincipalDisplayName] = true
	}
	if len(list.Value) != 2 || !names["alice"] || !names["bob"] {
		t.Fatalf("appRoleAssignedTo: %+v", list)
	}
	for _, v := range list.Value {
		if v.ResourceID != sp || v.AppRoleID != defaultRole || v.PrincipalID == "" {
			t.Errorf("assignment %+v", v)
		}
	}
	var e graphError
	if status := s.DoJSON(t, "GET", "/v1.0/servicePrincipals/00000000-0000-4000-8000-000000000001/appRoleAssignedTo", tn.Token, nil, &e); status != http.StatusNotFound || e.Error.Code != "Request_ResourceNotFound" {
		t.Errorf("unknown service principal: %d %+v", status, e)
	}

	admin := servicePrincipal(t, s, tn, tn.AppID)["id"].(string)
	for _, tc := range []struct {
		name   string
		path   string
		body   any
		status int
	}{
		{"unknown property", sp, map[string]any{"displayName": "x"}, 400},
		{"not a boolean", sp, map[string]any{"appRoleAssignmentRequired": "true"}, 400},
		{"nothing to set", sp, map[string]any{}, 400},
		{"the admin application", admin, map[string]any{"appRoleAssignmentRequired": true}, 400},
		{"unknown service principal", "00000000-0000-4000-8000-000000000001", map[string]any{"appRoleAssignmentRequired": true}, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e graphError
			if status := s.DoJSON(t, "PATCH", "/v1.0/servicePrincipals/"+tc.path, tn.Token, tc.body, &e); status != tc.status || e.Error.Code == "" {
				t.Errorf("%d %+v, want %d", status, e, tc.status)
			}
		})
	}
}
