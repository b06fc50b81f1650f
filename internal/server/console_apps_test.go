package server_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// The console's applications (R43): registered, given secrets and
// assignments through the services Graph uses, and seen through Graph.

type appView struct {
	ID    string `json:"id"`
	AppID string `json:"appId"`
	Name  string `json:"displayName"`
	Web   struct {
		RedirectURIs []string `json:"redirectUris"`
	} `json:"web"`
	SPA struct {
		RedirectURIs []string `json:"redirectUris"`
	} `json:"spa"`
	PublicClient struct {
		RedirectURIs []string `json:"redirectUris"`
	} `json:"publicClient"`
	Passwords []struct {
		KeyID string `json:"keyId"`
		Hint  string `json:"hint"`
	} `json:"passwordCredentials"`
}

type spView struct {
	ID       string `json:"id"`
	Required bool   `json:"appRoleAssignmentRequired"`
}

type assignedToView struct {
	Value []struct {
		ID          string `json:"id"`
		PrincipalID string `json:"principalId"`
	} `json:"value"`
}

type appListView struct {
	Value []appView `json:"value"`
}

var (
	createdAppRE = regexp.MustCompile(`/apps/([0-9a-f-]{36})\?done=created$`)
	secretRE     = regexp.MustCompile(`id="secret" readonly value="([^"]+)"`)
)

func readApp(t *testing.T, s *servertest.Server, tn servertest.Tenant, id string) appView {
	t.Helper()
	var a appView
	wantAPI(t, "application", s.DoJSON(t, "GET", "/v1.0/applications/"+id, tn.Token, nil, &a), http.StatusOK)
	return a
}

func readSP(t *testing.T, s *servertest.Server, tn servertest.Tenant, appID string) spView {
	t.Helper()
	var list struct {
		Value []spView `json:"value"`
	}
	wantAPI(t, "service principal", s.DoJSON(t, "GET", "/v1.0/servicePrincipals?$filter="+url.QueryEscape("appId eq '"+appID+"'"), tn.Token, nil, &list), http.StatusOK)
	if len(list.Value) != 1 {
		t.Fatalf("service principals of %s: %+v", appID, list.Value)
	}
	return list.Value[0]
}

