package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

// wantUnredeemed checks that the guest is still pending: a failed
// federated sign-in redeems nothing.
func wantUnredeemed(t *testing.T, s *servertest.Server, tn servertest.Tenant, userID string) {
	t.Helper()
	var u struct {
		ExternalUserState string `json:"externalUserState"`
		Identities        []struct {
			Issuer string `json:"issuer"`
		} `json:"identities"`
	}
	if status := s.DoJSON(t, "GET", "/v1.0/users/"+userID+"?$select=externalUserState,identities", tn.Token, nil, &u); status != http.StatusOK {
		t.Fatalf("get guest: %d", status)
	}
	if u.ExternalUserState != "PendingAcceptance" {
		t.Errorf("guest is %s with %+v after a failed sign-in, want PendingAcceptance", u.ExternalUserState, u.Identities)
	}
}

// wantFailureLogged checks that tn's sign-in log holds a failure with
// code, whose reason names the provider, for the administrator (R41).
func wantFailureLogged(t *testing.T, s *servertest.Server, tn servertest.Tenant, code int, provider string) {
	t.Helper()
	for _, r := range signIns(t, s, tn, "") {
		if r.Status.ErrorCode == code {
			if r.Status.FailureReason == nil || !strings.Contains(*r.Status.FailureReason, provider) {
				t.Errorf("sign-in failure %d: reason %v, want it to name %s", code, r.Status.FailureReason, provider)
			}
			return
		}
	}
	t.Errorf("no sign-in failure %d in the log: %+v", code, signIns(t, s, tn, ""))
}

// TestFederationAnotherAccount: the partner signs in a colleague, not the
// invited guest. The page names the organization, the partner and the
// address that was invited; nothing is redeemed; the administrator reads
// why in the sign-in log.
func TestFederationAnotherAccount(t *testing.T) {
	t.Parallel()
	s, fabrikam := newFabrikam(t, servertest.Options{})
	const invited, colleague = "greta@partner.example", "olaf@partner.example"
	partner := newOIDCPartner(t, s.URL+"/"+fabrikam.ID+"/federation/callback", colleague)
	addOIDCFederation(t, s, fabrikam, partner)
	inv := invite(t, s, fabrikam, invited)

	g := s.NewGuest("de")
	opened := g.Get(t, inv.link)
	back := partner.signInAtPartner(t, g, servertest.Onward(t, g.Follow(t, opened)), colleague, partnerSecret, s.URL)
	page := g.Follow(t, g.Get(t, back))
	want := "Fabrikam hat " + invited + " eingeladen, aber Partner SSO hat Sie mit einem anderen Konto angemeldet."
	if page.Status != http.StatusForbidden || !strings.Contains(shownMessage(page.Body), want) {
		t.Fatalf("another account: %d %q, want %q", page.Status, shownMessage(page.Body), want)
	}
	wantUnredeemed(t, s, fabrikam, inv.userID)
	wantFailureLogged(t, s, fabrikam, 50020, "Partner SSO")
}

// TestFederationPartnerDown: the partner's server goes down while the
// guest is signing in there. Coming back, the code cannot be exchanged:
// the page says the partner can't be reached and what to do, nothing is
// redeemed, and the sign-in log says why. Starting over while it is still
// down ends on the same page, not on an error.
func TestFederationPartnerDown(t *testing.T) {
	t.Parallel()
	s, fabrikam := newFabrikam(t, servertest.Options{})
	const email = "greta@partner.example"
	partner := newOIDCPartner(t, s.URL+"/"+fabrikam.ID+"/federation/callback", email)
	addOIDCFederation(t, s, fabrikam, partner)
	inv := invite(t, s, fabrikam, email)

	g := s.NewGuest("en")
	opened := g.Get(t, inv.link)
	back := partner.signInAtPartner(t, g, servertest.Onward(t, g.Follow(t, opened)), email, partnerSecret, s.URL)
	partner.s.Stop()
	page := g.Get(t, back)
	wantDown := "Partner SSO, where you sign in to Fabrikam, can't be reached right now"
	if page.Status != http.StatusBadGateway || !strings.Contains(shownMessage(page.Body), wantDown) {
		t.Fatalf("partner down at the code exchange: %d %q", page.Status, shownMessage(page.Body))
	}
	wantUnredeemed(t, s, fabrikam, inv.userID)
	wantFailureLogged(t, s, fabrikam, 80001, "Partner SSO")

	again := s.NewGuest("en")
	opened = again.Get(t, inv.link)
	left := again.Follow(t, opened)
	if left.Status == http.StatusOK {
		// The provider's endpoints were still known: the browser is sent
		// on, and finds the partner down itself.
		servertest.Onward(t, left)
	} else if left.Status != http.StatusBadGateway || !strings.Contains(shownMessage(left.Body), wantDown) {
		t.Fatalf("starting over with the partner down: %d %q", left.Status, shownMessage(left.Body))
	}
}

