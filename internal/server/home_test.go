package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// TestHomeTenantRedemption (R10 step 1, R12): when Fabrikam invites
// ann@contoso.example and Contoso, a tenant of the same deployment that
// verified contoso.example, has her as a member, she redeems by signing
// in with her Contoso password — never a passcode — and her guest object
// in Fabrikam names her Contoso object id under issuer ExternalTenant. A
// wrong password is refused without a word about whether she exists.
func TestHomeTenantRedemption(t *testing.T) {
	t.Parallel()
	s, fabrikam := newFabrikam(t, servertest.Options{})
	contoso := s.CreateTenant(t, "Contoso", "contoso.example")
	const email, secret = "ann@contoso.example", "a long and quiet river bend"
	ann := createMember(t, s, contoso, map[string]any{
		"accountEnabled": true, "displayName": "Ann Lee", "mailNickname": "ann", "userPrincipalName": email,
		"passwordProfile": map[string]any{"forceChangePasswordNextSignIn": false, "password": secret},
	})
	inv := invite(t, s, fabrikam, email)
	// The explainer says why before she redeems (R14).
	p := preview(t, s, fabrikam, email)
	wantPreview(t, p, "homeTenant", true, false)
	if r := stepReason(p, "homeTenant"); r != "contoso.example is a verified domain of Contoso, which has a member with this address" {
		t.Errorf("home tenant's reason %q", r)
	}

	g := s.NewGuest("en")
	opened := g.Get(t, inv.link)
	if opened.Status != http.StatusSeeOther || !strings.HasSuffix(opened.Location, "/signin/password?as=home") {
		t.Fatalf("redeem link: %d to %q, want Contoso's password page", opened.Status, opened.Location)
	}
	page := g.Follow(t, opened)
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "Sign in with your Contoso account") ||
		!strings.Contains(page.Body, `name="password"`) || !strings.Contains(page.Body, `name="email"`) {
		t.Fatalf("password page: %d\n%.800s", page.Status, page.Body)
	}
	base := servertest.TenantBase(opened.Location)
	action := base + "/signin/password?as=home"

	wrong := g.Post(t, action, url.Values{"email": {email}, "password": {"not her password at all"}})
	wantRefused(t, wrong, http.StatusUnauthorized, "The email address or password is not right.")

	proved := g.Post(t, action, url.Values{"email": {email}, "password": {secret}})
	wantConsentNext(t, proved, base)
	landed := g.Post(t, base+"/signin/consent", url.Values{"action": {"accept"}})
	if landed.Status != http.StatusSeeOther {
		t.Fatalf("consent: %d\n%.500s", landed.Status, landed.Body)
	}
	if n := codesMailed(t, s, email); n != 0 {
		t.Errorf("%d passcodes mailed to a guest who redeemed with her home tenant", n)
	}

	var u graphUser
	wantAPI(t, "get guest", s.DoJSON(t, "GET", "/v1.0/users/"+inv.userID+"?$select=externalUserState,identities", fabrikam.Token, nil, &u), http.StatusOK)
	if u.ExternalUserState != "Accepted" || len(u.Identities) != 1 {
		t.Fatalf("guest after redemption: %+v", u)
	}
	if id := u.Identities[0]; id.SignInType != "federated" || id.Issuer != "ExternalTenant" || id.IssuerAssignedID != ann.ID {
		t.Errorf("identity %+v, want federated/ExternalTenant/%s (her Contoso object id)", id, ann.ID)
	}
	wantPreview(t, preview(t, s, fabrikam, email), "homeTenant", true, true)

	// Locked in (R11): Contoso deletes Ann; Fabrikam does not silently
	// hand her a passcode instead, it tells her to ask for a reset (R26).
	wantAPI(t, "delete Ann at Contoso", s.DoJSON(t, "DELETE", "/v1.0/users/"+ann.ID, contoso.Token, nil, nil), http.StatusNoContent)
	again := s.NewGuest("en").Get(t, inv.link)
	wantRefused(t, again, http.StatusForbidden, "You can no longer sign in to Fabrikam the way you did before.")
}
