package server_test

import (
	"net/http"
	"net/url"
	"testing"

	"guestlist/internal/servertest"
)

// TestPagingEveryCollection: each collection answers a nextLink while it
// has more than $top items, and a walk sees each item once.
func TestPagingEveryCollection(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	inviteMany(t, s, tn, "guest", 3)
	users := listIDs(t, s, tn.Token, "/v1.0/users")
	var sps []string
	for _, name := range []string{"Board", "Wiki"} {
		app := createApp(t, s, tn, map[string]any{"displayName": name})
		sps = append(sps, servicePrincipal(t, s, tn, app["appId"].(string))["id"].(string))
	}
	for _, sp := range sps {
		for _, uid := range users[:2] {
			var x struct {
				ID string `json:"id"`
			}
			wantAPI(t, "assign", s.DoJSON(t, "POST", "/v1.0/users/"+uid+"/appRoleAssignments", tn.Token,
				map[string]any{"principalId": uid, "resourceId": sp}, &x), http.StatusCreated)
		}
	}
	for _, tc := range []struct{ name, path string }{
		{"users", "/v1.0/users"},
		{"invitations", "/v1.0/invitations"},
		{"applications", "/v1.0/applications"},
		{"servicePrincipals", "/v1.0/servicePrincipals"},
		{"a user's appRoleAssignments", "/v1.0/users/" + users[0] + "/appRoleAssignments"},
		{"appRoleAssignedTo", "/v1.0/servicePrincipals/" + sps[0] + "/appRoleAssignedTo"},
	} {
		path := tc.path
		t.Run(tc.name, func(t *testing.T) {
			all := listIDs(t, s, tn.Token, path)
			if len(all) < 2 {
				t.Fatalf("%s has %d items; the test needs more than $top=1", path, len(all))
			}
			pages := walkPages(t, s, tn.Token, path+"?$top=1", nil)
			if len(pages) != len(all) {
				t.Errorf("%s?$top=1: %d pages for %d items", path, len(pages), len(all))
			}
			once(t, path, pages, all)
		})
	}
}

// TestSkipTokenRejected: a $skiptoken that was changed, cut, made up, or
// issued for another tenant, collection or $filter is Graph's 400; so is
// $top outside 1–999.
func TestSkipTokenRejected(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	// Not contoso.example: a tenant never invites its own domain's
	// addresses, and inviteMany invites those.
	other := s.CreateTenant(t, "Contoso", "contoso.org")
	inviteMany(t, s, tn, "guest", 3)
	inviteMany(t, s, other, "guest", 3)
	token := func(tn servertest.Tenant, path string) string {
		t.Helper()
		var p graphPage
		wantAPI(t, "first page", s.DoJSON(t, "GET", path, tn.Token, nil, &p), http.StatusOK)
		u, err := url.Parse(p.NextLink)
		if err != nil || u.Query().Get("$skiptoken") == "" {
			t.Fatalf("%s: no $skiptoken in nextLink %q", path, p.NextLink)
		}
		return u.Query().Get("$skiptoken")
	}
	mine := token(tn, "/v1.0/users?$top=1")
	flip := []byte(mine)
	mid := len(flip) / 2
	flip[mid] = map[bool]byte{true: 'A', false: 'B'}[flip[mid] != 'A']
	guests := url.Values{"$filter": {"userType eq 'Guest'"}}.Encode()
	for _, tc := range []struct{ name, path string }{
		{"changed", "/v1.0/users?$top=1&$skiptoken=" + string(flip)},
		{"cut", "/v1.0/users?$top=1&$skiptoken=" + mine[:len(mine)-4]},
		{"made up", "/v1.0/users?$skiptoken=eyJ0IjoiYSJ9"},
		{"empty", "/v1.0/users?$skiptoken="},
		{"another tenant's", "/v1.0/users?$top=1&$skiptoken=" + token(other, "/v1.0/users?$top=1")},
		{"another collection's", "/v1.0/invitations?$top=1&$skiptoken=" + mine},
		{"another $filter", "/v1.0/users?" + guests + "&$top=1&$skiptoken=" + mine},
		{"$top=1000", "/v1.0/users?$top=1000"},
		{"$top=0", "/v1.0/users?$top=0"},
		{"$top=1000 on invitations", "/v1.0/invitations?$top=1000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e graphError
			status := s.DoJSON(t, "GET", tc.path, tn.Token, nil, &e)
			if status != http.StatusBadRequest || e.Error.Message == "" ||
				(e.Error.Code != "Request_BadRequest" && e.Error.Code != "Request_UnsupportedQuery") {
				t.Errorf("%s: %d %+v, want Graph's 400", tc.path, status, e)
			}
		})
	}
	// The token itself still works where it was issued.
	var p graphPage
	wantAPI(t, "the unchanged token", s.DoJSON(t, "GET", "/v1.0/users?$top=1&$skiptoken="+mine, tn.Token, nil, &p), http.StatusOK)
}