// TestConsoleApps: a Global Administrator registers an application,
// gives it a secret (shown once) and takes it away, requires assignment
// and assigns a guest by address, and finds each step in Graph and in
// the audit log.
func TestConsoleApps(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	admin := newConsoleAdmin(t, s, fab, "ada", globalAdmin)
	admin.signIn(t)
	guest := invite(t, s, fab, "greta@contoso.example")

	list := admin.b.Get(t, admin.prefix+"/apps")
	wantStatus(t, "applications", list, http.StatusOK)
	token := csrf(t, list)

	// A refused registration says why and registers nothing.
	bad := admin.post(t, "/apps", token, url.Values{"name": {"Bad"}, "web": {"http://portal.example/cb"}})
	wantStatus(t, "bad redirect URI", bad, http.StatusBadRequest)
	if !strings.Contains(bad.Body, "Nothing was changed:") || !strings.Contains(bad.Body, "web.redirectUris") ||
		!strings.Contains(bad.Body, `value="Bad"`) {
		t.Errorf("refused registration:\n%.2000s", bad.Body)
	}
	var apps appListView
	wantAPI(t, "applications", s.DoJSON(t, "GET", "/v1.0/applications", fab.Token, nil, &apps), http.StatusOK)
	before := len(apps.Value)

	reg := admin.post(t, "/apps", token, url.Values{"name": {"Contoso portal"},
		"web": {"https://portal.example/callback\r\nhttps://portal.example/cb2"}, "spa": {"https://spa.example/cb"},
		"native": {"com.example.app:/callback"}, "home": {"https://portal.example/"}})
	wantStatus(t, "register", reg, http.StatusSeeOther)
	m := createdAppRE.FindStringSubmatch(reg.Location)
	if m == nil {
		t.Fatalf("register: to %q", reg.Location)
	}
	app := readApp(t, s, fab, m[1])
	if app.Name != "Contoso portal" || !slices.Equal(app.Web.RedirectURIs, []string{"https://portal.example/callback", "https://portal.example/cb2"}) ||
		!slices.Equal(app.SPA.RedirectURIs, []string{"https://spa.example/cb"}) ||
		!slices.Equal(app.PublicClient.RedirectURIs, []string{"com.example.app:/callback"}) {
		t.Errorf("Graph shows the registered application as %+v", app)
	}
	page := admin.b.Follow(t, reg)
	wantStatus(t, "application page", page, http.StatusOK)
	for _, want := range []string{"The application is registered.", app.AppID, s.URL + "/" + fab.ID + "/apps/" + app.AppID,
		"https://spa.example/cb", "com.example.app:/callback", "Assignment is not required"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("application page lacks %q", want)
		}
	}
	if !strings.Contains(admin.b.Get(t, admin.prefix+"/apps").Body, "Contoso portal") {
		t.Error("the list lacks the application")
	}

	// A secret, shown once.
	added := admin.post(t, "/apps/"+app.ID+"/secrets", token, url.Values{"name": {"ci"}, "months": {"12"}})
	wantStatus(t, "add secret", added, http.StatusOK)
	sm := secretRE.FindStringSubmatch(added.Body)
	if sm == nil {
		t.Fatalf("the secret is not shown:\n%.2000s", added.Body)
	}
	secret := html.UnescapeString(sm[1])
	app = readApp(t, s, fab, app.ID)
	if len(app.Passwords) != 1 || !strings.HasPrefix(secret, app.Passwords[0].Hint) {
		t.Fatalf("Graph shows the secrets %+v", app.Passwords)
	}
	again := admin.b.Get(t, admin.prefix+"/apps/"+app.ID)
	if strings.Contains(again.Body, sm[1]) || strings.Contains(again.Body, secret) || !strings.Contains(again.Body, app.Passwords[0].Hint+"…") {
		t.Error("the application page shows the secret again, or not its hint")
	}
	wantStatus(t, "bad lifetime", admin.post(t, "/apps/"+app.ID+"/secrets", token, url.Values{"months": {"999"}}), http.StatusBadRequest)

	// Removing it is confirmed first.
	removeURL := "/apps/" + app.ID + "/secrets/" + app.Passwords[0].KeyID + "/remove"
	confirm := admin.b.Get(t, admin.prefix+removeURL)
	wantStatus(t, "confirm remove", confirm, http.StatusOK)
	if !strings.Contains(confirm.Body, "The secret ci stops working at once") {
		t.Errorf("remove confirmation:\n%.1500s", confirm.Body)
	}
	wantStatus(t, "remove", admin.post(t, removeURL, token, nil), http.StatusSeeOther)
	if got := readApp(t, s, fab, app.ID).Passwords; len(got) != 0 {
		t.Errorf("after removing, Graph shows the secrets %+v", got)
	}
	wantStatus(t, "remove again", admin.post(t, removeURL, token, nil), http.StatusNotFound)

	// Assignment required, confirmed first.
	ask := admin.post(t, "/apps/"+app.ID+"/required", token, url.Values{"required": {"1"}})
	wantStatus(t, "require", ask, http.StatusOK)
	if !strings.Contains(ask.Body, "Everyone who is not assigned is signed out") || readSP(t, s, fab, app.AppID).Required {
		t.Fatalf("before confirming: required %v\n%.1500s", readSP(t, s, fab, app.AppID).Required, ask.Body)
	}
	wantStatus(t, "require confirmed", admin.post(t, "/apps/"+app.ID+"/required", token, url.Values{"required": {"1"}, "confirm": {"1"}}), http.StatusSeeOther)
	sp := readSP(t, s, fab, app.AppID)
	if !sp.Required {
		t.Error("after confirming, Graph shows assignment not required")
	}

	// Assign the guest by address; unknown and malformed addresses are
	// refused with a reason.
	for addr, want := range map[string]string{"nobody@contoso.example": "no user or guest of this organization", "not-an-address": "Nothing was changed:"} {
		p := admin.post(t, "/apps/"+app.ID+"/assignments", token, url.Values{"email": {addr}})
		wantStatus(t, "assign "+addr, p, http.StatusBadRequest)
		if !strings.Contains(p.Body, want) {
			t.Errorf("assign %s: page lacks %q", addr, want)
		}
	}
	wantStatus(t, "assign", admin.post(t, "/apps/"+app.ID+"/assignments", token, url.Values{"email": {"Greta@Contoso.example"}}), http.StatusSeeOther)
	var to assignedToView
	wantAPI(t, "assigned to", s.DoJSON(t, "GET", "/v1.0/servicePrincipals/"+sp.ID+"/appRoleAssignedTo", fab.Token, nil, &to), http.StatusOK)
	if len(to.Value) != 1 || to.Value[0].PrincipalID != guest.userID {
		t.Fatalf("Graph shows the assignments %+v", to.Value)
	}
	page = admin.b.Get(t, admin.prefix+"/apps/"+app.ID)
	unassignURL := "/apps/" + app.ID + "/assignments/" + to.Value[0].ID + "/remove"
	if !strings.Contains(page.Body, "greta@contoso.example") || !strings.Contains(page.Body, admin.prefix+unassignURL) {
		t.Errorf("application page lacks the assignment:\n%.4000s", page.Body)
	}
	dup := admin.post(t, "/apps/"+app.ID+"/assignments", token, url.Values{"email": {"greta@contoso.example"}})
	wantStatus(t, "assign twice", dup, http.StatusBadRequest)
	if !strings.Contains(dup.Body, "already assigned") {
		t.Errorf("assign twice:\n%.1500s", dup.Body)
	}

	// Unassign, confirmed first.
	wantStatus(t, "confirm unassign", admin.b.Get(t, admin.prefix+unassignURL), http.StatusOK)
	wantStatus(t, "unassign", admin.post(t, unassignURL, token, nil), http.StatusSeeOther)
	wantAPI(t, "assigned to", s.DoJSON(t, "GET", "/v1.0/servicePrincipals/"+sp.ID+"/appRoleAssignedTo", fab.Token, nil, &to), http.StatusOK)
	if len(to.Value) != 0 {
		t.Errorf("after unassigning Graph shows %+v", to.Value)
	}

	// Not required any more: no confirmation.
	wantStatus(t, "optional", admin.post(t, "/apps/"+app.ID+"/required", token, url.Values{"required": {"0"}}), http.StatusSeeOther)
	if readSP(t, s, fab, app.AppID).Required {
		t.Error("Graph still shows assignment required")
	}

	// Unknown application: not found, not a server error.
	wantStatus(t, "unknown application", admin.b.Get(t, admin.prefix+"/apps/00000000-0000-4000-8000-000000000001"), http.StatusNotFound)
	wantStatus(t, "secret of an unknown application", admin.post(t, "/apps/nope/secrets", token, url.Values{"months": {"6"}}), http.StatusNotFound)

	wantAPI(t, "applications", s.DoJSON(t, "GET", "/v1.0/applications", fab.Token, nil, &apps), http.StatusOK)
	if len(apps.Value) != before+1 {
		t.Errorf("%d applications, want %d", len(apps.Value), before+1)
	}
	var mine []string
	for _, a := range audits(t, s, fab, filter("initiatedBy/user/id eq '"+admin.id+"'")) {
		mine = append(mine, a.ActivityDisplayName)
	}
	for _, want := range []string{"Add application", "Update application – Certificates and secrets management", "Update service principal",
		"Add app role assignment grant to user", "Remove app role assignment from user"} {
		if !slices.Contains(mine, want) {
			t.Errorf("audit log by the administrator: %q lacks %q", mine, want)
		}
	}
}

