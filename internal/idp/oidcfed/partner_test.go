package oidcfed_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"guestlist/internal/core"
	"guestlist/internal/idp/federation"
	"guestlist/internal/idp/oidcfed"
	"guestlist/internal/platform"
	"guestlist/internal/servertest"
)

// The partner in these tests is a second guestlist: a real OpenID
// provider with its own tenant, members and applications, reached over
// HTTP. "We" are the Protocol alone, with the deployment URL ourBase and
// a tenant id of our own; the partner's browser redirect to our callback
// is where the test reads the answer, as our callback page would.

const (
	ourBase     = "https://guestlist.example"
	ourTenant   = "4f1c2d3e-0000-4000-8000-000000000001"
	annEmail    = "ann@partner.example"
	annPassword = "Ann keeps a long passphrase at Partner"
)

// partner is the second guestlist with its tenant and one member, Ann.
type partner struct {
	s      *servertest.Server
	tn     servertest.Tenant
	issuer string
	annID  string
}

func newPartner(t *testing.T) *partner {
	t.Helper()
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Partner", "partner.example")
	var ann struct {
		ID string `json:"id"`
	}
	body := map[string]any{
		"accountEnabled": true, "displayName": "Ann Lee", "mailNickname": "ann", "userPrincipalName": annEmail,
		"passwordProfile": map[string]any{"forceChangePasswordNextSignIn": false, "password": annPassword},
	}
	if status := s.DoJSON(t, "POST", "/v1.0/users", tn.Token, body, &ann); status != http.StatusCreated {
		t.Fatalf("create member: %d", status)
	}
	return &partner{s: s, tn: tn, issuer: s.URL + "/" + tn.ID + "/v2.0", annID: ann.ID}
}

// discovery is the partner's discovery document, as any client reads it.
func (pt *partner) discovery(t *testing.T) oidc.ProviderConfig {
	t.Helper()
	var doc oidc.ProviderConfig
	if status := pt.s.DoJSON(t, "GET", "/"+pt.tn.ID+"/v2.0/.well-known/openid-configuration", "", nil, &doc); status != http.StatusOK {
		t.Fatalf("partner discovery: %d", status)
	}
	if doc.IssuerURL != pt.issuer {
		t.Fatalf("partner issuer %q, want %q", doc.IssuerURL, pt.issuer)
	}
	return doc
}

// app is an application registered at the partner for us.
type app struct{ clientID, secret, principal string }

// register registers us at the partner as an administrator of the
// partner would: a web application whose redirect URI is our callback,
// with a secret, and Ann assigned to it.
func (pt *partner) register(t *testing.T, name string) app {
	t.Helper()
	return pt.registerAt(t, name, ourBase+"/"+ourTenant+"/federation/callback")
}

// registerAt registers an application whose redirect URI is callback.
func (pt *partner) registerAt(t *testing.T, name, callback string) app {
	t.Helper()
	var a struct {
		ID    string `json:"id"`
		AppID string `json:"appId"`
	}
	body := map[string]any{"displayName": name, "web": map[string]any{"redirectUris": []string{callback}}}
	if status := pt.s.DoJSON(t, "POST", "/v1.0/applications", pt.tn.Token, body, &a); status != http.StatusCreated {
		t.Fatalf("register application: %d", status)
	}
	var pw struct {
		SecretText string `json:"secretText"`
	}
	if status := pt.s.DoJSON(t, "POST", "/v1.0/applications/"+a.ID+"/addPassword", pt.tn.Token, map[string]any{}, &pw); status != http.StatusOK {
		t.Fatalf("addPassword: %d", status)
	}
	var sps struct {
		Value []struct {
			ID string `json:"id"`
		} `json:"value"`
	}
	q := url.Values{"$filter": {"appId eq '" + a.AppID + "'"}}
	if status := pt.s.DoJSON(t, "GET", "/v1.0/servicePrincipals?"+q.Encode(), pt.tn.Token, nil, &sps); status != http.StatusOK || len(sps.Value) != 1 {
		t.Fatalf("service principal: %d %+v", status, sps)
	}
	registered := app{clientID: a.AppID, secret: pw.SecretText, principal: sps.Value[0].ID}
	pt.assign(t, registered, pt.annID)
	return registered
}

