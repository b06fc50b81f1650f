package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"guestlist/internal/servertest"
)

// Applications as an administrator registers and shares them (SPEC R5,
// R7, R30, R32, R41): Graph's applications with their service principals,
// client secrets shown once, and users' app role assignments.

const defaultRole = "00000000-0000-0000-0000-000000000000"

// createApp registers an application and returns its Graph JSON.
func createApp(t testing.TB, s *servertest.Server, tn servertest.Tenant, body map[string]any) map[string]any {
	t.Helper()
	status, app := s.Do(t, "POST", "/v1.0/applications", tn.Token, body)
	if status != http.StatusCreated {
		t.Fatalf("create application: %d %v", status, app)
	}
	return app
}

// servicePrincipal finds an application's service principal by appId.
func servicePrincipal(t testing.TB, s *servertest.Server, tn servertest.Tenant, appID string) map[string]any {
	t.Helper()
	q := url.Values{"$filter": {"appId eq '" + appID + "'"}}
	status, body := s.Do(t, "GET", "/v1.0/servicePrincipals?"+q.Encode(), tn.Token, nil)
	if status != http.StatusOK {
		t.Fatalf("service principals: %d %v", status, body)
	}
	list := values(t, body)
	if len(list) != 1 || list[0]["appId"] != appID {
		t.Fatalf("service principals of %s: %v", appID, list)
	}
	return list[0]
}

// tokenStatus runs the client credentials grant and returns the status.
func tokenStatus(t testing.TB, s *servertest.Server, tenantID, clientID, secret string) int {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}}
	r := call(t, s, "POST", "/"+tenantID+"/oauth2/v2.0/token", "", "application/x-www-form-urlencoded",
		strings.NewReader(form.Encode()))
	return r.Status
}

// rawOrJSON is a request body: a string as it is, nil as none, anything
// else as JSON.
func rawOrJSON(t testing.TB, v any) io.Reader {
	t.Helper()
	switch b := v.(type) {
	case nil:
		return nil
	case string:
		return strings.NewReader(b)
	}
	return jsonBody(t, v)
}

