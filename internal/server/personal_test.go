package server_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/uuid"

	"guestlist/internal/core"
	"guestlist/internal/servertest"
)

// Personal accounts (SPEC R10 step 4 and 6, R12, R25): anyone may create
// one at /consumers/signup with an address they prove by a mailed code and
// a password of their choice, and redeem invitations with it.

// What a guest reads on the password pages (internal/i18n/locales/en.json),
// as html/template writes it.
const (
	textSignupReady   = "Your personal account is ready"
	textWrongPassword = "The email address or password is not right."
	textCommon        = "This password is too common and easy to guess. Choose another."
	textAccountExists = "but it already has one"
	textNoAccount     = "but there is no such account"
	textResetDone     = "Your password has changed"
	// goodPassword passes the password rules (NIST SP 800-63B): long,
	// not common, not the address.
	goodPassword = "correct horse battery staple"
)

// consumersIssuer is the issuer of the consumers tenant, which the idp
// claim names for a guest who redeemed with a personal account (R12).
func consumersIssuer(s *servertest.Server) string {
	return s.URL + "/" + core.ConsumersTenantID + "/v2.0"
}

var (
	usePasswordRE  = regexp.MustCompile(`id="usepassword" href="([^"]*)"`)
	passwordFormRE = regexp.MustCompile(`<input id="password" name="password" type="password" autocomplete="current-password"`)
)

// formAction is the first form's action on page, as the browser reads it.
func formAction(t testing.TB, p servertest.Page) string {
	t.Helper()
	m := formActionRE.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("page without a form: %d\n%.800s", p.Status, p.Body)
	}
	return html.UnescapeString(m[1])
}

// startNewPassword presses Send code on the start page of a flow that ends
// in a new password (sign-up, reset, sign-up inside a redemption), which
// redirect p leads to, and returns the Enter code page's action: the code
// and the chosen password go there.
func startNewPassword(t testing.TB, g *servertest.Guest, p servertest.Page, mode string) string {
	t.Helper()
	if p.Status != http.StatusSeeOther || !strings.HasSuffix(p.Location, "/signin/passcode?m="+mode) {
		t.Fatalf("got %d to %q, want the start page in mode %s\n%.500s", p.Status, p.Location, mode, p.Body)
	}
	start := g.Follow(t, p)
	if start.Status != http.StatusOK || !strings.Contains(start.Body, `id="send"`) {
		t.Fatalf("start page (%s): %d\n%.500s", mode, start.Status, start.Body)
	}
	sent := g.Post(t, formAction(t, start), url.Values{})
	if sent.Status != http.StatusSeeOther || !strings.Contains(sent.Location, "/signin/code") {
		t.Fatalf("send code (%s): %d to %q\n%.500s", mode, sent.Status, sent.Location, sent.Body)
	}
	page := g.Follow(t, sent)
	if page.Status != http.StatusOK || !strings.Contains(page.Body, `name="code"`) || !strings.Contains(page.Body, `name="password"`) {
		t.Fatalf("Enter code page (%s): %d, want fields for the code and a new password\n%.800s", mode, page.Status, page.Body)
	}
	return formAction(t, page)
}

// setNewPassword posts the mailed code and the chosen password.
func setNewPassword(t testing.TB, g *servertest.Guest, action, email, code, password string) servertest.Page {
	t.Helper()
	return g.Post(t, action, url.Values{"email": {email}, "code": {code}, "password": {password}})
}

// signUp creates a personal account for email with password in a new
// browser, as anyone may, and checks it is ready.
func signUp(t testing.TB, s *servertest.Server, email, password string) {
	t.Helper()
	g := s.NewGuest("en")
	wait := newCodeTo(t, s, email)
	action := startNewPassword(t, g, g.Post(t, "/consumers/signup", url.Values{"email": {email}}), "newaccount")
	wantSignupReady(t, s, g, setNewPassword(t, g, action, email, wait(), password))
}

// wantSignupReady follows the answer to the code and password to the
// page that says the account is ready.
func wantSignupReady(t testing.TB, s *servertest.Server, g *servertest.Guest, p servertest.Page) {
	t.Helper()
	end := followOnServer(t, s, g, p)
	if end.Status != http.StatusOK || !strings.Contains(end.Body, textSignupReady) {
		t.Fatalf("sign-up: got %d (to %q), want %q\n%.800s", end.Status, end.Location, textSignupReady, end.Body)
	}
}

