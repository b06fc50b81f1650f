package server_test

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"guestlist/internal/servertest"
)

// Members of a tenant sign in to it with their own password (SPEC R10
// step 1, R41), and the password's life as Entra gives it: a forced
// change at next sign-in, self-service reset by a mailed code, and smart
// lockout per account and client.

const (
	adelePassword = "xWwvJ]6NMw+bWH-d" // Graph's own example
	textNewPwPage = "Your password must be changed before you go on."
	textTooManyPw = "Too many failed attempts. Try again in"
	textPortal    = `id="email"` // the sign-in page's address field
)

// hasSessionCookie reports whether g holds a session cookie.
func hasSessionCookie(g *servertest.Guest) bool {
	return slices.ContainsFunc(g.Cookies(), func(c *http.Cookie) bool { return strings.Contains(c.Name, "-session-") })
}

// memberSignIn types email on the tenant's own sign-in page (towards its
// portal) in g and returns the password page's base.
func memberSignIn(t testing.TB, g *servertest.Guest, tenantID, email string) string {
	t.Helper()
	return wantPasswordPage(t, g, g.Post(t, "/"+tenantID+"/signin", url.Values{"email": {email}}), "password")
}

// wantPortal checks that p ends on the tenant's portal of applications.
func wantPortal(t testing.TB, s *servertest.Server, g *servertest.Guest, tenantID string, p servertest.Page) {
	t.Helper()
	if p.Status != http.StatusSeeOther || p.Location != s.URL+"/"+tenantID+"/apps" {
		t.Fatalf("got %d to %q, want the portal\n%.800s", p.Status, p.Location, p.Body)
	}
	if portal := g.Follow(t, p); portal.Status != http.StatusOK || isSigninPage(portal) {
		t.Fatalf("portal after signing in: %d\n%.500s", portal.Status, portal.Body)
	}
}

func TestMemberSignsInToOwnTenant(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	adele := createMember(t, s, fab, memberBody("Adele Vance", "adele@fabrikam.example", adelePassword, false))
	app := registerApp(t, s, fab, appRedirect)
	assign(t, s, fab, adele.ID, app.clientID)
	rp := newRelyingParty(t, s, fab, app)

	g := s.NewGuest("en")
	a, page := appSignIn(t, s, g, rp)
	base := wantPasswordPage(t, g, typeAddress(t, g, page, "adele@fabrikam.example"), "password")
	if pw := g.Get(t, base+"/signin/password?as=password"); !strings.Contains(pw.Body, "Sign in to Fabrikam") {
		t.Errorf("the member's password page does not name Fabrikam:\n%.500s", pw.Body)
	}
	// A member never redeems: the right password leads straight back to
	// the application, without a consent page (R5 is for guests).
	p := submitPassword(t, g, base, "password", "adele@fabrikam.example", adelePassword)
	if strings.Contains(p.Location, "/signin/consent") {
		t.Fatalf("a member was asked to consent: %q", p.Location)
	}
	claims := tokensOf(t, s, g, rp, a, p)
	if !slices.Equal(claims.AMR, []string{"pwd"}) || claims.IDP != nil || claims.OID != adele.ID {
		t.Errorf("member's ID token: amr %v, idp %s, oid %s; want [pwd], no idp (R12: the tenant's own member), oid %s",
			claims.AMR, deref(claims.IDP), claims.OID, adele.ID)
	}
}

