package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// oidcPartner is a partner company whose own login is a second,
// independent guestlist: its tenant verified partner.example, and its
// members sign in there with their passwords.
type oidcPartner struct {
	s      *servertest.Server
	tenant servertest.Tenant
	issuer string
	app    rpApp // guestlist (the inviting side) as the partner's client
}

const partnerSecret = "a harbour full of quiet boats"

// newOIDCPartner starts the partner with members, and registers the
// inviting tenant's callback with it as an application.
func newOIDCPartner(t *testing.T, callback string, members ...string) *oidcPartner {
	t.Helper()
	ps := servertest.New(t, servertest.Options{})
	pt := ps.CreateTenant(t, "Partner Corp", "partner.example")
	app := registerApp(t, ps, pt, callback)
	status, sps := ps.Do(t, "GET", "/v1.0/servicePrincipals?$filter="+url.QueryEscape("appId eq '"+app.clientID+"'"), pt.Token, nil)
	if status != http.StatusOK || len(sps["value"].([]any)) != 1 {
		t.Fatalf("service principal: %d %v", status, sps)
	}
	sp := sps["value"].([]any)[0].(map[string]any)["id"].(string)
	for _, email := range members {
		m := createMember(t, ps, pt, map[string]any{
			"accountEnabled": true, "displayName": "Greta Berg", "mailNickname": strings.Split(email, "@")[0],
			"userPrincipalName": email,
			"passwordProfile":   map[string]any{"forceChangePasswordNextSignIn": false, "password": partnerSecret},
		})
		// The partner lets its employee use guestlist as an application.
		if status, a := ps.Do(t, "POST", "/v1.0/users/"+m.ID+"/appRoleAssignments", pt.Token,
			map[string]any{"principalId": m.ID, "resourceId": sp}); status != http.StatusCreated {
			t.Fatalf("assign %s: %d %v", email, status, a)
		}
	}
	return &oidcPartner{s: ps, tenant: pt, issuer: ps.URL + "/" + pt.ID + "/v2.0", app: app}
}

// addOIDCFederation configures the partner as fabrikam's OpenID Connect
// identity provider for partner.example and returns its id.
func addOIDCFederation(t *testing.T, s *servertest.Server, tn servertest.Tenant, p *oidcPartner) string {
	t.Helper()
	var created struct {
		ID           string `json:"id"`
		ClientSecret string `json:"clientSecret"`
		RedirectURI  string `json:"redirectUri"`
	}
	status := s.DoJSON(t, "POST", "/v1.0/identity/identityProviders", tn.Token, map[string]any{
		"@odata.type": "#microsoft.graph.openIdConnectIdentityProvider",
		"displayName": "Partner SSO", "clientId": p.app.clientID, "clientSecret": p.app.secret,
		"issuer": p.issuer, "responseType": "code", "scope": "openid email profile",
		"claimsMapping": map[string]any{"userId": "sub", "email": "email", "displayName": "name"},
		"domains":       []string{"partner.example"},
	}, &created)
	if status != http.StatusCreated || created.ID == "" {
		t.Fatalf("add OpenID Connect federation: %d %+v", status, created)
	}
	if created.ClientSecret == p.app.secret {
		t.Error("the client secret came back from the API")
	}
	return created.ID
}

// signInAtPartner follows the browser from guestlist's redirect to the
// partner's sign-in, signs in there with the member's password and
// follows the partner's redirects until they lead back to s. It returns
// that last redirect (guestlist's callback URL).
func (p *oidcPartner) signInAtPartner(t *testing.T, g *servertest.Guest, toPartner, email, password string, back string) string {
	t.Helper()
	if !strings.HasPrefix(toPartner, p.s.URL+"/") {
		t.Fatalf("sent to %q, want the partner's authorization endpoint", toPartner)
	}
	authz := g.Get(t, toPartner)
	if authz.Status/100 != 3 {
		t.Fatalf("partner authorize: %d %.400s", authz.Status, authz.Body)
	}
	login, err := url.Parse(authz.Location)
	if err != nil {
		t.Fatal(err)
	}
	request := login.Query().Get("request")
	base := "/" + p.tenant.ID
	loginURL := authz.Location
	if strings.HasPrefix(loginURL, "/") {
		loginURL = p.s.URL + loginURL
	}
	started := g.Get(t, loginURL)
	if started.Status != http.StatusOK || !strings.Contains(started.Body, `name="email"`) {
		t.Fatalf("partner sign-in page: %d %.400s", started.Status, started.Body)
	}
	next := g.Post(t, p.s.URL+base+"/signin", url.Values{"email": {email}, "request": {request}})
	if next.Status != http.StatusSeeOther {
		t.Fatalf("partner address step: %d %.400s", next.Status, next.Body)
	}
	proved := g.Post(t, p.s.URL+base+"/signin/password?as=password", url.Values{"email": {email}, "password": {password}})
	loc := proved.Location
	for hops := 0; loc != "" && !strings.HasPrefix(loc, back); hops++ {
		if hops > 5 {
			t.Fatalf("no way back to guestlist after the partner's sign-in; last at %q", loc)
		}
		if strings.HasPrefix(loc, "/") {
			loc = p.s.URL + loc
		}
		loc = g.Get(t, loc).Location
	}
	if loc == "" {
		t.Fatalf("partner password step: %d %s", proved.Status, shownMessage(proved.Body))
	}
	return loc
}

