package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"guestlist/internal/servertest"
)

// The first administrator (SPEC R43): named when the operator creates the
// tenant, made a Global Administrator, mailed a one-time link to set a
// password; the operator can mail a new link.

const (
	globalAdminRole   = "62e90394-69f5-4237-9190-012177145e10"
	adaPassword       = "tidal-Quokka-lantern-93"
	textAdminPwForm   = "Choose your administrator password"
	textAdminPwUsed   = "This link has been used"
	textAdminPwGone   = "This link has expired"
	textAdminPwBroken = "This link does not work"
)

// createdTenant is the operator's answer to a tenant with an adminEmail.
type createdTenant struct {
	ID               string `json:"id"`
	AdminApplication struct {
		AppID        string `json:"appId"`
		ClientSecret string `json:"clientSecret"`
	} `json:"adminApplication"`
	Admin *adminJSON `json:"admin"`
}

type adminJSON struct {
	ID                     string `json:"id"`
	UserPrincipalName      string `json:"userPrincipalName"`
	SetPasswordLinkExpires string `json:"setPasswordLinkExpires"`
}

// createWithAdmin creates a tenant named name with domain and the first
// administrator admin through the operator API.
func createWithAdmin(t *testing.T, s *servertest.Server, name, domain, admin string) (servertest.Tenant, adminJSON) {
	t.Helper()
	var c createdTenant
	wantAPI(t, "create "+name, s.DoJSON(t, "POST", "/operator/v1/tenants", s.OperatorToken,
		map[string]any{"displayName": name, "domains": []string{domain}, "adminEmail": admin}, &c), http.StatusCreated)
	if c.Admin == nil || c.Admin.ID == "" || c.Admin.UserPrincipalName != admin {
		t.Fatalf("the answer names no administrator %s: %+v", admin, c.Admin)
	}
	tn := servertest.Tenant{ID: c.ID, AppID: c.AdminApplication.AppID, ClientSecret: c.AdminApplication.ClientSecret}
	tn.Token = s.AdminToken(t, tn)
	return tn, *c.Admin
}

var adminLinkRE = regexp.MustCompile(`https?://\S+/admin/password\?token=[A-Za-z0-9]+`)

// adminLink waits for the n-th set-password mail to addr and returns its
// link.
func adminLink(t *testing.T, s *servertest.Server, addr string, n int) string {
	t.Helper()
	m := s.WaitMail(t, addr, n, "/admin/password?token=")
	link := adminLinkRE.FindString(m.TextBody)
	if link == "" {
		t.Fatalf("no link in the mail:\n%s", m.TextBody)
	}
	return link
}

// openAdminLink opens the link and returns the form's token, checking the
// form posts to a URL without it.
func openAdminLink(t *testing.T, g *servertest.Guest, tenantID, link string) string {
	t.Helper()
	p := g.Get(t, link)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, textAdminPwForm) {
		t.Fatalf("the link's page: %d\n%.800s", p.Status, p.Body)
	}
	if !strings.Contains(p.Body, `action="/`+tenantID+`/admin/password"`) {
		t.Errorf("the form does not post to the token-free page:\n%.800s", p.Body)
	}
	u, _ := url.Parse(link)
	token := u.Query().Get("token")
	if !strings.Contains(p.Body, `name="token" type="hidden" value="`+token+`"`) {
		t.Errorf("the form does not carry the token in its body:\n%.800s", p.Body)
	}
	return token
}

func postAdminPassword(t *testing.T, g *servertest.Guest, tenantID, token, password string) servertest.Page {
	t.Helper()
	return g.Post(t, "/"+tenantID+"/admin/password", url.Values{"token": {token}, "password": {password}})
}

// wantAdminPage checks a page of the link: status and text.
func wantAdminPage(t *testing.T, what string, p servertest.Page, status int, text string) {
	t.Helper()
	if p.Status != status || !strings.Contains(p.Body, text) {
		t.Fatalf("%s: %d, want %d with %q\n%.800s", what, p.Status, status, text, p.Body)
	}
}