// TestGoogleFederationRedemption (R10 step 3, R12): Fabrikam turns on
// Google federation; a guest with a @gmail.com address redeems by signing
// in at Google (here a local OpenID provider that stands in for it,
// through the configurable discovery URL) and is shown with issuer
// google.com. A @gmail.com guest of a tenant without Google gets the
// passcode as before.
func TestGoogleFederationRedemption(t *testing.T) {
	t.Parallel()
	const email = "alice.smith@gmail.com"
	// The stand-in for Google is a guestlist whose tenant verified
	// gmail.com; it starts first, as Google is there before us.
	google := servertest.New(t, servertest.Options{})
	gt := google.CreateTenant(t, "Google", "gmail.com")
	s, fabrikam := newFabrikam(t, withConfig(func(c *server.Config) {
		c.Federation.GoogleDiscoveryURL = google.URL + "/" + gt.ID + "/v2.0/.well-known/openid-configuration"
	}))
	partner := &oidcPartner{s: google, tenant: gt, issuer: google.URL + "/" + gt.ID + "/v2.0",
		app: registerApp(t, google, gt, s.URL+"/"+fabrikam.ID+"/federation/callback")}
	member := createMember(t, google, gt, map[string]any{
		"accountEnabled": true, "displayName": "Alice Smith", "mailNickname": "alice.smith", "userPrincipalName": email,
		"passwordProfile": map[string]any{"forceChangePasswordNextSignIn": false, "password": partnerSecret},
	})
	assignToApp(t, google, gt, partner.app, member.ID)
	var created struct {
		ID                   string `json:"id"`
		IdentityProviderType string `json:"identityProviderType"`
	}
	if status := s.DoJSON(t, "POST", "/v1.0/identity/identityProviders", fabrikam.Token, map[string]any{
		"@odata.type": "#microsoft.graph.socialIdentityProvider", "displayName": "Google",
		"identityProviderType": "Google", "clientId": partner.app.clientID, "clientSecret": partner.app.secret,
	}, &created); status != http.StatusCreated || created.IdentityProviderType != "Google" {
		t.Fatalf("add Google: %d %+v", status, created)
	}
	inv := invite(t, s, fabrikam, email)
	p := preview(t, s, fabrikam, email)
	wantPreview(t, p, "google", true, false)

	g := s.NewGuest("en")
	opened := g.Get(t, inv.link)
	if !strings.Contains(opened.Location, "/signin/federation?as=google") {
		t.Fatalf("redeem link to %q, want Google", opened.Location)
	}
	base := servertest.TenantBase(opened.Location)
	back := partner.signInAtPartner(t, g, servertest.Onward(t, g.Follow(t, opened)), email, partnerSecret, s.URL)
	wantConsentNext(t, g.Follow(t, g.Get(t, back)), base)
	if landed := g.Post(t, base+"/signin/consent", url.Values{"action": {"accept"}}); landed.Status != http.StatusSeeOther {
		t.Fatalf("consent: %d %.300s", landed.Status, landed.Body)
	}
	wantIdentity(t, s, fabrikam, inv.userID, "google.com")

	// Without Google, a Gmail address gets the passcode.
	contoso := s.CreateTenant(t, "Contoso", "contoso.example")
	wantPreview(t, preview(t, s, contoso, email), "emailOneTimePasscode", true, false)
}

// assignToApp gives the user uid of tn access to app.
func assignToApp(t *testing.T, s *servertest.Server, tn servertest.Tenant, app rpApp, uid string) {
	t.Helper()
	status, sps := s.Do(t, "GET", "/v1.0/servicePrincipals?$filter="+url.QueryEscape("appId eq '"+app.clientID+"'"), tn.Token, nil)
	if status != http.StatusOK || len(sps["value"].([]any)) != 1 {
		t.Fatalf("service principal: %d %v", status, sps)
	}
	sp := sps["value"].([]any)[0].(map[string]any)["id"].(string)
	if status, a := s.Do(t, "POST", "/v1.0/users/"+uid+"/appRoleAssignments", tn.Token,
		map[string]any{"principalId": uid, "resourceId": sp}); status != http.StatusCreated {
		t.Fatalf("assign %s: %d %v", uid, status, a)
	}
}

// TestFederationLockIn (R11): a guest who redeemed with a passcode before
// the tenant federated their domain keeps the passcode; the explainer
// says so. A guest invited after it goes to the partner.
func TestFederationLockIn(t *testing.T) {
	t.Parallel()
	s, fabrikam := newFabrikam(t, servertest.Options{})
	const early, late = "early@partner.example", "late@partner.example"
	inv := invite(t, s, fabrikam, early)
	g := s.NewGuest("en")
	wantConsentNext(t, g.Redeem(t, inv.link, early, 1), servertest.TenantBase(inv.link))
	g.Post(t, servertest.TenantBase(inv.link)+"/signin/consent", url.Values{"action": {"accept"}})

	partner := newSAMLPartner(t)
	addSAMLFederation(t, s, fabrikam, partner)
	p := preview(t, s, fabrikam, early)
	wantPreview(t, p, "emailOneTimePasscode", true, true)
	wantPreview(t, preview(t, s, fabrikam, late), "externalFederation", true, false)

	// Signing in again from the application's sign-in page: the domain
	// alone sends the address to its provider (nothing about the guest is
	// told before a proof, R25); once the partner proved it, the page
	// says this guest signs in with a code, and leads there.
	partner.signIn(early)
	again := s.NewGuest("en")
	base := "/" + fabrikam.ID
	start := again.Post(t, base+"/signin", url.Values{"email": {early}})
	posted, _ := partner.postBack(t, again, servertest.Onward(t, again.Follow(t, start)))
	told := again.Follow(t, posted)
	if told.Status != http.StatusConflict || !strings.Contains(shownMessage(told.Body), "one-time code") ||
		!strings.Contains(told.Body, base+"/signin/passcode") {
		t.Fatalf("locked-in guest after the partner's proof: %d %q", told.Status, shownMessage(told.Body))
	}
}
