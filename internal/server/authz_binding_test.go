package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// An authorization request can be completed only in the browser that
// started it (SPEC R32). Otherwise anyone can start /authorize at an
// application, send a guest the genuine sign-in link, and collect the
// guest's code at the callback once the guest signs in.

// textOtherBrowser is the page a browser gets for someone else's request.
const textOtherBrowser = "This sign-in was started in another browser."

// startedBy opens an application's authorization request in the browser
// g without following the redirect and returns the sign-in link guestlist
// sends it to, and the request's id.
func startedBy(t *testing.T, g *servertest.Guest, a attempt) (link, id string) {
	t.Helper()
	p := g.Get(t, a.url)
	u, err := url.Parse(p.Location)
	if p.Status != http.StatusFound || err != nil || u.Query().Get("request") == "" {
		t.Fatalf("/authorize: %d to %q, want the sign-in page of a request", p.Status, p.Location)
	}
	return p.Location, u.Query().Get("request")
}

// callbackOf is the provider's callback of a request, which hands out its
// code.
func callbackOf(s *servertest.Server, tn servertest.Tenant, id string) string {
	return s.URL + "/" + tn.ID + "/v2.0/authorize/callback?id=" + url.QueryEscape(id)
}

// wantNoCode: p does not carry an authorization code, neither in a
// redirect nor in a page that would post one.
func wantNoCode(t *testing.T, who string, p servertest.Page) {
	t.Helper()
	if strings.Contains(p.Location, "code=") || strings.Contains(p.Body, `name="code"`) {
		t.Fatalf("%s got a code: %d to %q\n%.300s", who, p.Status, p.Location, p.Body)
	}
}

// TestSignInLinkOfAnotherBrowser plays both browsers. The attacker starts
// a request at the application in their own browser and sends the guest,
// who has a live session, the sign-in link; the guest opens it (one click
// would have done it); the attacker polls the callback. The attacker never
// gets a code, and the guest's browser cannot complete the attacker's
// request either, by the sign-in page, the address form or the callback.
func TestSignInLinkOfAnotherBrowser(t *testing.T) {
	x := newSignedIn(t)
	s, rp, guest := x.s, x.rp, x.g
	attacker := s.NewGuest("en")
	link, id := startedBy(t, attacker, rp.attempt())
	callback := callbackOf(s, x.tn, id)

	// The guest's one click; before their browser follows any redirect,
	// the attacker polls.
	opened := guest.Get(t, link)
	wantNoCode(t, "the attacker polling the callback", attacker.Get(t, callback))
	wantNoCode(t, "the guest's browser", followOnServer(t, s, guest, opened))
	wantRefused(t, opened, http.StatusForbidden, textOtherBrowser)

	// The guest's browser, by the address form that carries the request,
	// and by the callback.
	typed := guest.Post(t, servertest.TenantBase(link)+"/signin", url.Values{"email": {x.email}, "request": {id}})
	wantRefused(t, typed, http.StatusForbidden, textOtherBrowser)
	if p := guest.Get(t, callback); p.Status != http.StatusForbidden {
		t.Errorf("the guest's browser at the attacker's callback: %d to %q, want 403", p.Status, p.Location)
	} else {
		wantNoCode(t, "the guest's browser at the callback", p)
	}
	wantNoCode(t, "the attacker polling the callback again", attacker.Get(t, callback))

	// A browser with no binding cookie at all (a fresh one) is refused
	// alike.
	wantRefused(t, s.NewGuest("en").Get(t, link), http.StatusForbidden, textOtherBrowser)

	// The guest's own sign-ins still work, by session and by passcode.
	a, code := rp.singleSignOn(t, s, guest)
	wantTokens(t, "the guest's own single sign-on", rp.exchange(t, code, a.verifier))
	signInAgainAfter(s)
	other := s.NewGuest("en")
	a = rp.attempt()
	end, _ := passcodeSignIn(t, s, other, open(t, s, other, a.url), x.email)
	wantTokens(t, "a passcode sign-in in another browser", rp.exchange(t, rp.codeFrom(t, end, a), a.verifier))
}

// TestCodeHandedOutOnce: the callback hands the code of a completed request
// to its own browser once; asking again gives nothing.
func TestCodeHandedOutOnce(t *testing.T) {
	x := newSignedIn(t)
	s, rp, g := x.s, x.rp, x.g
	a := rp.attempt()
	link, id := startedBy(t, g, a)
	done := g.Get(t, link)
	if !strings.HasPrefix(done.Location, callbackOf(s, x.tn, id)) {
		t.Fatalf("sign-in page with a session: %d to %q, want the callback", done.Status, done.Location)
	}
	code := rp.codeFrom(t, g.Follow(t, done), a)
	wantNoCode(t, "a second visit to the callback", g.Get(t, callbackOf(s, x.tn, id)))
	wantTokens(t, "the code handed out", rp.exchange(t, code, a.verifier))
}

// TestTwoRequestsInOneBrowser: two applications signing in at once in
// one browser (two tabs) both complete: the binding is the browser's, not
// the last request's.
func TestTwoRequestsInOneBrowser(t *testing.T) {
	x := newSignedIn(t)
	s, rp, g := x.s, x.rp, x.g
	board := newRelyingParty(t, s, x.tn, registerApp(t, s, x.tn, "https://board.example/callback", x.email))
	a1, a2 := rp.attempt(), board.attempt()
	link1, _ := startedBy(t, g, a1)
	link2, _ := startedBy(t, g, a2)
	code2 := board.codeFrom(t, open(t, s, g, link2), a2)
	code1 := rp.codeFrom(t, open(t, s, g, link1), a1)
	wantTokens(t, "first tab", rp.exchange(t, code1, a1.verifier))
	wantTokens(t, "second tab", board.exchange(t, code2, a2.verifier))
}