func TestFirstAdminSetsPasswordFromMailedLink(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	const ada = "ada@fabrikam.example"
	fab, admin := createWithAdmin(t, s, "Fabrikam", "fabrikam.example", ada)
	if want := s.Clock.Now().Add(24 * time.Hour).UTC().Format("2006-01-02T15:04:05Z"); admin.SetPasswordLinkExpires != want {
		t.Errorf("setPasswordLinkExpires %q, want %q", admin.SetPasswordLinkExpires, want)
	}

	m := s.WaitMail(t, ada, 1, "/admin/password?token=")
	for _, w := range []string{"Fabrikam", ada, "expires on"} {
		if !strings.Contains(m.Subject+m.TextBody, w) {
			t.Errorf("the mail does not say %q:\n%s\n%s", w, m.Subject, m.TextBody)
		}
	}
	link := adminLink(t, s, ada, 1)
	if !strings.HasPrefix(link, s.URL+"/"+fab.ID+"/admin/password?token=") {
		t.Fatalf("link %q is not under the tenant's path", link)
	}

	g := s.NewGuest("en")
	token := openAdminLink(t, g, fab.ID, link)
	// The password rules apply, with the address as a word it may not be;
	// a refused password leaves the link working.
	wantAdminPage(t, "a short password", postAdminPassword(t, g, fab.ID, token, "short"), http.StatusBadRequest, "at least")
	wantAdminPage(t, "the address as password", postAdminPassword(t, g, fab.ID, token, ada), http.StatusBadRequest, "be your email address or your name")
	p := postAdminPassword(t, g, fab.ID, token, adaPassword)
	if p.Status != http.StatusSeeOther || p.Location != "/"+fab.ID+"/admin/" {
		t.Fatalf("after setting the password: %d to %q, want 303 to the console\n%.500s", p.Status, p.Location, p.Body)
	}

	// The link works once.
	wantAdminPage(t, "the link again", g.Get(t, link), http.StatusGone, textAdminPwUsed)
	wantAdminPage(t, "a second POST", postAdminPassword(t, s.NewGuest("en"), fab.ID, token, "another-Quokka-lantern-94"),
		http.StatusGone, textAdminPwUsed)

	// Ada signs in with the password she chose.
	member := s.NewGuest("en")
	wantPortal(t, s, member, fab.ID, submitPassword(t, member, memberSignIn(t, member, fab.ID, ada), "password", ada, adaPassword))

	// She holds Global Administrator over the whole tenant.
	var roles roleAssignmentPage
	wantAPI(t, "her roles", s.DoJSON(t, "GET", roleAssignmentsURL+"?$filter="+url.QueryEscape("principalId eq '"+admin.ID+"'"),
		fab.Token, nil, &roles), http.StatusOK)
	if len(roles.Value) != 1 || roles.Value[0].RoleDefinitionID != globalAdminRole || roles.Value[0].DirectoryScopeID != "/" {
		t.Errorf("role assignments %+v, want Global Administrator at /", roles.Value)
	}

	// The audit log has each step.
	got := strings.Join(activities(audits(t, s, fab, "")), "|")
	for _, w := range []string{"Add user", "Add member to role", "Send set-password link", "Set password with link"} {
		if !strings.Contains(got, w) {
			t.Errorf("audit log %q lacks %q", got, w)
		}
	}
}