func toJSON(t testing.TB, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestApplications(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	start := s.Clock.Now()
	tn := s.CreateTenant(t, "Fabrikam")
	other := s.CreateTenant(t, "Woodgrove")

	// The admin application is listed, with its first secret's hint only.
	status, body := s.Do(t, "GET", "/v1.0/applications", tn.Token, nil)
	if status != http.StatusOK {
		t.Fatalf("list: %d %v", status, body)
	}
	list := values(t, body)
	if len(list) != 1 || list[0]["appId"] != tn.AppID || list[0]["id"] == tn.AppID {
		t.Fatalf("a new tenant's applications: %v", list)
	}
	admin := list[0]
	creds := admin["passwordCredentials"].([]any)
	if len(creds) != 1 {
		t.Fatalf("admin application's passwordCredentials: %v", creds)
	}
	cred := creds[0].(map[string]any)
	if cred["hint"] != tn.ClientSecret[:3] || cred["keyId"] == "" || cred["endDateTime"] != nil {
		t.Errorf("admin application's secret: %v", cred)
	}
	if _, shown := cred["secretText"]; shown || strings.Contains(toJSON(t, body), tn.ClientSecret) {
		t.Errorf("the list shows the secret: %v", body)
	}

	app := createApp(t, s, tn, map[string]any{
		"displayName": "  Expenses  ",
		"web": map[string]any{
			"redirectUris": []string{"https://expenses.example/cb", "https://expenses.example/cb", "http://localhost:8080/cb"},
			"homePageUrl":  "https://expenses.example/",
		},
		"spa":          map[string]any{"redirectUris": []string{"http://127.0.0.1:3000/"}},
		"publicClient": map[string]any{"redirectUris": []string{"com.example.expenses:/callback", "http://[::1]/cb"}},
	})
	id, appID := app["id"].(string), app["appId"].(string)
	web := app["web"].(map[string]any)
	switch {
	case id == "" || appID == "" || id == appID:
		t.Errorf("ids: id %q, appId %q", id, appID)
	case app["displayName"] != "Expenses":
		t.Errorf("displayName %q, want trimmed", app["displayName"])
	case !slices.Equal(strs(web["redirectUris"]), []string{"https://expenses.example/cb", "http://localhost:8080/cb"}):
		t.Errorf("web redirect URIs (duplicates removed): %v", web["redirectUris"])
	case web["homePageUrl"] != "https://expenses.example/":
		t.Errorf("homePageUrl: %v", web["homePageUrl"])
	case !slices.Equal(strs(app["spa"].(map[string]any)["redirectUris"]), []string{"http://127.0.0.1:3000/"}):
		t.Errorf("spa: %v", app["spa"])
	case len(app["publicClient"].(map[string]any)["redirectUris"].([]any)) != 2:
		t.Errorf("publicClient: %v", app["publicClient"])
	case len(app["passwordCredentials"].([]any)) != 0:
		t.Errorf("a new application has secrets: %v", app["passwordCredentials"])
	case app["createdDateTime"] != start.Format(time.RFC3339):
		t.Errorf("createdDateTime %v", app["createdDateTime"])
	}

	status, got := s.Do(t, "GET", "/v1.0/applications/"+id, tn.Token, nil)
	if status != http.StatusOK || got["appId"] != appID || got["displayName"] != "Expenses" {
		t.Errorf("get: %d %v", status, got)
	}

	// PATCH changes what it names and leaves the rest.
	status, _ = s.Do(t, "PATCH", "/v1.0/applications/"+id, tn.Token, map[string]any{
		"displayName": "Travel & expenses", "spa": map[string]any{"redirectUris": []string{}},
		"web": map[string]any{"homePageUrl": "https://travel.example/"},
	})
	if status != http.StatusNoContent {
		t.Fatalf("patch: %d", status)
	}
	_, got = s.Do(t, "GET", "/v1.0/applications/"+id, tn.Token, nil)
	web = got["web"].(map[string]any)
	if got["displayName"] != "Travel & expenses" || len(got["spa"].(map[string]any)["redirectUris"].([]any)) != 0 ||
		web["homePageUrl"] != "https://travel.example/" || len(web["redirectUris"].([]any)) != 2 {
		t.Errorf("after PATCH: %v", got)
	}

	// The service principal came with the application.
	sp := servicePrincipal(t, s, tn, appID)
	spID := sp["id"].(string)
	if spID == id || spID == appID || sp["displayName"] != "Travel & expenses" {
		t.Errorf("service principal: %v", sp)
	}
	status, got = s.Do(t, "GET", "/v1.0/servicePrincipals/"+spID, tn.Token, nil)
	if status != http.StatusOK || got["appId"] != appID || got["id"] != spID {
		t.Errorf("get service principal: %d %v", status, got)
	}
	status, body = s.Do(t, "GET", "/v1.0/servicePrincipals", tn.Token, nil)
	if status != http.StatusOK || len(values(t, body)) != 2 {
		t.Errorf("all service principals: %d %v", status, body)
	}

	t.Run("other tenant", func(t *testing.T) {
		for _, tc := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/v1.0/applications/" + id, nil},
			{"PATCH", "/v1.0/applications/" + id, map[string]any{"displayName": "Mine"}},
			{"DELETE", "/v1.0/applications/" + id, nil},
			{"POST", "/v1.0/applications/" + id + "/addPassword", nil},
			{"POST", "/v1.0/applications/" + admin["id"].(string) + "/removePassword", map[string]any{"keyId": cred["keyId"]}},
			{"GET", "/v1.0/servicePrincipals/" + spID, nil},
		} {
			r := call(t, s, tc.method, tc.path, other.Token, "application/json", rawOrJSON(t, tc.body))
			wantGraphError(t, r, http.StatusNotFound, "Request_ResourceNotFound")
		}
		_, body := s.Do(t, "GET", "/v1.0/applications", other.Token, nil)
		if list := values(t, body); len(list) != 1 || list[0]["appId"] != other.AppID {
			t.Errorf("tenant B lists: %v", list)
		}
		q := url.Values{"$filter": {"appId eq '" + appID + "'"}}
		_, body = s.Do(t, "GET", "/v1.0/servicePrincipals?"+q.Encode(), other.Token, nil)
		if list := values(t, body); len(list) != 0 {
			t.Errorf("tenant B finds A's service principal: %v", list)
		}
		if status, _ := s.Do(t, "GET", "/v1.0/applications/"+id, tn.Token, nil); status != http.StatusOK {
			t.Errorf("tenant A lost its application to B: %d", status)
		}
	})

	// The admin application stays: the API signs in with it.
	msg := wantGraphError(t, call(t, s, "DELETE", "/v1.0/applications/"+admin["id"].(string), tn.Token, "", nil),
		http.StatusForbidden, "Authorization_RequestDenied")
	if !strings.Contains(msg, "admin application") {
		t.Errorf("message %q does not say why", msg)
	}

	if status, _ := s.Do(t, "DELETE", "/v1.0/applications/"+id, tn.Token, nil); status != http.StatusNoContent {
		t.Fatalf("delete: %d", status)
	}
	for _, path := range []string{"/v1.0/applications/" + id, "/v1.0/servicePrincipals/" + spID} {
		wantGraphError(t, call(t, s, "GET", path, tn.Token, "", nil), http.StatusNotFound, "Request_ResourceNotFound")
	}
	wantGraphError(t, call(t, s, "DELETE", "/v1.0/applications/"+id, tn.Token, "", nil), http.StatusNotFound, "Request_ResourceNotFound")
	if status, _ := s.Do(t, "GET", "/v1.0/users", tn.Token, nil); status != http.StatusOK {
		t.Errorf("the admin token stopped working: %d", status)
	}
}

