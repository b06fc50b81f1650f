package server_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"guestlist/internal/servertest"
)

// Multi-tenant applications through /common/v2.0 (SPEC R31, R32).

// setAudience sets the application's signInAudience through Graph.
func setAudience(t *testing.T, s *servertest.Server, tn servertest.Tenant, clientID, audience string) {
	t.Helper()
	patchApp(t, s, tn, clientID, map[string]any{"signInAudience": audience})
	q := url.Values{"$filter": {"appId eq '" + clientID + "'"}}
	_, list := s.Do(t, "GET", "/v1.0/applications?"+q.Encode(), tn.Token, nil)
	if got := list["value"].([]any)[0].(map[string]any)["signInAudience"]; got != audience {
		t.Fatalf("signInAudience = %v after PATCH, want %s", got, audience)
	}
}

func TestApplicationSignInAudience(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	status, app := s.Do(t, "POST", "/v1.0/applications", tn.Token, map[string]any{"displayName": "Default"})
	if status != http.StatusCreated || app["signInAudience"] != "AzureADMyOrg" {
		t.Fatalf("default: %d %v", status, app["signInAudience"])
	}
	status, app = s.Do(t, "POST", "/v1.0/applications", tn.Token, map[string]any{"displayName": "Multi", "signInAudience": "AzureADMultipleOrgs"})
	if status != http.StatusCreated || app["signInAudience"] != "AzureADMultipleOrgs" {
		t.Fatalf("multi-tenant: %d %v", status, app["signInAudience"])
	}
	// A PATCH without it keeps it.
	patchApp(t, s, tn, app["appId"].(string), map[string]any{"displayName": "Renamed"})
	if _, got := s.Do(t, "GET", "/v1.0/applications/"+app["id"].(string), tn.Token, nil); got["signInAudience"] != "AzureADMultipleOrgs" {
		t.Errorf("after a PATCH of the name: %v", got["signInAudience"])
	}
	for _, bad := range []any{"PersonalMicrosoftAccount", "AzureADandPersonalMicrosoftAccount", "azureadmultipleorgs", 3} {
		status, e := s.Do(t, "PATCH", "/v1.0/applications/"+app["id"].(string), tn.Token, map[string]any{"signInAudience": bad})
		if status != http.StatusBadRequest || e["error"].(map[string]any)["code"] != "Request_BadRequest" {
			t.Errorf("signInAudience %v: %d %v", bad, status, e)
		}
	}
}

// commonParty is a relying party configured from /common's metadata, as
// a multi-tenant application is: discovery names the {tenantid} issuer,
// so go-oidc is told to expect it there, and ID tokens are checked the
// way Microsoft's libraries do: the signature against the common keys,
// then iss against the template filled in with the token's tid.
type commonParty struct {
	*relyingParty
	base string
}

func newCommonParty(t *testing.T, s *servertest.Server, app rpApp) *commonParty {
	t.Helper()
	ctx := oidc.InsecureIssuerURLContext(t.Context(), s.URL+"/{tenantid}/v2.0")
	provider, err := oidc.NewProvider(ctx, s.URL+"/common/v2.0")
	if err != nil {
		t.Fatalf("common discovery: %v", err)
	}
	return &commonParty{base: s.URL, relyingParty: &relyingParty{rpApp: app, provider: provider, cfg: oauth2.Config{
		ClientID: app.clientID, ClientSecret: app.secret, Endpoint: provider.Endpoint(), RedirectURL: app.redirect,
		Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}}}
}

// verify checks an ID token from /common and returns its claims.
func (cp *commonParty) verify(t *testing.T, raw, nonce string) map[string]any {
	t.Helper()
	idt, err := cp.provider.Verifier(&oidc.Config{ClientID: cp.clientID, SkipIssuerCheck: true}).Verify(t.Context(), raw)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	tid, _ := claims["tid"].(string)
	if tid == "" || idt.Issuer != cp.base+"/"+tid+"/v2.0" {
		t.Fatalf("iss %q with tid %q: want {base}/{tid}/v2.0", idt.Issuer, tid)
	}
	if claims["nonce"] != nonce {
		t.Errorf("nonce = %v, want %s", claims["nonce"], nonce)
	}
	return claims
}