// TestConsoleAppsRoles: a Guest Inviter and a User Administrator cannot
// open the applications or change them by posting directly.
func TestConsoleAppsRoles(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	var created appView
	wantAPI(t, "create application", s.DoJSON(t, "POST", "/v1.0/applications", fab.Token,
		map[string]any{"displayName": "Portal", "web": map[string]any{"redirectUris": []string{"https://portal.example/cb"}}}, &created), http.StatusCreated)
	guest := invite(t, s, fab, "greta@contoso.example")
	var apps appListView
	wantAPI(t, "applications", s.DoJSON(t, "GET", "/v1.0/applications", fab.Token, nil, &apps), http.StatusOK)
	for _, c := range []struct{ nick, role string }{{"ivan", guestInv}, {"ulla", userAdmin}} {
		a := newConsoleAdmin(t, s, fab, c.nick, c.role)
		list := a.signIn(t)
		if strings.Contains(list.Body, a.prefix+"/apps\"") {
			t.Errorf("%s: the navigation offers the applications", c.nick)
		}
		token := csrf(t, list)
		wantStatus(t, c.nick+" opens the applications", a.b.Get(t, a.prefix+"/apps"), http.StatusForbidden)
		wantStatus(t, c.nick+" opens the application", a.b.Get(t, a.prefix+"/apps/"+created.ID), http.StatusForbidden)
		for path, form := range map[string]url.Values{
			"/apps":                                {"name": {"Sneaky"}, "web": {"https://sneaky.example/cb"}},
			"/apps/" + created.ID + "/secrets":     {"months": {"6"}},
			"/apps/" + created.ID + "/required":    {"required": {"1"}, "confirm": {"1"}},
			"/apps/" + created.ID + "/assignments": {"email": {guest.email}},
		} {
			wantStatus(t, c.nick+" posts "+path, a.post(t, path, token, form), http.StatusForbidden)
		}
	}
	var after appListView
	wantAPI(t, "applications", s.DoJSON(t, "GET", "/v1.0/applications", fab.Token, nil, &after), http.StatusOK)
	app := readApp(t, s, fab, created.ID)
	sp := readSP(t, s, fab, created.AppID)
	var to assignedToView
	wantAPI(t, "assigned to", s.DoJSON(t, "GET", "/v1.0/servicePrincipals/"+sp.ID+"/appRoleAssignedTo", fab.Token, nil, &to), http.StatusOK)
	if len(after.Value) != len(apps.Value) || len(app.Passwords) != 0 || sp.Required || len(to.Value) != 0 {
		t.Errorf("refused posts changed something: %d applications (was %d), secrets %+v, required %v, assignments %+v",
			len(after.Value), len(apps.Value), app.Passwords, sp.Required, to.Value)
	}
}