// wantPasswordPage checks that p leads to the password page of kind and
// returns that page's "/{tenant}" base.
func wantPasswordPage(t testing.TB, g *servertest.Guest, p servertest.Page, kind string) string {
	t.Helper()
	if p.Status != http.StatusSeeOther || !strings.HasSuffix(p.Location, "/signin/password?as="+kind) {
		t.Fatalf("got %d to %q, want the password page ?as=%s\n%.500s", p.Status, p.Location, kind, p.Body)
	}
	page := g.Follow(t, p)
	if page.Status != http.StatusOK || !passwordFormRE.MatchString(page.Body) {
		t.Fatalf("password page ?as=%s: %d\n%.800s", kind, page.Status, page.Body)
	}
	return servertest.TenantBase(p.Location)
}

// submitPassword posts the password page of kind.
func submitPassword(t testing.TB, g *servertest.Guest, base, kind, email, password string) servertest.Page {
	t.Helper()
	return g.Post(t, base+"/signin/password?as="+kind, url.Values{"email": {email}, "password": {password}})
}

// wantWrongPassword checks the one answer to a wrong password and to an
// address without an account (R25): 401 and the password page again.
func wantWrongPassword(t testing.TB, p servertest.Page) {
	t.Helper()
	if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, textWrongPassword) || !passwordFormRE.MatchString(p.Body) {
		t.Fatalf("got %d (to %q), want 401 with %q on the password page\n%.800s", p.Status, p.Location, textWrongPassword, p.Body)
	}
}

// mailsTo are the messages delivered to addr so far.
func codesTo(s *servertest.Server, addr string) int {
	n := 0
	for _, m := range s.SMTP.Messages() {
		if slices.ContainsFunc(m.To, func(to string) bool { return strings.EqualFold(to, addr) }) && servertest.CodeIn(m) != "" {
			n++
		}
	}
	return n
}

// idClaims are the ID token's claims these tests read.
type idClaims struct {
	OID string   `json:"oid"`
	IDP *string  `json:"idp"`
	AMR []string `json:"amr"`
}

// idTokenClaims verifies the ID token for rp and decodes its claims.
func idTokenClaims(t testing.TB, rp *relyingParty, raw string) idClaims {
	t.Helper()
	idt, err := rp.provider.Verifier(&oidc.Config{ClientID: rp.clientID}).Verify(t.Context(), raw)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	var c idClaims
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	return c
}

// appSignIn has a new browser open rp's sign-in, type email, and reports
// the page the typed address leads to and the attempt.
func appSignIn(t testing.TB, s *servertest.Server, g *servertest.Guest, rp *relyingParty) (attempt, servertest.Page) {
	t.Helper()
	a := rp.attempt()
	return a, open(t, s, g, a.url)
}

// tokensOf exchanges the code the application received at the end of p.
func tokensOf(t testing.TB, s *servertest.Server, g *servertest.Guest, rp *relyingParty, a attempt, p servertest.Page) idClaims {
	t.Helper()
	code := rp.codeFrom(t, followOnServer(t, s, g, p), a)
	return idTokenClaims(t, rp, wantTokens(t, "code exchange", rp.exchange(t, code, a.verifier)).IDToken)
}

// newPasswordStory is everything a person who types addr into a sign-up
// or reset form (entry) sees without its mailbox: the form's answer, the
// start page, Send code, the Enter code page, and a made-up code with a
// good password.
func newPasswordStory(t *testing.T, s *servertest.Server, entry, addr string) []exchange {
	t.Helper()
	p := newProber(s, addr)
	first := p.do(t, "POST", entry, url.Values{"email": {addr}})
	start := first.Location
	steps := []exchange{first, p.do(t, "GET", start, nil)}
	sent := p.do(t, "POST", start, url.Values{})
	steps = append(steps, sent, p.do(t, "GET", sent.Location, nil))
	return append(steps, p.do(t, "POST", strings.Replace(start, "/signin/passcode", "/signin/setpassword", 1),
		url.Values{"email": {addr}, "code": {"12345678"}, "password": {goodPassword}}))
}