// TestApplicationPasswords: a second secret for the admin application
// works at the token endpoint, a removed one stops, the last one cannot be
// removed, and secrets of other applications get no token (client
// credentials are for the admin application).
func TestApplicationPasswords(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	start := s.Clock.Now()
	tn := s.CreateTenant(t, "Fabrikam")
	_, body := s.Do(t, "GET", "/v1.0/applications", tn.Token, nil)
	admin := values(t, body)[0]
	adminPath := "/v1.0/applications/" + admin["id"].(string)
	firstKey := admin["passwordCredentials"].([]any)[0].(map[string]any)["keyId"]

	end := start.Add(90 * 24 * time.Hour).Format(time.RFC3339)
	status, added := s.Do(t, "POST", adminPath+"/addPassword", tn.Token, map[string]any{
		"passwordCredential": map[string]any{"displayName": "rotation 2026", "endDateTime": end}})
	if status != http.StatusOK {
		t.Fatalf("addPassword: %d %v", status, added)
	}
	secret, _ := added["secretText"].(string)
	switch {
	case len(secret) < 16:
		t.Fatalf("secretText %q", secret)
	case added["hint"] != secret[:3] || added["displayName"] != "rotation 2026" || added["endDateTime"] != end:
		t.Errorf("addPassword answer: %v", added)
	case added["startDateTime"] != start.Format(time.RFC3339) || added["keyId"] == firstKey:
		t.Errorf("addPassword answer: %v", added)
	}
	_, got := s.Do(t, "GET", adminPath, tn.Token, nil)
	if creds := got["passwordCredentials"].([]any); len(creds) != 2 || strings.Contains(toJSON(t, got), secret) {
		t.Errorf("after addPassword: %v", got)
	}

	if st := tokenStatus(t, s, tn.ID, tn.AppID, secret); st != http.StatusOK {
		t.Errorf("token with the second secret: %d", st)
	}
	if status, _ := s.Do(t, "POST", adminPath+"/removePassword", tn.Token, map[string]any{"keyId": firstKey}); status != http.StatusNoContent {
		t.Fatalf("removePassword: %d", status)
	}
	if st := tokenStatus(t, s, tn.ID, tn.AppID, tn.ClientSecret); st != http.StatusUnauthorized {
		t.Errorf("token with the removed secret: %d, want 401", st)
	}
	if st := tokenStatus(t, s, tn.ID, tn.AppID, secret); st != http.StatusOK {
		t.Errorf("token with the remaining secret: %d", st)
	}
	wantGraphError(t, call(t, s, "POST", adminPath+"/removePassword", tn.Token, "application/json",
		jsonBody(t, map[string]any{"keyId": firstKey})), http.StatusNotFound, "Request_ResourceNotFound")
	msg := wantGraphError(t, call(t, s, "POST", adminPath+"/removePassword", tn.Token, "application/json",
		jsonBody(t, map[string]any{"keyId": added["keyId"]})), http.StatusForbidden, "Authorization_RequestDenied")
	if !strings.Contains(msg, "last") {
		t.Errorf("message %q does not say it is the last secret", msg)
	}

	// Without a body: no name, two years.
	status, dflt := s.Do(t, "POST", adminPath+"/addPassword", tn.Token, nil)
	if status != http.StatusOK || dflt["displayName"] != nil ||
		dflt["endDateTime"] != start.Add(2*365*24*time.Hour).Format(time.RFC3339) {
		t.Errorf("addPassword without a body: %d %v", status, dflt)
	}

	// Another application's secret gets no token.
	app := createApp(t, s, tn, map[string]any{"displayName": "Expenses"})
	status, appSecret := s.Do(t, "POST", "/v1.0/applications/"+app["id"].(string)+"/addPassword", tn.Token, map[string]any{})
	if status != http.StatusOK {
		t.Fatalf("addPassword to an application: %d %v", status, appSecret)
	}
	if st := tokenStatus(t, s, tn.ID, app["appId"].(string), appSecret["secretText"].(string)); st != http.StatusUnauthorized {
		t.Errorf("client credentials of a non-admin application: %d, want 401", st)
	}
	if status, _ := s.Do(t, "POST", "/v1.0/applications/"+app["id"].(string)+"/removePassword", tn.Token,
		map[string]any{"keyId": appSecret["keyId"]}); status != http.StatusNoContent {
		t.Errorf("removing an application's only secret: %d", status)
	}

	// An expired secret no longer authenticates.
	short := start.Add(time.Hour).Format(time.RFC3339)
	_, expiring := s.Do(t, "POST", adminPath+"/addPassword", tn.Token, map[string]any{
		"passwordCredential": map[string]any{"endDateTime": short}})
	if st := tokenStatus(t, s, tn.ID, tn.AppID, expiring["secretText"].(string)); st != http.StatusOK {
		t.Errorf("token with a fresh expiring secret: %d", st)
	}
	s.Clock.Advance(61 * time.Minute)
	if st := tokenStatus(t, s, tn.ID, tn.AppID, expiring["secretText"].(string)); st != http.StatusUnauthorized {
		t.Errorf("token with an expired secret: %d, want 401", st)
	}
	if st := tokenStatus(t, s, tn.ID, tn.AppID, secret); st != http.StatusOK {
		t.Errorf("token with an unexpired secret: %d", st)
	}
}