// TestConsolePoliciesAndAppsInEveryLanguage: the new pages, their
// confirmations and refusals render in every language with no message id
// left untranslated.
func TestConsolePoliciesAndAppsInEveryLanguage(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	admin := newConsoleAdmin(t, s, fab, "ada", globalAdmin)
	admin.signIn(t)
	invite(t, s, fab, "greta@contoso.example")
	token := csrf(t, admin.b.Get(t, admin.prefix+"/apps"))
	reg := admin.post(t, "/apps", token, url.Values{"name": {"Portal"}, "web": {"https://portal.example/cb"}})
	m := createdAppRE.FindStringSubmatch(reg.Location)
	if m == nil {
		t.Fatalf("register: %d to %q", reg.Status, reg.Location)
	}
	appPath := "/apps/" + m[1]
	wantStatus(t, "assign", admin.post(t, appPath+"/assignments", token, url.Values{"email": {"greta@contoso.example"}}), http.StatusSeeOther)
	app := readApp(t, s, fab, m[1])
	var to assignedToView
	wantAPI(t, "assigned to", s.DoJSON(t, "GET", "/v1.0/servicePrincipals/"+readSP(t, s, fab, app.AppID).ID+"/appRoleAssignedTo", fab.Token, nil, &to), http.StatusOK)

	for _, lang := range []string{"en", "nl", "sv", "de", "zh-TW"} {
		wantStatus(t, "choose "+lang, admin.b.Get(t, admin.prefix+"/language?lang="+lang+"&return="+url.QueryEscape(admin.prefix+"/apps")), http.StatusSeeOther)
		secret := admin.post(t, appPath+"/secrets", token, url.Values{"name": {"k-" + lang}, "months": {"6"}})
		keys := readApp(t, s, fab, app.ID).Passwords
		pages := map[string]servertest.Page{
			"policies":       admin.b.Get(t, admin.prefix+"/policies?done=order"),
			"otp confirm":    admin.post(t, "/policies/otp", token, url.Values{"allow": {"disabled"}}),
			"refused order":  admin.post(t, "/policies/order", token, url.Values{"primary": {"home", "home"}, "fallback": {"otp"}}),
			"apps":           admin.b.Get(t, admin.prefix+"/apps"),
			"app":            admin.b.Get(t, admin.prefix+appPath+"?done=created"),
			"secret":         secret,
			"unknown user":   admin.post(t, appPath+"/assignments", token, url.Values{"email": {"nobody@contoso.example"}}),
			"bad lifetime":   admin.post(t, appPath+"/secrets", token, url.Values{"months": {"0"}}),
			"require":        admin.post(t, appPath+"/required", token, url.Values{"required": {"1"}}),
			"remove secret":  admin.b.Get(t, admin.prefix+appPath+"/secrets/"+keys[len(keys)-1].KeyID+"/remove"),
			"unassign":       admin.b.Get(t, admin.prefix+appPath+"/assignments/"+to.Value[0].ID+"/remove"),
			"no such app":    admin.b.Get(t, admin.prefix+"/apps/nope"),
			"no such secret": admin.b.Get(t, admin.prefix+appPath+"/secrets/nope/remove"),
		}
		for name, p := range pages {
			if p.Status >= 500 {
				t.Errorf("%s %s: %d", lang, name, p.Status)
			}
			if !strings.Contains(p.Body, `<html lang="`+lang+`">`) {
				t.Errorf("%s %s: not in %s", lang, name, lang)
			}
			if id := regexp.MustCompile(`console\.[a-zA-Z.]+`).FindString(strings.ReplaceAll(p.Body, "console.css", "")); id != "" {
				t.Errorf("%s %s: message %s is missing", lang, name, id)
			}
		}
	}
}