// assign gives the partner's user uid access to a.
func (pt *partner) assign(t *testing.T, a app, uid string) {
	t.Helper()
	assignment := map[string]any{"principalId": uid, "resourceId": a.principal}
	if status := pt.s.DoJSON(t, "POST", "/v1.0/users/"+uid+"/appRoleAssignments", pt.tn.Token, assignment, nil); status != http.StatusCreated {
		t.Fatalf("assign %s: %d", uid, status)
	}
}

// invite makes email a guest of the partner with access to a: a guest
// is asked for consent at their first sign-in, and may decline.
func (pt *partner) invite(t *testing.T, a app, email string) {
	t.Helper()
	inv := pt.s.Invite(t, pt.tn, email, nil)
	user, _ := inv["invitedUser"].(map[string]any)
	uid, _ := user["id"].(string)
	if uid == "" {
		t.Fatalf("invitation without a user: %v", inv)
	}
	pt.assign(t, a, uid)
}

// decline is a guest of the partner who signs in with a mailed passcode
// and then declines to share their details with us.
func (pt *partner) decline(t *testing.T, authURL, email string) map[string]string {
	t.Helper()
	g := pt.s.NewGuest("en")
	started := pt.typeAddress(t, g, pt.onPartner(t, g, g.Get(t, authURL)), email)
	if started.Status != http.StatusSeeOther {
		t.Fatalf("after the address: %d to %q\n%.600s", started.Status, started.Location, started.Body)
	}
	base := servertest.TenantBase(started.Location)
	g.Post(t, base+"/signin/passcode", url.Values{})
	verified := g.Post(t, base+"/signin/code", url.Values{"code": {pt.s.WaitCode(t, email, 1)}})
	if !strings.HasSuffix(verified.Location, "/signin/consent") {
		t.Fatalf("after the code: %d to %q, want consent", verified.Status, verified.Location)
	}
	return callbackParams(t, pt.onPartner(t, g, g.Post(t, base+"/signin/consent", url.Values{"action": {"decline"}})))
}

// us is our side: the protocol, our clock and the keyring our provider
// settings are sealed with.
type us struct {
	proto *oidcfed.Protocol
	clock *servertest.Clock
	keys  *platform.Keyring
}

func newUs(t *testing.T, opts oidcfed.Options) *us {
	t.Helper()
	keys, err := platform.NewKeyring([]byte("our server key, 32 bytes or more, for sealing"))
	if err != nil {
		t.Fatal(err)
	}
	clock := servertest.NewClock(time.Now())
	opts.AllowInsecureHTTP = true // the partner is a loopback server
	return &us{proto: oidcfed.New(keys, ourBase, clock.Now, opts), clock: clock, keys: keys}
}

// provider is the identity provider an administrator of ours would
// configure for the partner's app a: issuer and client, the secret sealed.
func (u *us) provider(t *testing.T, kind core.ProviderKind, issuer string, a app) *core.IdentityProvider {
	t.Helper()
	p := &core.IdentityProvider{TenantID: ourTenant, ID: platform.NewToken(), Kind: kind, DisplayName: "Partner",
		Domains: []string{"partner.example"}, OIDC: core.OIDCConfig{ClientID: a.clientID, Issuer: issuer},
		UpdatedAt: u.clock.Now()}
	if a.secret != "" {
		sealed, err := u.keys.Seal(a.secret, federation.SecretAAD(p.TenantID, p.ID))
		if err != nil {
			t.Fatal(err)
		}
		p.ClientSecret = sealed
	}
	return p
}