func TestAppRoleAssignments(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	start := s.Clock.Now()
	tn := s.CreateTenant(t, "Fabrikam")
	other := s.CreateTenant(t, "Woodgrove")
	alice := userID(s.Invite(t, tn, "alice@contoso.example", map[string]any{"invitedUserDisplayName": "Alice"}))
	bob := userID(s.Invite(t, other, "bob@contoso.example", nil))
	app := createApp(t, s, tn, map[string]any{"displayName": "Expenses"})
	sp := servicePrincipal(t, s, tn, app["appId"].(string))["id"].(string)
	otherApp := createApp(t, s, other, map[string]any{"displayName": "Payroll"})
	otherSP := servicePrincipal(t, s, other, otherApp["appId"].(string))["id"].(string)
	adminSP := servicePrincipal(t, s, tn, tn.AppID)["id"].(string)
	path := "/v1.0/users/" + alice + "/appRoleAssignments"

	// A pending guest can be assigned.
	status, x := s.Do(t, "POST", path, tn.Token, map[string]any{"principalId": alice, "resourceId": sp, "appRoleId": defaultRole})
	if status != http.StatusCreated {
		t.Fatalf("assign: %d %v", status, x)
	}
	if x["id"] == "" || x["principalId"] != alice || x["principalDisplayName"] != "Alice" || x["resourceId"] != sp ||
		x["resourceDisplayName"] != "Expenses" || x["appRoleId"] != defaultRole || x["principalType"] != "User" ||
		x["createdDateTime"] != start.Format(time.RFC3339) {
		t.Errorf("assignment: %v", x)
	}
	msg := wantGraphError(t, call(t, s, "POST", path, tn.Token, "application/json",
		jsonBody(t, map[string]any{"principalId": alice, "resourceId": sp})), http.StatusBadRequest, "Request_BadRequest")
	if !strings.Contains(msg, "already assigned") {
		t.Errorf("conflict message %q", msg)
	}
	status, body := s.Do(t, "GET", path, tn.Token, nil)
	if list := values(t, body); status != http.StatusOK || len(list) != 1 || list[0]["id"] != x["id"] ||
		list[0]["resourceDisplayName"] != "Expenses" {
		t.Errorf("list: %d %v", status, body)
	}

	t.Run("not found", func(t *testing.T) {
		for _, tc := range []struct {
			name, method, path, token string
			body                      any
		}{
			{"unknown user", "POST", "/v1.0/users/6d1f5a8e-0000-4000-8000-000000000000/appRoleAssignments", tn.Token,
				map[string]any{"principalId": "6d1f5a8e-0000-4000-8000-000000000000", "resourceId": sp}},
			{"unknown resource", "POST", path, tn.Token, map[string]any{"principalId": alice, "resourceId": "6d1f5a8e-0000-4000-8000-000000000000"}},
			{"another tenant's resource", "POST", path, tn.Token, map[string]any{"principalId": alice, "resourceId": otherSP}},
			{"another tenant's user", "POST", path, other.Token, map[string]any{"principalId": alice, "resourceId": otherSP}},
			{"list another tenant's user", "GET", path, other.Token, nil},
			{"delete from another tenant", "DELETE", path + "/" + x["id"].(string), other.Token, nil},
			{"list unknown user", "GET", "/v1.0/users/6d1f5a8e-0000-4000-8000-000000000000/appRoleAssignments", tn.Token, nil},
			{"delete another user's assignment", "DELETE", "/v1.0/users/" + bob + "/appRoleAssignments/" + x["id"].(string), other.Token, nil},
			{"delete unknown assignment", "DELETE", path + "/6d1f5a8e-0000-4000-8000-000000000000", tn.Token, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := call(t, s, tc.method, tc.path, tc.token, "application/json", rawOrJSON(t, tc.body))
				wantGraphError(t, r, http.StatusNotFound, "Request_ResourceNotFound")
			})
		}
	})

	msg = wantGraphError(t, call(t, s, "POST", path, tn.Token, "application/json",
		jsonBody(t, map[string]any{"principalId": alice, "resourceId": adminSP})), http.StatusBadRequest, "Request_BadRequest")
	if !strings.Contains(msg, "admin application") {
		t.Errorf("assigning the admin application: %q", msg)
	}

	if status, _ := s.Do(t, "DELETE", path+"/"+x["id"].(string), tn.Token, nil); status != http.StatusNoContent {
		t.Fatalf("delete: %d", status)
	}
	wantGraphError(t, call(t, s, "DELETE", path+"/"+x["id"].(string), tn.Token, "", nil), http.StatusNotFound, "Request_ResourceNotFound")
	if _, body := s.Do(t, "GET", path, tn.Token, nil); len(values(t, body)) != 0 {
		t.Errorf("after delete: %v", body)
	}

	// Deleting the application ends its assignments; deleting the user too.
	if status, _ := s.Do(t, "POST", path, tn.Token, map[string]any{"principalId": alice, "resourceId": sp}); status != http.StatusCreated {
		t.Fatalf("assign again: %d", status)
	}
	s.Do(t, "DELETE", "/v1.0/applications/"+app["id"].(string), tn.Token, nil)
	if _, body := s.Do(t, "GET", path, tn.Token, nil); len(values(t, body)) != 0 {
		t.Errorf("assignments of a deleted application: %v", body)
	}
	app2 := createApp(t, s, tn, map[string]any{"displayName": "Travel"})
	sp2 := servicePrincipal(t, s, tn, app2["appId"].(string))["id"].(string)
	if status, _ := s.Do(t, "POST", path, tn.Token, map[string]any{"principalId": alice, "resourceId": sp2}); status != http.StatusCreated {
		t.Fatalf("assign to Travel: %d", status)
	}
	if status, _ := s.Do(t, "DELETE", "/v1.0/users/"+alice, tn.Token, nil); status != http.StatusNoContent {
		t.Fatalf("delete user: %d", status)
	}
	wantGraphError(t, call(t, s, "GET", path, tn.Token, "", nil), http.StatusNotFound, "Request_ResourceNotFound")
}

