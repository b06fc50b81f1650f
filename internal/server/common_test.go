package server_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// The common sign-in endpoint's guest pages (SPEC R31, R5).

// orgForm submits the common page's form with organization, hidden
// fields included, as the guest's browser would.
func orgForm(t testing.TB, g *servertest.Guest, page servertest.Page, fields url.Values) servertest.Page {
	t.Helper()
	if page.Status != http.StatusOK || !strings.Contains(page.Body, `action="/common/signin"`) {
		t.Fatalf("want a common page with its form, got %d\n%.500s", page.Status, page.Body)
	}
	form := url.Values{}
	for _, h := range hiddenRE.FindAllStringSubmatch(page.Body, -1) {
		form.Set(h[1], html.UnescapeString(h[2]))
	}
	for k, v := range fields {
		form[k] = v
	}
	return g.Post(t, "/common/signin", form)
}

func TestCommonPageInTwoLanguages(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	for _, c := range []struct{ lang, heading, option string }{
		{"en", "Sign-in options", "Sign in to an organization"},
		{"de", "Anmeldeoptionen", "Bei einer Organisation anmelden"},
	} {
		for _, path := range []string{"/common/", "/common/signin"} {
			p := s.NewGuest(c.lang).Get(t, path)
			if p.Status != http.StatusOK || !strings.Contains(p.Body, `<html lang="`+c.lang+`"`) ||
				!strings.Contains(p.Body, c.heading) || !strings.Contains(p.Body, c.option) ||
				!strings.Contains(p.Body, `name="organization"`) {
				t.Errorf("%s in %s: %d\n%.600s", path, c.lang, p.Status, p.Body)
			}
		}
	}
	resp, err := http.Get(s.URL + "/common/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("the common page may be framed: %v", resp.Header)
	}
	// Cross-origin form posts are refused like on every guest page.
	req, _ := http.NewRequest("POST", s.URL+"/common/signin", strings.NewReader("organization=fabrikam.example"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: %d, want 403", resp.StatusCode)
	}
}

// TestCommonSignInByDomain: the verified domain leads straight to the
// tenant's sign-in, and the invited guest redeems there (R5).
func TestCommonSignInByDomain(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	s.Invite(t, tn, "alice@contoso.example", nil)
	g := s.NewGuest("en")
	picked := orgForm(t, g, g.Get(t, "/common/"), url.Values{"organization": {" Fabrikam.Example "}})
	if picked.Status != http.StatusSeeOther || picked.Location != "/"+tn.ID+"/apps" {
		t.Fatalf("domain: %d to %q, want the tenant's sign-in towards its portal", picked.Status, picked.Location)
	}
	end, consent := passcodeSignIn(t, s, g, g.Follow(t, picked), "alice@contoso.example")
	if !consent || end.Status != http.StatusOK || !strings.Contains(end.Body, "Fabrikam") {
		t.Fatalf("after redeeming: consent %v, %d\n%.500s", consent, end.Status, end.Body)
	}
	status, u := s.Do(t, "GET", "/v1.0/users?$filter="+url.QueryEscape("mail eq 'alice@contoso.example'"), tn.Token, nil)
	if status != http.StatusOK || len(u["value"].([]any)) != 1 {
		t.Fatalf("users: %d %v", status, u)
	}
	uid := u["value"].([]any)[0].(map[string]any)["id"].(string)
	_, user := s.Do(t, "GET", "/v1.0/users/"+uid+"?$select=externalUserState", tn.Token, nil)
	if user["externalUserState"] != "Accepted" {
		t.Errorf("externalUserState = %v, want Accepted", user["externalUserState"])
	}
}

var mailLinkRE = regexp.MustCompile(`(?m)^(http://\S+)$`)

// TestCommonSignInByName: a display name asks for the address and mails
// the invited guest the organization's sign-in link; the guest follows it
// and signs in.
func TestCommonSignInByName(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam Research", "fabrikam.example")
	s.CreateTenant(t, "Fabrikam Research", "northwind.example") // the same name: only the one that invited the address mails it
	s.Invite(t, tn, "alice@contoso.example", nil)
	g := s.NewGuest("nl")
	step := orgForm(t, g, g.Get(t, "/common/"), url.Values{"organization": {"fabrikam research"}})
	if step.Status != http.StatusOK || !strings.Contains(step.Body, `name="email"`) || !strings.Contains(step.Body, "Aanmelden bij fabrikam research") {
		t.Fatalf("name: %d, want the address step in Dutch\n%.500s", step.Status, step.Body)
	}
	sent := orgForm(t, g, step, url.Values{"email": {"Alice@Contoso.example"}})
	if sent.Status != http.StatusOK || !strings.Contains(sent.Body, "Controleer uw e-mail") {
		t.Fatalf("address: %d\n%.500s", sent.Status, sent.Body)
	}
	m := s.WaitMail(t, "alice@contoso.example", 1, "/"+tn.ID+"/apps")
	if m.Subject != "Aanmelden bij Fabrikam Research" {
		t.Errorf("subject %q", m.Subject)
	}
	link := mailLinkRE.FindStringSubmatch(m.TextBody)
	if link == nil || link[1] != s.URL+"/"+tn.ID+"/apps" {
		t.Fatalf("mail without the tenant's sign-in link:\n%s", m.TextBody)
	}
	end, consent := passcodeSignIn(t, s, g, g.Get(t, link[1]), "alice@contoso.example")
	if !consent || end.Status != http.StatusOK {
		t.Fatalf("sign-in from the link: consent %v, %d\n%.500s", consent, end.Status, end.Body)
	}
}

// TestCommonUnknownOrganizationLikeNotInvited: a name no organization has
// and an organization's name with an address it did not invite get the
// same answers, step for step (R25); only the owner of an invited address
// gets mail.
func TestCommonUnknownOrganizationLikeNotInvited(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	s.Invite(t, tn, "alice@contoso.example", nil)
	story := func(org, email string) []exchange {
		p := newProber(s, email)
		var out []exchange
		for _, form := range []url.Values{
			{"organization": {org}, "authorize": {""}},
			{"organization": {org}, "authorize": {""}, "step": {"email"}, "email": {email}},
		} {
			e := p.do(t, "POST", "/common/signin", form)
			e.Body = strings.ReplaceAll(e.Body, org, "ORG")
			out = append(out, e)
		}
		return out
	}
	unknown := story("Northwind Traders", "bob@contoso.example")
	notInvited := story("Fabrikam", "bob@contoso.example")
	for i := range unknown {
		if unknown[i] != notInvited[i] {
			t.Errorf("step %d differs:\nunknown organization: %+v\nnot invited: %+v", i+1, unknown[i], notInvited[i])
		}
	}
	if unknown[1].Status != http.StatusOK || !strings.Contains(unknown[1].Body, "Check your email") {
		t.Errorf("last step: %+v", unknown[1])
	}
	// The invited address's mail comes after bob's requests (the outbox
	// goes oldest first); none went to bob.
	story("Fabrikam", "alice@contoso.example")
	s.WaitMail(t, "alice@contoso.example", 1, "/"+tn.ID+"/apps")
	for _, m := range s.SMTP.Messages() {
		if slices.Contains(m.To, "bob@contoso.example") {
			t.Errorf("mail to an address nobody invited: %q", m.Subject)
		}
	}
}

// TestCommonTenantIDLinks: Entra's ?tenantid= links land in the tenant's
// sign-in; the consumers tenant is no organization here.
func TestCommonTenantIDLinks(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	g := s.NewGuest("en")
	for _, path := range []string{"/common/?tenantid=" + tn.ID, "/common/signin?tenantid=" + strings.ToUpper(tn.ID), "/common/?tenantid=fabrikam.example"} {
		p := g.Get(t, path)
		if p.Status != http.StatusSeeOther || p.Location != "/"+tn.ID+"/apps" {
			t.Errorf("%s: %d to %q", path, p.Status, p.Location)
			continue
		}
		wantSigninPage(t, g.Follow(t, p), path)
	}
	for _, ref := range []string{"9188040d-6c67-4c5b-b112-36a304b66dad", "consumers", "00000000-0000-4000-8000-000000000001"} {
		if p := g.Get(t, "/common/?tenantid="+ref); p.Status != http.StatusNotFound || p.Location != "" {
			t.Errorf("tenantid=%s: %d to %q, want the unknown organization page", ref, p.Status, p.Location)
		}
	}
	// Typed, the consumers tenant is just a name nobody has.
	p := orgForm(t, g, g.Get(t, "/common/"), url.Values{"organization": {"consumers"}})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `name="email"`) {
		t.Errorf("typed consumers: %d to %q, want the address step", p.Status, p.Location)
	}
}

