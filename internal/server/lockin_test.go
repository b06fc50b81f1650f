package server_test

import (
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// Lock-in (SPEC R11): a guest keeps the method they redeemed with, even
// when a method earlier in R10's order starts to apply — here their own
// organization, Contoso, creating them as a member. Only a reset of the
// redemption lets the order choose again.

const (
	textOtherMethodOTP = "You sign in to Fabrikam with a one-time code sent to your email, not with this password."
	bobPassword        = "Contoso bob keeps a long passphrase"
)

var continueRE = regexp.MustCompile(`id="continue" href="([^"]*)"`)

// memberBody is Graph's "Create user" body for a member with a password.
func memberBody(name, upn, password string, forceChange bool) map[string]any {
	return map[string]any{
		"accountEnabled": true, "displayName": name, "mailNickname": strings.SplitN(upn, "@", 2)[0],
		"userPrincipalName": upn,
		"passwordProfile":   map[string]any{"forceChangePasswordNextSignIn": forceChange, "password": password},
	}
}

func TestLockInAfterMemberCreated(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	fab := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	contoso := s.CreateTenant(t, "Contoso", "contoso.example")
	inv := invite(t, s, fab, "bob@contoso.example")
	app := registerApp(t, s, fab, appRedirect)
	assign(t, s, fab, inv.userID, app.clientID)
	rp := newRelyingParty(t, s, fab, app)

	// Contoso has no member bob yet: the passcode applies, and Bob
	// redeems with it.
	redeemIn(t, s, s.NewGuest("en"), inv, 1, true)
	wantPreview(t, preview(t, s, fab, inv.email), "emailOneTimePasscode", true, true)

	bob := createMember(t, s, contoso, memberBody("Bob", "bob@contoso.example", bobPassword, false))

	// A typed address goes by its domain alone (R25): Contoso's
	// verified domain leads to Contoso's password page.
	g := s.NewGuest("en")
	a, page := appSignIn(t, s, g, rp)
	base := wantPasswordPage(t, g, typeAddress(t, g, page, inv.email), "home")
	if pw := g.Get(t, base+"/signin/password?as=home"); !strings.Contains(pw.Body, "Sign in with your Contoso account") {
		t.Errorf("the home tenant's password page does not name Contoso:\n%.800s", pw.Body)
	}
	// The right Contoso password proves the address, but Bob is locked
	// to the passcode at Fabrikam (R11): the page names it and links to
	// its page.
	refused := submitPassword(t, g, base, "home", inv.email, bobPassword)
	link := continueRE.FindStringSubmatch(refused.Body)
	if refused.Status != http.StatusConflict || !strings.Contains(refused.Body, textOtherMethodOTP) || link == nil {
		t.Fatalf("Contoso password of a guest locked to the passcode: %d, want 409 with %q and a link\n%.800s",
			refused.Status, textOtherMethodOTP, refused.Body)
	}
	if got := html.UnescapeString(link[1]); got != "/"+fab.ID+"/signin/passcode" {
		t.Errorf("the 409 page links to %q, want Fabrikam's passcode page", got)
	}

	// With the passcode he signs in, straight back to the application.
	start := g.Get(t, html.UnescapeString(link[1]))
	if start.Status != http.StatusOK || !strings.Contains(start.Body, `id="send"`) {
		t.Fatalf("the passcode page from the link: %d\n%.500s", start.Status, start.Body)
	}
	wait := newCodeTo(t, s, inv.email)
	mustSend(t, g, base, false)
	claims := tokensOf(t, s, g, rp, a, enter(t, g, base, wait()))
	if !slices.Equal(claims.AMR, []string{"otp"}) || deref(claims.IDP) != "mail" {
		t.Errorf("ID token after the passcode: amr %v, idp %s; want [otp], mail", claims.AMR, deref(claims.IDP))
	}
	wantPreview(t, preview(t, s, fab, inv.email), "emailOneTimePasscode", true, true)

	// A reset of the redemption lets R10's order choose again: Contoso's
	// account comes first now (step 1), and the link goes to its password.
	var reset graphInvitation
	wantAPI(t, "reset redemption", resetTo(t, s, fab, inv.userID, inv.email, &reset), http.StatusCreated)
	again := s.NewGuest("en")
	base = wantPasswordPage(t, again, again.Get(t, reset.InviteRedeemURL), "home")
	acceptConsent(t, again, submitPassword(t, again, base, "home", inv.email, bobPassword))
	u := getUser(t, s, fab, inv.userID)
	if u.ExternalUserState != "Accepted" || len(u.Identities) != 1 || u.Identities[0].SignInType != "federated" ||
		u.Identities[0].Issuer != "ExternalTenant" || u.Identities[0].IssuerAssignedID != bob.ID {
		t.Errorf("after redeeming with Contoso's account: state %q, identities %+v; want Accepted with [federated ExternalTenant %s]",
			u.ExternalUserState, u.Identities, bob.ID)
	}
	wantPreview(t, preview(t, s, fab, inv.email), "homeTenant", true, true)

}