func TestForcedPasswordChange(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	adele := createMember(t, s, fab, memberBody("Adele Vance", "adele@fabrikam.example", adelePassword, true))
	app := registerApp(t, s, fab, appRedirect)
	assign(t, s, fab, adele.ID, app.clientID)
	rp := newRelyingParty(t, s, fab, app)

	g := s.NewGuest("en")
	a, page := appSignIn(t, s, g, rp)
	base := wantPasswordPage(t, g, typeAddress(t, g, page, "adele@fabrikam.example"), "password")
	p := submitPassword(t, g, base, "password", "adele@fabrikam.example", adelePassword)
	if p.Status != http.StatusSeeOther || p.Location != base+"/signin/newpassword" {
		t.Fatalf("right password that must change: %d to %q, want the new-password page", p.Status, p.Location)
	}
	// The sign-in is not whole until the password is changed: no session.
	if hasSessionCookie(g) {
		t.Errorf("a session cookie was set before the password was changed: %v", g.Cookies())
	}
	if pg := g.Follow(t, p); pg.Status != http.StatusOK || !strings.Contains(pg.Body, textNewPwPage) {
		t.Fatalf("new-password page: %d\n%.500s", pg.Status, pg.Body)
	}
	weak := g.Post(t, base+"/signin/newpassword", url.Values{"password": {"password123"}})
	if weak.Status != http.StatusBadRequest || !strings.Contains(weak.Body, textCommon) {
		t.Fatalf("weak new password: %d, want 400 with %q\n%.500s", weak.Status, textCommon, weak.Body)
	}
	if hasSessionCookie(g) {
		t.Errorf("a refused new password started a session")
	}
	const fresh = "adele picks a fresh passphrase"
	claims := tokensOf(t, s, g, rp, a, g.Post(t, base+"/signin/newpassword", url.Values{"password": {fresh}}))
	if claims.OID != adele.ID || !slices.Equal(claims.AMR, []string{"pwd"}) {
		t.Errorf("after the change: oid %s amr %v", claims.OID, claims.AMR)
	}

	// Next time the old password is wrong and the new one is enough.
	next := s.NewGuest("en")
	base = memberSignIn(t, next, fab.ID, "adele@fabrikam.example")
	wantWrongPassword(t, submitPassword(t, next, base, "password", "adele@fabrikam.example", adelePassword))
	wantPortal(t, s, next, fab.ID, submitPassword(t, next, base, "password", "adele@fabrikam.example", fresh))
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	contoso := s.CreateTenant(t, "Contoso", "contoso.example")
	const carol, old, fresh = "carol@contoso.example", "carol's first passphrase", "carol's second passphrase"
	createMember(t, s, contoso, memberBody("Carol", carol, old, false))

	// Carol is signed in to Contoso's portal in her usual browser.
	usual := s.NewGuest("en")
	wantPortal(t, s, usual, contoso.ID, submitPassword(t, usual, memberSignIn(t, usual, contoso.ID, carol), "password", carol, old))

	// She resets her password elsewhere with a code mailed to her.
	g := s.NewGuest("en")
	if form := g.Get(t, "/"+contoso.ID+"/password/reset"); form.Status != http.StatusOK || !strings.Contains(form.Body, `name="email"`) {
		t.Fatalf("reset form: %d\n%.500s", form.Status, form.Body)
	}
	action := startNewPassword(t, g, g.Post(t, "/"+contoso.ID+"/password/reset", url.Values{"email": {carol}}), "reset")
	done := followOnServer(t, s, g, setNewPassword(t, g, action, carol, waitCode(t, s, carol, 1), fresh))
	if done.Status != http.StatusOK || !strings.Contains(done.Body, textResetDone) {
		t.Fatalf("after the reset: %d, want %q\n%.500s", done.Status, textResetDone, done.Body)
	}
	// The old password may be known to someone else: every session of
	// the account ends with it.
	if p := usual.Get(t, "/"+contoso.ID+"/apps"); !isSigninPage(p) {
		t.Errorf("the session from before the reset still reaches the portal: %d\n%.500s", p.Status, p.Body)
	}
	next := s.NewGuest("en")
	base := memberSignIn(t, next, contoso.ID, carol)
	wantWrongPassword(t, submitPassword(t, next, base, "password", carol, old))
	wantPortal(t, s, next, contoso.ID, submitPassword(t, next, base, "password", carol, fresh))

	// An address without an account gets the same pages and, in its
	// mailbox, a note instead of a code.
	const nobody = "dan@contoso.example"
	n := s.NewGuest("en")
	startNewPassword(t, n, n.Post(t, "/"+contoso.ID+"/password/reset", url.Values{"email": {nobody}}), "reset")
	s.WaitMail(t, nobody, 1, textNoAccount)
	if c := codesTo(s, nobody); c != 0 {
		t.Errorf("%d codes mailed to an address without an account", c)
	}
}

// postFrom posts form from g's browser at client ip and returns the
// status and the Retry-After header, which servertest.Page leaves out.
func postFrom(t *testing.T, s *servertest.Server, g *servertest.Guest, ip, path string, form url.Values) (int, string, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", "en")
	req.Header.Set("X-Forwarded-For", ip)
	for _, c := range g.Cookies() {
		req.AddCookie(c)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), string(raw)
}

func TestPasswordLockout(t *testing.T) {
	t.Parallel()
	s, fab := behindProxy(t, nil)
	const adele = "adele@fabrikam.example"
	createMember(t, s, fab, memberBody("Adele Vance", adele, adelePassword, false))

	// Ten wrong passwords from one client...
	attacker := browserAt(s, "198.51.100.7")
	base := memberSignIn(t, attacker, fab.ID, adele)
	for i := range 10 {
		wantWrongPassword(t, submitPassword(t, attacker, base, "password", adele, "guess number "+strconv.Itoa(i)))
	}
	// ...and that client gets no further answer for this account, not
	// even to the right password, until the window is over.
	status, retry, body := postFrom(t, s, attacker, "198.51.100.7", base+"/signin/password?as=password",
		url.Values{"email": {adele}, "password": {adelePassword}})
	wait, err := strconv.Atoi(retry)
	if status != http.StatusTooManyRequests || err != nil || wait <= 0 || wait > 15*60 || !strings.Contains(body, textTooManyPw) {
		t.Fatalf("11th attempt: %d, Retry-After %q, want 429 with a wait of at most 15 minutes and %q\n%.500s", status, retry, textTooManyPw, body)
	}

	// Adele, on another client, is not locked out by the attacker.
	owner := browserAt(s, "203.0.113.20")
	wantPortal(t, s, owner, fab.ID, submitPassword(t, owner, memberSignIn(t, owner, fab.ID, adele), "password", adele, adelePassword))

	// The first client stays locked until the window is over, and then
	// may try again: as Retry-After said.
	s.Clock.Advance(15*time.Minute - time.Second)
	early := browserAt(s, "198.51.100.7")
	if p := submitPassword(t, early, memberSignIn(t, early, fab.ID, adele), "password", adele, adelePassword); p.Status != http.StatusTooManyRequests {
		t.Errorf("a second before the window is over: %d (to %q), want 429", p.Status, p.Location)
	}
	s.Clock.Advance(time.Second)
	again := browserAt(s, "198.51.100.7")
	wantPortal(t, s, again, fab.ID, submitPassword(t, again, memberSignIn(t, again, fab.ID, adele), "password", adele, adelePassword))
}
