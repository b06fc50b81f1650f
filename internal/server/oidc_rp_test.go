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

// rpApp registers a web application with one secret and assigns a guest
// to it through the admin API, as an administrator would.
type rpApp struct {
	clientID, secret, redirect string
}

func registerApp(t *testing.T, s *servertest.Server, tn servertest.Tenant, redirect string, guests ...string) rpApp {
	t.Helper()
	status, app := s.Do(t, "POST", "/v1.0/applications", tn.Token, map[string]any{
		"displayName": "Project portal", "web": map[string]any{"redirectUris": []string{redirect}},
	})
	if status != http.StatusCreated {
		t.Fatalf("register application: %d %v", status, app)
	}
	status, pw := s.Do(t, "POST", "/v1.0/applications/"+app["id"].(string)+"/addPassword", tn.Token, map[string]any{})
	if status != http.StatusOK {
		t.Fatalf("addPassword: %d %v", status, pw)
	}
	appID := app["appId"].(string)
	status, sps := s.Do(t, "GET", "/v1.0/servicePrincipals?$filter="+url.QueryEscape("appId eq '"+appID+"'"), tn.Token, nil)
	if status != http.StatusOK || len(sps["value"].([]any)) != 1 {
		t.Fatalf("service principal: %d %v", status, sps)
	}
	sp := sps["value"].([]any)[0].(map[string]any)["id"].(string)
	for _, email := range guests {
		inv := s.Invite(t, tn, email, nil)
		uid := inv["invitedUser"].(map[string]any)["id"].(string)
		status, a := s.Do(t, "POST", "/v1.0/users/"+uid+"/appRoleAssignments", tn.Token, map[string]any{
			"principalId": uid, "resourceId": sp,
		})
		if status != http.StatusCreated {
			t.Fatalf("assign %s: %d %v", email, status, a)
		}
	}
	return rpApp{clientID: appID, secret: pw["secretText"].(string), redirect: redirect}
}

// TestRelyingPartySignsGuestIn: an unmodified go-oidc relying party
// discovers the tenant's provider, sends a guest who never opened their
// invitation through authorization code + PKCE; the guest types their
// address, gets a passcode, consents (just-in-time redemption) and the
// application receives a verified ID token with Entra's claims.
func TestRelyingPartySignsGuestIn(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	rp := httptest.NewServer(http.NotFoundHandler())
	defer rp.Close()
	app := registerApp(t, s, tn, rp.URL+"/callback", "alice@contoso.example")

	ctx := t.Context()
	provider, err := oidc.NewProvider(ctx, s.URL+"/fabrikam.example/v2.0")
	if err == nil {
		t.Fatal("discovery under a domain must announce the issuer under the tenant id, which go-oidc refuses to mix")
	}
	provider, err = oidc.NewProvider(ctx, s.URL+"/"+tn.ID+"/v2.0")
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	cfg := oauth2.Config{ClientID: app.clientID, ClientSecret: app.secret, Endpoint: provider.Endpoint(),
		RedirectURL: app.redirect, Scopes: []string{oidc.ScopeOpenID, "email", "profile", oidc.ScopeOfflineAccess}}
	pkce := oauth2.GenerateVerifier()
	authURL := cfg.AuthCodeURL("state-123", oauth2.S256ChallengeOption(pkce), oidc.Nonce("nonce-456"))

	g := s.NewGuest("en")
	login := g.Get(t, authURL)
	if login.Status != http.StatusFound && login.Status != http.StatusSeeOther {
		t.Fatalf("authorize: %d %.300s", login.Status, login.Body)
	}
	page := g.Follow(t, login)
	if !strings.Contains(page.Body, `name="email"`) {
		t.Fatalf("sign-in page has no email field:\n%.500s", page.Body)
	}
	base := servertest.TenantBase(login.Location)
	request := url.Values{}
	if u, err := url.Parse(login.Location); err == nil {
		request.Set("request", u.Query().Get("request"))
	}
	request.Set("email", "Alice@Contoso.example")
	started := g.Post(t, base+"/signin", request)
	if started.Status != http.StatusSeeOther {
		t.Fatalf("email: %d %.300s", started.Status, started.Body)
	}
	g.Post(t, base+"/signin/passcode", url.Values{})
	code := s.WaitCode(t, "alice@contoso.example", 1)
	verified := g.Post(t, base+"/signin/code", url.Values{"code": {code}})
	if !strings.HasSuffix(verified.Location, "/signin/consent") {
		t.Fatalf("after the code: %d to %q, want consent (first redemption)", verified.Status, verified.Location)
	}
	back := g.Post(t, base+"/signin/consent", url.Values{"action": {"accept"}})
	callback := g.Follow(t, back)
	if callback.Location == "" || !strings.HasPrefix(callback.Location, app.redirect) {
		t.Fatalf("callback: %d to %q, want the application's redirect URI", callback.Status, callback.Location)
	}
	answer, _ := url.Parse(callback.Location)
	if answer.Query().Get("state") != "state-123" {
		t.Errorf("state = %q, want it echoed", answer.Query().Get("state"))
	}
	tok, err := cfg.Exchange(ctx, answer.Query().Get("code"), oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatalf("code exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: app.clientID}).Verify(ctx, raw)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"nonce": "nonce-456", "email": "alice@contoso.example", "tid": tn.ID, "idp": "mail"} {
		if claims[k] != want {
			t.Errorf("claim %s = %v, want %v", k, claims[k], want)
		}
	}
	if amr, _ := claims["amr"].([]any); len(amr) != 1 || amr[0] != "otp" {
		t.Errorf("amr = %v, want [otp]", claims["amr"])
	}
	if idt.Subject == "" || claims["oid"] == nil || claims["oid"] == idt.Subject {
		t.Errorf("oid %v, sub %q: want the object id and a pairwise subject", claims["oid"], idt.Subject)
	}
	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	if info.Subject != idt.Subject || info.Email != "alice@contoso.example" {
		t.Errorf("userinfo: sub %q email %q, want %q and the guest's address", info.Subject, info.Email, idt.Subject)
	}
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token for offline_access")
	}
}
