package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// RP-initiated logout without a valid id_token_hint (OpenID Connect
// RP-Initiated Logout 1.0 section 2): a link anyone can send must not end
// a guest's sessions; the guest confirms on guestlist's page first.

const (
	textSignoutAsk = "An application asked to sign you out of Fabrikam."
	textSignedOut  = "You are not signed in to Fabrikam."
)

// endSessionURL is the logout endpoint as the application discovered it.
func endSessionURL(t *testing.T, rp *relyingParty) string {
	t.Helper()
	var d struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := rp.provider.Claims(&d); err != nil || d.EndSession == "" {
		t.Fatalf("no end_session_endpoint: %v", err)
	}
	return d.EndSession
}

// wantStillSignedIn: the guest's session and the application's refresh
// token both still work.
func wantStillSignedIn(t *testing.T, x *signedIn, refresh string) string {
	t.Helper()
	a, code := x.rp.singleSignOn(t, x.s, x.g)
	wantTokens(t, "single sign-on", x.rp.exchange(t, code, a.verifier))
	return wantTokens(t, "refresh", x.rp.refresh(t, refresh, secretBasic)).RefreshToken
}

// TestLogoutWithExpiredHintAsksFirst: a plain GET with an expired
// id_token_hint ends nothing; it shows the guest a confirmation. A
// cross-site POST of that confirmation is refused; the guest's own
// confirmation ends the session and the application's tokens and returns
// to the registered post_logout_redirect_uri with the state.
func TestLogoutWithExpiredHintAsksFirst(t *testing.T) {
	x := newSignedIn(t)
	s, rp, g := x.s, x.rp, x.g
	endSession := endSessionURL(t, rp)
	s.Clock.Advance(time.Hour + time.Minute) // the ID token lived an hour
	refresh := x.first.RefreshToken

	q := url.Values{"id_token_hint": {x.first.IDToken}, "post_logout_redirect_uri": {appRedirect}, "state": {"bye"}}
	page := open(t, s, g, endSession+"?"+q.Encode())
	if page.Status != http.StatusOK || !strings.Contains(page.Body, textSignoutAsk) {
		t.Fatalf("logout with an expired hint: %d to %q, want the confirmation page\n%.500s", page.Status, page.Location, page.Body)
	}
	refresh = wantStillSignedIn(t, x, refresh)

	// No hint at all: the same question.
	if p := open(t, s, g, endSession+"?"+url.Values{"client_id": {rp.clientID}}.Encode()); !strings.Contains(p.Body, textSignoutAsk) {
		t.Errorf("logout with no hint: %d, want the confirmation page\n%.500s", p.Status, p.Body)
	}

	// Another site posting the confirmation form.
	action := formActionRE.FindStringSubmatch(page.Body)
	if action == nil {
		t.Fatalf("confirmation page without a form:\n%s", page.Body)
	}
	form := url.Values{}
	for _, h := range hiddenRE.FindAllStringSubmatch(page.Body, -1) {
		form.Set(h[1], h[2])
	}
	req, _ := http.NewRequestWithContext(t.Context(), "POST", s.URL+action[1], strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if a := rawDo(t, req); a.status != http.StatusForbidden {
		t.Errorf("cross-site confirmation: %d, want 403", a.status)
	}
	refresh = wantStillSignedIn(t, x, refresh)

	// The guest confirms.
	done := g.Post(t, action[1], form)
	if done.Status != http.StatusSeeOther || done.Location != appRedirect+"?state=bye" {
		t.Fatalf("confirmed logout: %d to %q, want %s?state=bye", done.Status, done.Location, appRedirect)
	}
	wantTokenError(t, "refresh after logout", rp.refresh(t, refresh, secretBasic), http.StatusBadRequest, "invalid_grant")
	wantSigninPage(t, open(t, s, g, rp.attempt().url), "the application after logout")
}

// TestSignedOutPage: the logout endpoint with no parameters, or with an
// unregistered post_logout_redirect_uri, ends on guestlist's signed-out
// page, never a 404 or a redirect elsewhere; so does a valid hint with no
// redirect URI.
func TestSignedOutPage(t *testing.T) {
	x := newSignedIn(t)
	s, rp := x.s, x.rp
	endSession := endSessionURL(t, rp)

	p := open(t, s, s.NewGuest("en"), endSession)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, textSignedOut) {
		t.Errorf("logout with no parameters: %d to %q, want the signed-out page\n%.500s", p.Status, p.Location, p.Body)
	}
	nl := open(t, s, s.NewGuest("nl"), endSession)
	if !strings.Contains(nl.Body, "U bent niet aangemeld bij Fabrikam.") {
		t.Errorf("signed-out page in Dutch:\n%.500s", nl.Body)
	}

	q := url.Values{"client_id": {rp.clientID}, "post_logout_redirect_uri": {"https://evil.example/"}}
	p = open(t, s, s.NewGuest("en"), endSession+"?"+q.Encode())
	wantNoRedirectTo(t, p, "https://evil.example/")
	if !strings.Contains(p.Body, textSignedOut) {
		t.Errorf("unregistered post_logout_redirect_uri: %d, want the signed-out page", p.Status)
	}

	p = open(t, s, x.g, endSession+"?"+url.Values{"id_token_hint": {x.first.IDToken}}.Encode())
	if p.Status != http.StatusOK || !strings.Contains(p.Body, textSignedOut) {
		t.Errorf("valid hint, no redirect URI: %d to %q, want the signed-out page\n%.500s", p.Status, p.Location, p.Body)
	}
	wantSigninPage(t, open(t, s, x.g, rp.attempt().url), "after logout with a valid hint")
}