// TestOIDCFederationRedemption (R10 step 2, R11, R12): Fabrikam federates
// partner.example with the partner's own OpenID provider — a second,
// independent guestlist. Greta's invitation sends her there; she signs
// in with her company password and comes back as a redeemed guest whose
// identity names the partner's issuer, with no passcode mailed. Her
// next sign-in, typing her address, goes to the partner again.
func TestOIDCFederationRedemption(t *testing.T) {
	t.Parallel()
	s, fabrikam := newFabrikam(t, servertest.Options{})
	const email = "greta@partner.example"
	partner := newOIDCPartner(t, s.URL+"/"+fabrikam.ID+"/federation/callback", email)
	addOIDCFederation(t, s, fabrikam, partner)
	inv := invite(t, s, fabrikam, email)

	p := preview(t, s, fabrikam, email)
	wantPreview(t, p, "externalFederation", true, false)
	if r := stepReason(p, "externalFederation"); !strings.Contains(r, "Partner SSO") || !strings.Contains(r, partner.issuer) {
		t.Errorf("explainer's federation reason %q, want the provider and its issuer named", r)
	}

	g := s.NewGuest("en")
	opened := g.Get(t, inv.link)
	if opened.Status != http.StatusSeeOther || !strings.Contains(opened.Location, "/signin/federation") {
		t.Fatalf("redeem link: %d to %q, want the federation step", opened.Status, opened.Location)
	}
	base := servertest.TenantBase(opened.Location)
	toPartner := servertest.Onward(t, g.Follow(t, opened))
	back := partner.signInAtPartner(t, g, toPartner, email, partnerSecret, s.URL)
	returned := g.Get(t, back)
	if returned.Status != http.StatusSeeOther || !strings.Contains(returned.Location, "/signin/federation/done") {
		t.Fatalf("callback: %d to %q %.300s", returned.Status, returned.Location, returned.Body)
	}
	wantConsentNext(t, g.Follow(t, returned), base)
	if landed := g.Post(t, base+"/signin/consent", url.Values{"action": {"accept"}}); landed.Status != http.StatusSeeOther {
		t.Fatalf("consent: %d %.300s", landed.Status, landed.Body)
	}
	if n := codesMailed(t, s, email); n != 0 {
		t.Errorf("%d passcodes mailed to a federated guest", n)
	}
	wantIdentity(t, s, fabrikam, inv.userID, partner.issuer)
	p = preview(t, s, fabrikam, email)
	wantPreview(t, p, "externalFederation", true, true)

	// The next sign-in, from the sign-in page, goes to the partner again
	// (R11), and the answer cannot be used twice.
	again := s.NewGuest("en")
	start := again.Post(t, base+"/signin", url.Values{"email": {email}})
	if start.Status != http.StatusSeeOther || !strings.Contains(start.Location, "/signin/federation") {
		t.Fatalf("typed address: %d to %q, want the federation step", start.Status, start.Location)
	}
	toPartner = servertest.Onward(t, again.Follow(t, start))
	back = partner.signInAtPartner(t, again, toPartner, email, partnerSecret, s.URL)
	done := again.Follow(t, again.Get(t, back))
	if done.Status != http.StatusSeeOther || !strings.HasSuffix(done.Location, "/apps") {
		t.Fatalf("second sign-in: %d to %q %.300s", done.Status, done.Location, done.Body)
	}
	replayed := again.Get(t, back)
	if replayed.Status == http.StatusSeeOther && strings.Contains(replayed.Location, "/done") {
		replayed = again.Follow(t, replayed)
	}
	if replayed.Status < 400 || !strings.Contains(replayed.Body, "expired or was started in another browser") {
		t.Fatalf("the same callback twice: %d %.300s", replayed.Status, replayed.Body)
	}
}

// wantIdentity checks that the guest redeemed with the federation whose
// issuer is issuer (R12).
func wantIdentity(t *testing.T, s *servertest.Server, tn servertest.Tenant, userID, issuer string) {
	t.Helper()
	var u struct {
		ExternalUserState string `json:"externalUserState"`
		Identities        []struct {
			SignInType       string `json:"signInType"`
			Issuer           string `json:"issuer"`
			IssuerAssignedID string `json:"issuerAssignedId"`
		} `json:"identities"`
	}
	if status := s.DoJSON(t, "GET", "/v1.0/users/"+userID+"?$select=externalUserState,identities", tn.Token, nil, &u); status != http.StatusOK {
		t.Fatalf("get guest: %d", status)
	}
	if u.ExternalUserState != "Accepted" || len(u.Identities) != 1 || u.Identities[0].Issuer != issuer ||
		u.Identities[0].SignInType != "federated" || u.Identities[0].IssuerAssignedID == "" {
		t.Fatalf("guest after federated redemption: %+v, want Accepted with one federated identity from %s", u, issuer)
	}
}