// begin is Redirect as the broker calls it: a new request and relay.
func (u *us) begin(t *testing.T, p *core.IdentityProvider) (*core.FederationRequest, string, string) {
	t.Helper()
	req := &core.FederationRequest{TenantID: ourTenant, ID: "req", FlowID: "flow", ProviderID: p.ID}
	relay := platform.NewToken()
	to, err := u.proto.Redirect(t.Context(), p, req, relay)
	if err != nil {
		t.Fatalf("redirect: %v", err)
	}
	if req.RequestID == "" || req.Verifier == "" {
		t.Fatalf("redirect left nonce %q and verifier %q unset", req.RequestID, req.Verifier)
	}
	return req, relay, to
}

var (
	formActionRE = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	hiddenRE     = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// onPartner follows redirects while they stay on the partner and returns
// the first page, or the redirect that leaves it (to us).
func (pt *partner) onPartner(t *testing.T, g *servertest.Guest, p servertest.Page) servertest.Page {
	t.Helper()
	return onSite(t, pt.s, g, p)
}

// typeAddress fills in the partner's sign-in page with email, hidden
// fields included, as a browser would.
func (pt *partner) typeAddress(t *testing.T, g *servertest.Guest, page servertest.Page, email string) servertest.Page {
	t.Helper()
	action := formActionRE.FindStringSubmatch(page.Body)
	if page.Status != http.StatusOK || action == nil || !strings.Contains(page.Body, `name="email"`) {
		t.Fatalf("want the partner's sign-in page, got %d to %q\n%.600s", page.Status, page.Location, page.Body)
	}
	form := url.Values{"email": {email}}
	for _, h := range hiddenRE.FindAllStringSubmatch(page.Body, -1) {
		form.Set(h[1], h[2])
	}
	return g.Post(t, action[1], form)
}

// signIn is Ann's browser: from our redirect URL through the partner's
// sign-in pages, with her address and password, to the redirect back to
// our callback, whose query it returns as the callback would see it.
func (pt *partner) signIn(t *testing.T, authURL string) map[string]string {
	t.Helper()
	return callbackParams(t, pt.annSignsIn(t, authURL))
}

// annSignsIn is Ann at the partner, from authURL to the redirect that
// leaves the partner.
func (pt *partner) annSignsIn(t *testing.T, authURL string) servertest.Page {
	t.Helper()
	g := pt.s.NewGuest("en")
	page := pt.onPartner(t, g, g.Get(t, authURL))
	pwPage := pt.typeAddress(t, g, page, annEmail)
	if pwPage.Status != http.StatusSeeOther || !strings.Contains(pwPage.Location, "/signin/password") {
		t.Fatalf("after the address: %d to %q, want the password page", pwPage.Status, pwPage.Location)
	}
	base := servertest.TenantBase(pwPage.Location)
	done := g.Post(t, base+"/signin/password?as=password", url.Values{"email": {annEmail}, "password": {annPassword}})
	return pt.onPartner(t, g, done)
}

// callbackParams reads the partner's redirect to our callback.
func callbackParams(t *testing.T, p servertest.Page) map[string]string {
	t.Helper()
	if !strings.HasPrefix(p.Location, ourBase+"/"+ourTenant+"/federation/callback?") {
		t.Fatalf("want a redirect to our callback, got %d to %q\n%.600s", p.Status, p.Location, p.Body)
	}
	u, err := url.Parse(p.Location)
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]string{}
	for k := range u.Query() {
		params[k] = u.Query().Get(k)
	}
	return params
}

// onSite follows redirects while they stay on s and returns the first
// page, or the redirect that leaves s.
func onSite(t *testing.T, s *servertest.Server, g *servertest.Guest, p servertest.Page) servertest.Page {
	t.Helper()
	for range 10 {
		loc := p.Location
		if loc == "" || !(strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, s.URL+"/")) {
			return p
		}
		p = g.Follow(t, p)
	}
	t.Fatalf("more than 10 redirects, last to %q", p.Location)
	return p
}