// TestApplicationsRejectBadInput: every mistake is a Graph error with a
// message that names what to fix, never a 500.
func TestApplicationsRejectBadInput(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam")
	alice := userID(s.Invite(t, tn, "alice@contoso.example", nil))
	app := createApp(t, s, tn, map[string]any{"displayName": "Expenses"})
	appPath := "/v1.0/applications/" + app["id"].(string)
	sp := servicePrincipal(t, s, tn, app["appId"].(string))["id"].(string)
	assign := "/v1.0/users/" + alice + "/appRoleAssignments"

	web := func(uris ...string) map[string]any {
		return map[string]any{"displayName": "X", "web": map[string]any{"redirectUris": uris}}
	}
	kind := func(k string, uris ...string) map[string]any {
		return map[string]any{"displayName": "X", k: map[string]any{"redirectUris": uris}}
	}
	long := "https://app.example/" + strings.Repeat("a", 237)
	many := make([]string, 257)
	for i := range many {
		many[i] = "https://app.example/cb" + strings.Repeat("x", i%200) + string(rune('a'+i/200))
	}
	const unknown = "6d1f5a8e-0000-4000-8000-000000000000"

	tests := []struct {
		name, method, path string
		body               any // string: raw
		status             int
		code               string
		mention            string
	}{
		{"missing displayName", "POST", "/v1.0/applications", map[string]any{}, 400, "Request_BadRequest", "displayName"},
		{"blank displayName", "POST", "/v1.0/applications", map[string]any{"displayName": "  "}, 400, "Request_BadRequest", "displayName"},
		{"displayName as number", "POST", "/v1.0/applications", map[string]any{"displayName": 5}, 400, "Request_BadRequest", "displayName"},
		{"displayName too long", "POST", "/v1.0/applications", map[string]any{"displayName": strings.Repeat("a", 257)}, 400, "Request_BadRequest", "displayName"},
		{"displayName with control character", "POST", "/v1.0/applications", map[string]any{"displayName": "a\x00b"}, 400, "Request_BadRequest", "displayName"},
		{"unknown property", "POST", "/v1.0/applications", map[string]any{"displayName": "X", "identifierUris": []string{}}, 400, "Request_BadRequest", "identifierUris"},
		{"personal accounts audience", "POST", "/v1.0/applications", map[string]any{"displayName": "X", "signInAudience": "AzureADandPersonalMicrosoftAccount"}, 400, "Request_BadRequest", "signInAudience"},
		{"web as string", "POST", "/v1.0/applications", map[string]any{"displayName": "X", "web": "https://a.example"}, 400, "Request_BadRequest", "web"},
		{"redirectUris as string", "POST", "/v1.0/applications", map[string]any{"displayName": "X", "web": map[string]any{"redirectUris": "https://a.example/"}}, 400, "Request_BadRequest", "redirectUris"},
		{"malformed JSON", "POST", "/v1.0/applications", `{"displayName":`, 400, "Request_BadRequest", "JSON"},
		{"empty body", "POST", "/v1.0/applications", ``, 400, "Request_BadRequest", "empty"},
		{"http redirect", "POST", "/v1.0/applications", web("http://app.example/cb"), 400, "Request_BadRequest", "http://app.example/cb"},
		{"relative redirect", "POST", "/v1.0/applications", web("/cb"), 400, "Request_BadRequest", `"/cb"`},
		{"fragment", "POST", "/v1.0/applications", web("https://app.example/cb#x"), 400, "Request_BadRequest", "fragment"},
		{"wildcard", "POST", "/v1.0/applications", web("https://*.app.example/cb"), 400, "Request_BadRequest", "wildcard"},
		{"user info", "POST", "/v1.0/applications", web("https://user:pw@app.example/cb"), 400, "Request_BadRequest", "password"},
		{"empty redirect", "POST", "/v1.0/applications", web(""), 400, "Request_BadRequest", "empty"},
		{"space", "POST", "/v1.0/applications", web("https://app.example/a b"), 400, "Request_BadRequest", "spaces"},
		{"no host", "POST", "/v1.0/applications", web("https:///cb"), 400, "Request_BadRequest", "host"},
		{"bad port", "POST", "/v1.0/applications", web("https://app.example:99999x/cb"), 400, "Request_BadRequest", "app.example"},
		{"too long", "POST", "/v1.0/applications", web(long), 400, "Request_BadRequest", "256"},
		{"too many", "POST", "/v1.0/applications", web(many...), 400, "Request_BadRequest", "at most 256"},
		{"custom scheme on web", "POST", "/v1.0/applications", web("com.example.app:/cb"), 400, "Request_BadRequest", "com.example.app:/cb"},
		{"custom scheme on spa", "POST", "/v1.0/applications", kind("spa", "com.example.app:/cb"), 400, "Request_BadRequest", "spa.redirectUris"},
		{"javascript on publicClient", "POST", "/v1.0/applications", kind("publicClient", "javascript:alert(1)"), 400, "Request_BadRequest", "javascript"},
		{"file on publicClient", "POST", "/v1.0/applications", kind("publicClient", "file:///etc/passwd"), 400, "Request_BadRequest", "file"},
		{"scheme only on publicClient", "POST", "/v1.0/applications", kind("publicClient", "com.example.app:"), 400, "Request_BadRequest", "path"},
		{"ftp home page", "POST", "/v1.0/applications", map[string]any{"displayName": "X", "web": map[string]any{"homePageUrl": "ftp://a.example/"}}, 400, "Request_BadRequest", "homePageUrl"},
		{"patch bad redirect", "PATCH", appPath, web("http://app.example/cb"), 400, "Request_BadRequest", "web.redirectUris"},
		{"patch blank name", "PATCH", appPath, map[string]any{"displayName": ""}, 400, "Request_BadRequest", "displayName"},
		{"patch id", "PATCH", appPath, map[string]any{"appId": unknown}, 400, "Request_BadRequest", "appId"},
		{"patch unknown application", "PATCH", "/v1.0/applications/" + unknown, map[string]any{"displayName": "X"}, 404, "Request_ResourceNotFound", ""},
		{"get unknown application", "GET", "/v1.0/applications/" + unknown, nil, 404, "Request_ResourceNotFound", ""},
		{"list with unknown filter", "GET", "/v1.0/applications?$filter=displayName%20eq%20'X'", nil, 400, "Request_UnsupportedQuery", "displayName"},
		{"list with orderby", "GET", "/v1.0/applications?$orderby=displayName", nil, 400, "Request_UnsupportedQuery", "$orderby"},
		{"addPassword past end", "POST", appPath + "/addPassword", map[string]any{"passwordCredential": map[string]any{"endDateTime": "2020-01-01T00:00:00Z"}}, 400, "Request_BadRequest", "endDateTime"},
		{"addPassword bad end", "POST", appPath + "/addPassword", map[string]any{"passwordCredential": map[string]any{"endDateTime": "next year"}}, 400, "Request_BadRequest", "endDateTime"},
		{"addPassword secretText", "POST", appPath + "/addPassword", map[string]any{"passwordCredential": map[string]any{"secretText": "mine"}}, 400, "Request_BadRequest", "secretText"},
		{"addPassword array", "POST", appPath + "/addPassword", `[]`, 400, "Request_BadRequest", "object"},
		{"addPassword unknown application", "POST", "/v1.0/applications/" + unknown + "/addPassword", nil, 404, "Request_ResourceNotFound", ""},
		{"removePassword without keyId", "POST", appPath + "/removePassword", map[string]any{}, 400, "Request_BadRequest", "keyId"},
		{"removePassword keyId number", "POST", appPath + "/removePassword", map[string]any{"keyId": 1}, 400, "Request_BadRequest", "keyId"},
		{"removePassword unknown key", "POST", appPath + "/removePassword", map[string]any{"keyId": unknown}, 404, "Request_ResourceNotFound", unknown},
		{"service principals by name", "GET", "/v1.0/servicePrincipals?$filter=displayName%20eq%20'X'", nil, 400, "Request_UnsupportedQuery", "appId"},
		{"service principals bad filter", "GET", "/v1.0/servicePrincipals?$filter=appId%20eq%20'x", nil, 400, "Request_UnsupportedQuery", "unterminated"},
		{"unknown service principal", "GET", "/v1.0/servicePrincipals/" + unknown, nil, 404, "Request_ResourceNotFound", ""},
		{"assign without principal", "POST", assign, map[string]any{"resourceId": sp}, 400, "Request_BadRequest", "principalId"},
		{"assign another principal", "POST", assign, map[string]any{"principalId": unknown, "resourceId": sp}, 400, "Request_BadRequest", "principalId"},
		{"assign without resource", "POST", assign, map[string]any{"principalId": alice}, 400, "Request_BadRequest", "resourceId"},
		{"assign other role", "POST", assign, map[string]any{"principalId": alice, "resourceId": sp, "appRoleId": unknown}, 400, "Request_BadRequest", "appRoleId"},
		{"assign resource as number", "POST", assign, map[string]any{"principalId": alice, "resourceId": 7}, 400, "Request_BadRequest", "resourceId"},
		{"assign malformed", "POST", assign, `{`, 400, "Request_BadRequest", "JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, tc.method, tc.path, tn.Token, "application/json", rawOrJSON(t, tc.body))
			msg := wantGraphError(t, r, tc.status, tc.code)
			if tc.mention != "" && !strings.Contains(strings.ToLower(msg), strings.ToLower(tc.mention)) {
				t.Errorf("message %q does not mention %q", msg, tc.mention)
			}
		})
	}

	// Accepted: Entra's loopback and private-use forms.
	ok := createApp(t, s, tn, map[string]any{
		"displayName":    "Native",
		"signInAudience": "AzureADMyOrg",
		"web":            map[string]any{"redirectUris": []string{"http://localhost/cb", "https://app.example/cb?x=1"}},
		"publicClient":   map[string]any{"redirectUris": []string{"com.example.app:/callback", "msal1234://auth", "http://127.0.0.1:5000"}},
	})
	if len(ok["publicClient"].(map[string]any)["redirectUris"].([]any)) != 3 {
		t.Errorf("accepted URIs: %v", ok)
	}
}