// TestCommonMultiTenantSignIn: a multi-tenant application sends the guest
// to /common; the guest picks the organization, signs in there, and the
// application exchanges the code at /common's token endpoint for an ID
// token of that tenant, which also verifies against the tenant's own
// issuer.
func TestCommonMultiTenantSignIn(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	rpSrv := httptest.NewServer(http.NotFoundHandler())
	defer rpSrv.Close()
	app := registerApp(t, s, tn, rpSrv.URL+"/callback", "alice@contoso.example")
	setAudience(t, s, tn, app.clientID, "AzureADMultipleOrgs")
	cp := newCommonParty(t, s, app)
	a := cp.attempt(param("ui_locales", "de"))
	if !strings.HasPrefix(a.url, s.URL+"/common/v2.0/authorize?") {
		t.Fatalf("authorization URL %s", a.url)
	}

	g := s.NewGuest("en")
	picker := open(t, s, g, a.url)
	if !strings.Contains(picker.Body, "Bei einer Organisation anmelden") {
		t.Fatalf("picker: %d, want the organization step in the request's language\n%.500s", picker.Status, picker.Body)
	}
	picked := orgForm(t, g, picker, url.Values{"organization": {"fabrikam.example"}})
	if picked.Status != http.StatusSeeOther || !strings.HasPrefix(picked.Location, "/"+tn.ID+"/v2.0/authorize?") {
		t.Fatalf("picked: %d to %q, want the tenant's authorization endpoint", picked.Status, picked.Location)
	}
	end, _ := passcodeSignIn(t, s, g, followOnServer(t, s, g, picked), "alice@contoso.example")
	answer := cp.callback(t, end, a)
	if answer.Get("iss") != s.URL+"/"+tn.ID+"/v2.0" {
		t.Errorf("iss parameter = %q, want the tenant's issuer", answer.Get("iss"))
	}
	tok, err := cp.cfg.Exchange(t.Context(), answer.Get("code"), oauth2.VerifierOption(a.verifier))
	if err != nil {
		t.Fatalf("code exchange at /common: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	claims := cp.verify(t, raw, a.nonce)
	if claims["tid"] != tn.ID || claims["email"] != "alice@contoso.example" {
		t.Errorf("claims %v", claims)
	}
	// An application configured for the tenant alone accepts it too.
	own, err := oidc.NewProvider(t.Context(), s.URL+"/"+tn.ID+"/v2.0")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := own.Verifier(&oidc.Config{ClientID: app.clientID}).Verify(t.Context(), raw); err != nil {
		t.Errorf("against the tenant's issuer: %v", err)
	}
	// The guest's session serves the next request through /common at once.
	b := cp.attempt()
	again := orgForm(t, g, open(t, s, g, b.url), url.Values{"organization": {tn.ID}})
	cp.codeFrom(t, followOnServer(t, s, g, again), b)
}

// TestCommonOtherOrganization: the application signs guests in to its
// home tenant only; another organization does not know it.
func TestCommonOtherOrganization(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	s.CreateTenant(t, "Northwind", "northwind.example")
	app := registerApp(t, s, tn, "https://portal.example/callback")
	setAudience(t, s, tn, app.clientID, "AzureADMultipleOrgs")
	cp := newCommonParty(t, s, app)
	g := s.NewGuest("en")
	picked := orgForm(t, g, open(t, s, g, cp.attempt().url), url.Values{"organization": {"northwind.example"}})
	p := followOnServer(t, s, g, picked)
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "not registered in Northwind") {
		t.Errorf("another organization: %d %q\n%.300s", p.Status, p.Location, p.Body)
	}
}

// TestCommonSingleTenantRefused: a single-tenant application through
// /common gets Entra's AADSTS50194 at its redirect URI, or a plain
// refusal when the redirect URI is not its own; its codes are not
// redeemed there either.
func TestCommonSingleTenantRefused(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	app := registerApp(t, s, tn, "https://portal.example/callback")
	cp := newCommonParty(t, s, app)
	g := s.NewGuest("en")
	a := cp.attempt()
	p := g.Get(t, a.url)
	q := cp.callback(t, p, a)
	if q.Get("error") != "invalid_request" || !strings.HasPrefix(q.Get("error_description"), "AADSTS50194: ") ||
		!strings.Contains(q.Get("error_description"), app.clientID) || q.Get("code") != "" {
		t.Errorf("single-tenant application: %v", q)
	}
	u, _ := url.Parse(a.url)
	v := u.Query()
	v.Set("redirect_uri", "https://evil.example/callback")
	p = g.Get(t, "/common/v2.0/authorize?"+v.Encode())
	if p.Status != http.StatusBadRequest || p.Location != "" || strings.Contains(p.Body, "evil.example") {
		t.Errorf("unregistered redirect URI: %d to %q %s", p.Status, p.Location, p.Body)
	}
	v.Set("client_id", "00000000-0000-4000-8000-000000000009")
	if p = g.Get(t, "/common/v2.0/authorize?"+v.Encode()); p.Status != http.StatusBadRequest || p.Location != "" {
		t.Errorf("unknown client: %d to %q", p.Status, p.Location)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {app.redirect}}
	single := tokenAnswerRaw(t, s.URL+"/common/v2.0/oauth/token", form, app.clientID, app.secret, false)
	if single.status != http.StatusBadRequest || !strings.Contains(single.body, "AADSTS50194") {
		t.Errorf("token at /common for a single-tenant application: %d %s", single.status, single.body)
	}
	unknown := tokenAnswerRaw(t, s.URL+"/common/v2.0/oauth/token", form, "00000000-0000-4000-8000-000000000009", "x", true)
	if unknown.status != http.StatusUnauthorized || !strings.Contains(unknown.body, "invalid_client") {
		t.Errorf("token at /common for an unknown client: %d %s", unknown.status, unknown.body)
	}
}