// TestCommonLookupThrottle: organization lookups are counted per client
// address before anything is looked up.
func TestCommonLookupThrottle(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	g := s.NewGuest("en")
	for i := range 60 {
		if p := g.Post(t, "/common/signin", url.Values{"organization": {"fabrikam.example"}}); p.Status != http.StatusSeeOther {
			t.Fatalf("lookup %d: %d", i+1, p.Status)
		}
	}
	p := g.Post(t, "/common/signin", url.Values{"organization": {"fabrikam.example"}})
	if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, "Too many sign-in attempts") {
		t.Fatalf("lookup 61: %d %q, want 429 with the page's message\n%.400s", p.Status, p.Location, p.Body)
	}
	s.Clock.Advance(61 * 60 * 1e9)
	if p := g.Post(t, "/common/signin", url.Values{"organization": {"fabrikam.example"}}); p.Status != http.StatusSeeOther {
		t.Errorf("an hour later: %d", p.Status)
	}
}

// TestCommonDiscovery: Entra's multi-tenant metadata.
func TestCommonDiscovery(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	var doc map[string]any
	if status := s.DoJSON(t, "GET", "/common/v2.0/.well-known/openid-configuration", "", nil, &doc); status != http.StatusOK {
		t.Fatalf("discovery: %d", status)
	}
	for k, want := range map[string]string{
		"issuer":                 s.URL + "/{tenantid}/v2.0",
		"authorization_endpoint": s.URL + "/common/v2.0/authorize",
		"token_endpoint":         s.URL + "/common/v2.0/oauth/token",
		"jwks_uri":               s.URL + "/common/v2.0/keys",
	} {
		if doc[k] != want {
			t.Errorf("%s = %v, want %s", k, doc[k], want)
		}
	}
	for _, k := range []string{"userinfo_endpoint", "end_session_endpoint", "revocation_endpoint", "introspection_endpoint"} {
		if _, ok := doc[k]; ok {
			t.Errorf("%s is advertised: it is the tenant's", k)
		}
	}
	if !slices.Contains(doc["subject_types_supported"].([]any), any("pairwise")) {
		t.Errorf("subject_types_supported = %v", doc["subject_types_supported"])
	}
	keys := func(path string) string {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var set struct {
			Keys []struct {
				Kid string `json:"kid"`
			} `json:"keys"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&set); err != nil || len(set.Keys) == 0 {
			t.Fatalf("%s: %d %v", path, resp.StatusCode, err)
		}
		return set.Keys[0].Kid
	}
	if c, own := keys("/common/v2.0/keys"), keys("/"+tn.ID+"/v2.0/keys"); c != own {
		t.Errorf("common keys %s, tenant keys %s: tokens must verify with either", c, own)
	}
}