// TestSignInActivity: users show signInActivity, null until they sign in
// and the time of the sign-in after.
func TestSignInActivity(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam")
	const email = "alice@contoso.example"
	inv := s.Invite(t, tn, email, nil)
	id := userID(inv)

	status, u := s.Do(t, "GET", "/v1.0/users/"+id+"?$select=signInActivity", tn.Token, nil)
	activity, present := u["signInActivity"].(map[string]any)
	if status != http.StatusOK || !present || activity["lastSignInDateTime"] != nil {
		t.Fatalf("a pending guest's signInActivity: %d %v", status, u)
	}
	if _, has := activity["lastSignInDateTime"]; !has {
		t.Errorf("signInActivity without lastSignInDateTime: %v", activity)
	}

	s.Clock.Advance(5 * time.Minute)
	signedIn := s.Clock.Now().Format(time.RFC3339)
	g := s.NewGuest("en")
	if p := g.Redeem(t, inv["inviteRedeemUrl"].(string), email, 1); p.Status != http.StatusSeeOther {
		t.Fatalf("redeem: %d %.300s", p.Status, p.Body)
	}
	_, u = s.Do(t, "GET", "/v1.0/users/"+id+"?$select=signInActivity", tn.Token, nil)
	if got := u["signInActivity"].(map[string]any)["lastSignInDateTime"]; got != signedIn {
		t.Errorf("lastSignInDateTime = %v, want %s", got, signedIn)
	}
	users := listUsers(t, s, tn.Token, nil)
	if len(users) != 1 || users[0]["signInActivity"].(map[string]any)["lastSignInDateTime"] != signedIn {
		t.Errorf("list: %v", users)
	}
}
