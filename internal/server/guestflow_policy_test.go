package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"guestlist/internal/servertest"
)

const emailPolicyPath = "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email"

// emailOTP reads allowExternalIdToUseEmailOtp as an administrator would.
func emailOTP(t *testing.T, s *servertest.Server, tn servertest.Tenant) any {
	t.Helper()
	status, body := s.Do(t, "GET", emailPolicyPath, tn.Token, nil)
	if status != http.StatusOK {
		t.Fatalf("GET email policy: %d %v", status, body)
	}
	return body["allowExternalIdToUseEmailOtp"]
}

func setEmailOTP(t *testing.T, s *servertest.Server, tn servertest.Tenant, v string) {
	t.Helper()
	if status, body := s.Do(t, "PATCH", emailPolicyPath, tn.Token, map[string]any{"allowExternalIdToUseEmailOtp": v}); status != http.StatusNoContent {
		t.Fatalf("PATCH email policy %q: %d %v", v, status, body)
	}
	if got := emailOTP(t, s, tn); got != v {
		t.Fatalf("after PATCH %q the policy reads %v", v, got)
	}
}

// redeemIn takes g through inv's link with the n-th code mailed to the
// address; a first redemption consents, a later one lands directly.
func redeemIn(t *testing.T, s *servertest.Server, g *servertest.Guest, inv invitation, n int, first bool) {
	t.Helper()
	base := openLink(t, g, inv.link)
	mustSend(t, g, base, false)
	p := enter(t, g, base, waitCode(t, s, inv.email, n))
	if first {
		wantConsentNext(t, p, base)
		p = g.Post(t, base+"/signin/consent", url.Values{"action": {"accept"}})
	}
	if p.Status != http.StatusSeeOther || p.Location != redirectURL {
		t.Fatalf("%s: %d to %q, want %s\n%.500s", inv.email, p.Status, p.Location, redirectURL, p.Body)
	}
}

// TestEmailOTPPolicy: turning email one-time passcodes off stops pending
// guests at the link, mails flows already running a note instead of a
// code and ends redeemed
// guests' sessions; turning it on again lets them in with a new code
// (R20, R26, R27).
func TestEmailOTPPolicy(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	if got := emailOTP(t, s, tn); got != "default" {
		t.Fatalf("a new tenant's allowExternalIdToUseEmailOtp = %v, want default", got)
	}
	pending := invite(t, s, tn, "pat@contoso.com")
	back := invite(t, s, tn, "rob@contoso.com")   // redeemed, comes back while OTP is off
	away := invite(t, s, tn, "quinn@contoso.com") // redeemed, away until OTP is on again
	gBack, gAway := s.NewGuest("en"), s.NewGuest("en")
	redeemIn(t, s, gBack, back, 1, true)
	redeemIn(t, s, gAway, away, 1, true)
	gPending := s.NewGuest("en")
	base := openLink(t, gPending, pending.link) // mid-flow when the policy changes

	setEmailOTP(t, s, tn, "disabled")
	// A pending guest falls to R10 step 6 (R26): their link offers to
	// create a personal account.
	if p := s.NewGuest("en").Get(t, pending.link); p.Status != http.StatusSeeOther || !strings.HasSuffix(p.Location, "/signin/passcode?m=signup") {
		t.Errorf("pending guest's link with OTP off: %d to %q, want the sign-up of a personal account", p.Status, p.Location)
	}
	// A sign-in already running answers as before (R25: the page is the
	// same for everyone); Send code mails the owner of the address a note
	// to create the personal account from the link, and no code.
	mustSend(t, gPending, base, false)
	s.WaitMail(t, pending.email, 1, "Fabrikam signs you in with a personal account, which this address doesn't have yet.")
	for _, m := range s.SMTP.Messages() {
		if servertest.CodeIn(m) != "" && strings.EqualFold(m.To[0], pending.email) {
			t.Fatalf("a code was mailed while OTP is off:\n%s", m.TextBody)
		}
	}
	wantRefused(t, gBack.Get(t, back.link), http.StatusForbidden, textOTPOff)

	s.Clock.Advance(time.Minute)
	setEmailOTP(t, s, tn, "enabled")
	redeemIn(t, s, gPending, pending, 1, true)
	// The sessions ended when OTP was turned off: both need a new code.
	redeemIn(t, s, gBack, back, 2, false)
	redeemIn(t, s, gAway, away, 2, false)
	for _, inv := range []invitation{pending, back, away} {
		wantOneMailIdentity(t, user(t, s, tn, inv.userID), inv.email)
	}
}

// TestEmailOTPPolicyInvalid: a value that is not default, enabled or
// disabled is a Graph 400 and changes nothing.
func TestEmailOTPPolicyInvalid(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	setEmailOTP(t, s, tn, "enabled")
	for _, body := range []any{
		map[string]any{"allowExternalIdToUseEmailOtp": "on"},
		map[string]any{"allowExternalIdToUseEmailOtp": ""},
		map[string]any{"allowExternalIdToUseEmailOtp": "disabled "},
		map[string]any{"allowExternalIdToUseEmailOtp": 0},
		map[string]any{"allowExternalIdToUseEmailOtp": true},
		map[string]any{"allowExternalIdToUseEmailOtp": nil},
		map[string]any{},
		`{"allowExternalIdToUseEmailOtp":`,
		`["disabled"]`,
	} {
		status, resp := s.Do(t, "PATCH", emailPolicyPath, tn.Token, body)
		e, _ := resp["error"].(map[string]any)
		code, _ := e["code"].(string)
		msg, _ := e["message"].(string)
		if status != http.StatusBadRequest || code == "" || msg == "" {
			t.Errorf("PATCH %v: %d %v, want 400 with a Graph error", body, status, resp)
		}
	}
	if got := emailOTP(t, s, tn); got != "enabled" {
		t.Fatalf("after invalid PATCHes the policy reads %v, want enabled", got)
	}
}
