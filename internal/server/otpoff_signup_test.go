package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guestlist/internal/policy"
	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

// With the email one-time passcode off, a pending guest to whom nothing
// else applies falls to R10 step 6 (R26): they create a personal account
// inside the redemption. Where personal accounts are not offered either
// (the government profile, R40) the link says so and what to ask for.

const (
	textSignupStart = "To sign in, create a personal account"
	textNoMethod    = "Fabrikam has invited you, but there is no way for you to sign in yet"
	textNoMethodAsk = "Ask the administrator of Fabrikam to set up a way for you to sign in."
)

func TestOTPOffFallsToSignup(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	setEmailOTP(t, s, tn, "disabled")
	inv := invite(t, s, tn, "sam@example.net")

	g := s.NewGuest("en")
	opened := g.Get(t, inv.link)
	if start := g.Follow(t, opened); !strings.Contains(start.Body, textSignupStart) || !strings.Contains(start.Body, "Fabrikam") {
		t.Errorf("the start page does not say Fabrikam signs the guest in with a new personal account:\n%.800s", start.Body)
	}
	action := startNewPassword(t, g, opened, "signup")
	if !strings.Contains(action, "/signin/setpassword?m=signup") {
		t.Fatalf("Enter code page posts to %q, want the sign-up's set-password step", action)
	}
	acceptConsent(t, g, setNewPassword(t, g, action, inv.email, waitCode(t, s, inv.email, 1), goodPassword))

	u := getUser(t, s, tn, inv.userID)
	if u.ExternalUserState != "Accepted" || len(u.Identities) != 1 ||
		u.Identities[0].SignInType != "federated" || u.Identities[0].Issuer != "PersonalAccount" ||
		u.Identities[0].IssuerAssignedID == "" || u.Identities[0].IssuerAssignedID == inv.userID {
		t.Errorf("after sign-up inside the redemption: state %q, identities %+v; want Accepted with the new personal account (R12)",
			u.ExternalUserState, u.Identities)
	}
	// R11: the guest is locked to the account they redeemed with.
	wantPreview(t, preview(t, s, tn, inv.email), "personalAccount", true, true)

	// The account is a personal account like any other: the redeem link
	// now asks for its password.
	again := s.NewGuest("en")
	base := wantPasswordPage(t, again, again.Get(t, inv.link), "personal")
	p := submitPassword(t, again, base, "personal", inv.email, goodPassword)
	if end := followOnServer(t, s, again, p); end.Location != redirectURL {
		t.Errorf("signing in again with the new account: %d to %q, want %s", end.Status, end.Location, redirectURL)
	}
}

func TestGovernmentNoMethod(t *testing.T) {
	t.Parallel()
	// On government "default" means the passcode is off (R26), and there
	// are no personal accounts (R40).
	s, tn := newFabrikam(t, withConfig(func(c *server.Config) { c.Profile = policy.ProfileGovernment }))
	inv := invite(t, s, tn, "sam@example.net")

	g := s.NewGuest("en")
	p := followOnServer(t, s, g, g.Get(t, inv.link))
	if p.Status != http.StatusForbidden || !strings.Contains(p.Body, textNoMethod) || !strings.Contains(p.Body, textNoMethodAsk) {
		t.Errorf("pending guest's link: %d, want 403 naming Fabrikam and what to ask for\n%.800s", p.Status, p.Body)
	}
	if strings.Contains(p.Body, `id="send"`) || strings.Contains(p.Body, `name="password"`) {
		t.Errorf("the no-method page offers a way to sign in:\n%.800s", p.Body)
	}

	for _, path := range []string{"/consumers/signup", "/" + "9188040d-6c67-4c5b-b112-36a304b66dad" + "/signup"} {
		p = g.Get(t, path)
		if p.Status != http.StatusNotFound || strings.Contains(p.Body, `name="email"`) {
			t.Errorf("GET %s on government: %d, want a 404 page without a form\n%.500s", path, p.Status, p.Body)
		}
	}
	if p = g.Post(t, "/consumers/signup", url.Values{"email": {inv.email}}); p.Status != http.StatusNotFound {
		t.Errorf("POST /consumers/signup on government: %d, want 404", p.Status)
	}
}