// TestFirstAdminLinkAttacks: a link works only in its tenant, once, for
// 24 hours, and only while it is the newest; unknown tokens and
// cross-origin posts are refused with a page, never a server error.
func TestFirstAdminLinkAttacks(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	const ada, bob = "ada@fabrikam.example", "bob@contoso.example"
	fab, admin := createWithAdmin(t, s, "Fabrikam", "fabrikam.example", ada)
	contoso, _ := createWithAdmin(t, s, "Contoso", "contoso.example", bob)
	first := adminLink(t, s, ada, 1)
	g := s.NewGuest("en")

	// Fabrikam's link under Contoso's path is no link.
	other := strings.Replace(first, "/"+fab.ID+"/", "/"+contoso.ID+"/", 1)
	wantAdminPage(t, "another tenant's path", g.Get(t, other), http.StatusNotFound, textAdminPwBroken)
	u, _ := url.Parse(first)
	token := u.Query().Get("token")
	wantAdminPage(t, "posted under another tenant", postAdminPassword(t, g, contoso.ID, token, adaPassword),
		http.StatusNotFound, textAdminPwBroken)
	wantAdminPage(t, "an unknown token", g.Get(t, "/"+fab.ID+"/admin/password?token=NOSUCHTOKEN"), http.StatusNotFound, textAdminPwBroken)
	wantAdminPage(t, "no token", g.Get(t, "/"+fab.ID+"/admin/password"), http.StatusNotFound, textAdminPwBroken)

	// A cross-origin POST is refused before it reaches the link.
	evil := s.NewGuest("en")
	evil.Header = http.Header{"Origin": {"https://attacker.example"}, "Sec-Fetch-Site": {"cross-site"}}
	if p := postAdminPassword(t, evil, fab.ID, token, adaPassword); p.Status != http.StatusForbidden {
		t.Fatalf("cross-origin POST: %d, want 403", p.Status)
	}

	// A new link from the operator voids the first.
	var sent adminJSON
	wantAPI(t, "send a new link", s.DoJSON(t, "POST", "/operator/v1/tenants/"+fab.ID+"/admins/"+admin.ID+"/sendPasswordLink",
		s.OperatorToken, nil, &sent), http.StatusOK)
	if sent.ID != admin.ID || sent.UserPrincipalName != ada || sent.SetPasswordLinkExpires == "" {
		t.Errorf("sendPasswordLink answered %+v", sent)
	}
	second := adminLink(t, s, ada, 2)
	if second == first {
		t.Fatal("the new mail carries the old link")
	}
	wantAdminPage(t, "the replaced link", g.Get(t, first), http.StatusNotFound, textAdminPwBroken)
	wantAdminPage(t, "the replaced link posted", postAdminPassword(t, g, fab.ID, token, adaPassword), http.StatusNotFound, textAdminPwBroken)

	// The operator mails links to administrators only, of their own tenant.
	wantAPI(t, "an unknown user", s.DoJSON(t, "POST", "/operator/v1/tenants/"+fab.ID+"/admins/00000000-0000-4000-8000-000000000000/sendPasswordLink",
		s.OperatorToken, nil, nil), http.StatusNotFound)
	wantAPI(t, "Fabrikam's admin under Contoso", s.DoJSON(t, "POST", "/operator/v1/tenants/"+contoso.ID+"/admins/"+admin.ID+"/sendPasswordLink",
		s.OperatorToken, nil, nil), http.StatusNotFound)
	plain := createMember(t, s, fab, memberBody("Carl", "carl@fabrikam.example", adelePassword, false))
	wantAPI(t, "a member without a role", s.DoJSON(t, "POST", "/operator/v1/tenants/"+fab.ID+"/admins/"+plain.ID+"/sendPasswordLink",
		s.OperatorToken, nil, nil), http.StatusBadRequest)
	wantAPI(t, "without the operator token", s.DoJSON(t, "POST", "/operator/v1/tenants/"+fab.ID+"/admins/"+admin.ID+"/sendPasswordLink",
		fab.Token, nil, nil), http.StatusUnauthorized)

	// 24 hours later the newest link has expired too.
	token2 := openAdminLink(t, g, fab.ID, second)
	s.Clock.Advance(24 * time.Hour)
	wantAdminPage(t, "the expired link", g.Get(t, second), http.StatusGone, textAdminPwGone)
	wantAdminPage(t, "the expired link posted", postAdminPassword(t, g, fab.ID, token2, adaPassword), http.StatusGone, textAdminPwGone)
	// Ada cannot sign in: she never set a password.
	member := s.NewGuest("en")
	wantWrongPassword(t, submitPassword(t, member, memberSignIn(t, member, fab.ID, ada), "password", ada, adaPassword))
}

// TestFirstAdminOutsideDomainsCreatesNothing: an adminEmail the tenant
// could not have as a member is refused with 400 naming adminEmail, and
// nothing is written — no tenant, no mail, the domain still free.
func TestFirstAdminOutsideDomainsCreatesNothing(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	for name, email := range map[string]string{
		"another domain":  "ada@elsewhere.example",
		"initial domain":  "ada@fabrikam.guestlist.localhost",
		"not an address":  "ada",
		"bad UPN (in tx)": "ada+x@fabrikam.example", // refused after the tenant row is written
	} {
		t.Run(name, func(t *testing.T) {
			var e graphError
			status := s.DoJSON(t, "POST", "/operator/v1/tenants", s.OperatorToken,
				map[string]any{"displayName": "Fabrikam", "domains": []string{"fabrikam.example"}, "adminEmail": email}, &e)
			if status != http.StatusBadRequest || e.Error.Code == "" || !strings.Contains(e.Error.Message, "adminEmail") {
				t.Fatalf("%s: %d %+v, want 400 naming adminEmail", email, status, e)
			}
			// The UPN's own rule is checked in the transaction, after the
			// tenant is written: its refusal shows that write undone.
			if strings.Contains(email, "+") && !strings.Contains(e.Error.Message, "userPrincipalName") {
				t.Errorf("%s: %q, want the user principal name's refusal", email, e.Error.Message)
			}
		})
	}
	var list struct {
		Value []struct {
			ID string `json:"id"`
		} `json:"value"`
	}
	wantAPI(t, "list", s.DoJSON(t, "GET", "/operator/v1/tenants", s.OperatorToken, nil, &list), http.StatusOK)
	if len(list.Value) != 0 {
		t.Errorf("tenants after refusals: %+v", list.Value)
	}
	if n := len(s.SMTP.Messages()); n != 0 {
		t.Errorf("%d mails sent after refusals", n)
	}
	// The domain was never taken: the right address creates the tenant.
	createWithAdmin(t, s, "Fabrikam", "fabrikam.example", "ada@fabrikam.example")
}