func TestPersonalAccountSignup(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	const email = "pat@example.net"

	form := s.NewGuest("en").Get(t, "/consumers/signup")
	if form.Status != http.StatusOK || !strings.Contains(form.Body, `name="email"`) {
		t.Fatalf("sign-up form: %d\n%.500s", form.Status, form.Body)
	}

	// The address is proved by the code; a weak password is refused on
	// the same page and creates nothing, so the same flow can go on.
	g := s.NewGuest("en")
	action := startNewPassword(t, g, g.Post(t, "/consumers/signup", url.Values{"email": {email}}), "newaccount")
	code := waitCode(t, s, email, 1)
	weak := setNewPassword(t, g, action, email, code, "password123")
	if weak.Status != http.StatusBadRequest || !strings.Contains(weak.Body, textCommon) || !strings.Contains(weak.Body, `name="password"`) {
		t.Fatalf("weak password: %d (to %q), want 400 with %q\n%.800s", weak.Status, weak.Location, textCommon, weak.Body)
	}
	wantSignupReady(t, s, g, setNewPassword(t, g, action, email, code, goodPassword))

	// A second sign-up for the address: the same pages as a new address
	// (R25); only the mailbox learns it already has an account, by a
	// note and no code.
	s.Clock.Advance(31 * time.Second)
	again, fresh := newPasswordStory(t, s, "/consumers/signup", email), newPasswordStory(t, s, "/consumers/signup", "quinn@example.net")
	if again[0].Status != http.StatusSeeOther || again[2].Status != http.StatusSeeOther {
		t.Fatalf("second sign-up: %+v", again[:3])
	}
	for i := range again {
		if again[i] != fresh[i] {
			t.Errorf("sign-up step %d differs:\nexisting %+v\nnew      %+v", i, again[i], fresh[i])
		}
	}
	s.WaitMail(t, email, 1, textAccountExists)
	waitCode(t, s, "quinn@example.net", 1)
	if n := codesTo(s, email); n != 1 {
		t.Errorf("%d codes mailed to %s, want only the first sign-up's", n, email)
	}

	// A weak password alone leaves no account behind: the address's next
	// sign-up gets a code, not the note.
	const weakling = "rae@example.net"
	w := s.NewGuest("en")
	action = startNewPassword(t, w, w.Post(t, "/consumers/signup", url.Values{"email": {weakling}}), "newaccount")
	if p := setNewPassword(t, w, action, weakling, waitCode(t, s, weakling, 1), "password123"); p.Status != http.StatusBadRequest {
		t.Fatalf("weak password: %d", p.Status)
	}
	s.Clock.Advance(31 * time.Second)
	signUp(t, s, weakling, goodPassword)
}

func TestPersonalAccountRedemption(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	const email = "pat@example.net"
	signUp(t, s, email, goodPassword)
	inv := invite(t, s, tn, email)
	app := registerApp(t, s, tn, appRedirect)
	assign(t, s, tn, inv.userID, app.clientID)
	rp := newRelyingParty(t, s, tn, app)

	// The redeem link proves its address, so it goes straight to the
	// method chosen for the guest: the personal account (R10 step 4).
	g := s.NewGuest("en")
	base := wantPasswordPage(t, g, g.Get(t, inv.link), "personal")
	wantWrongPassword(t, submitPassword(t, g, base, "personal", email, "not the password at all"))
	acceptConsent(t, g, submitPassword(t, g, base, "personal", email, goodPassword))

	u := getUser(t, s, tn, inv.userID)
	if u.ExternalUserState != "Accepted" || len(u.Identities) != 1 {
		t.Fatalf("after redemption: state %q, identities %+v; want Accepted with one identity", u.ExternalUserState, u.Identities)
	}
	id := u.Identities[0]
	if id.SignInType != "federated" || id.Issuer != "PersonalAccount" {
		t.Errorf("identity %+v, want federated PersonalAccount (R12)", id)
	}
	// The account lives in the consumers tenant, which no admin reads:
	// its id is a UUID of its own, not the guest's.
	if _, err := uuid.Parse(id.IssuerAssignedID); err != nil || id.IssuerAssignedID == inv.userID {
		t.Errorf("issuerAssignedId %q, want the personal account's own id", id.IssuerAssignedID)
	}

	// An application sign-in in a new browser: the typed address's
	// domain is nobody's, so the passcode page comes first and offers a
	// password instead (R25).
	b := s.NewGuest("en")
	a, page := appSignIn(t, s, b, rp)
	start := followOnServer(t, s, b, typeAddress(t, b, page, email))
	link := usePasswordRE.FindStringSubmatch(start.Body)
	if start.Status != http.StatusOK || link == nil {
		t.Fatalf("typed address: %d, want the Send code page with a password link\n%.800s", start.Status, start.Body)
	}
	pw := b.Get(t, html.UnescapeString(link[1]))
	if pw.Status != http.StatusOK || !passwordFormRE.MatchString(pw.Body) {
		t.Fatalf("password instead: %d\n%.800s", pw.Status, pw.Body)
	}
	claims := tokensOf(t, s, b, rp, a, submitPassword(t, b, servertest.TenantBase(link[1]), "personal", email, goodPassword))
	if claims.IDP == nil || *claims.IDP != consumersIssuer(s) || !slices.Equal(claims.AMR, []string{"pwd"}) || claims.OID != inv.userID {
		t.Errorf("ID token: idp %v, amr %v, oid %s; want idp %s, amr [pwd], oid %s",
			deref(claims.IDP), claims.AMR, claims.OID, consumersIssuer(s), inv.userID)
	}
}

// deref shows an optional claim.
func deref(p *string) string {
	if p == nil {
		return "(none)"
	}
	return *p
}
