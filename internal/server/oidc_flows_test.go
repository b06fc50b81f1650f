package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"guestlist/internal/servertest"
)

// Guests signing in to applications (SPEC R5, R7, R24, R25, R30, R32) as
// the guest and the application see it: sessions shared by a tenant's
// applications, prompt and max_age, who gets the no-access page, the
// portal, logout. Helpers are in oidc_protocol_test.go.

// What the guest reads (internal/i18n/locales), as html/template writes it.
const (
	textNoAccess = "You don&#39;t have access to Fabrikam. Ask its administrator to invite you."
	textNoApp    = "We couldn&#39;t find that application."
)

// authTime is the ID token's auth_time.
func authTime(t testing.TB, claims map[string]any) time.Time {
	t.Helper()
	v, ok := claims["auth_time"].(float64)
	if !ok {
		t.Fatalf("ID token without auth_time: %v", claims)
	}
	return time.Unix(int64(v), 0).UTC()
}

// signInAgainAfter moves the clock past the 30 s between two codes to one
// address (R23), so a test can sign the same guest in again.
func signInAgainAfter(s *servertest.Server) { s.Clock.Advance(time.Minute) }

// TestSingleSignOnAcrossApplications: one passcode signs the guest in to
// every application of the tenant shared with them, for the session's
// 24 hours (R24): the second application gets its code with no mail and
// no consent, an ID token of the original sign-in, and its own pairwise
// subject.
func TestSingleSignOnAcrossApplications(t *testing.T) {
	x := newSignedIn(t)
	s := x.s
	signedInAt := s.Clock.Now()
	first := x.rp.idToken(t, x.first.IDToken)
	board := newRelyingParty(t, s, x.tn, registerApp(t, s, x.tn, "https://board.example/callback", x.email))
	mailed := codesMailed(t, s, x.email)

	s.Clock.Advance(10 * time.Minute)
	a, code := board.singleSignOn(t, s, x.g)
	claims := board.idToken(t, wantTokens(t, "second application", board.exchange(t, code, a.verifier)).IDToken)
	if n := codesMailed(t, s, x.email); n != mailed {
		t.Errorf("%d passcode mails for the second application, want none", n-mailed)
	}
	if got := authTime(t, claims); !got.Equal(signedInAt) {
		t.Errorf("auth_time = %v, want the session's sign-in %v", got, signedInAt)
	}
	if claims["oid"] != first["oid"] || claims["sub"] == first["sub"] || claims["email"] != x.email {
		t.Errorf("second application's ID token oid %v sub %v, first oid %v sub %v: want the same user, another subject",
			claims["oid"], claims["sub"], first["oid"], first["sub"])
	}

	// An application that requires assignment, to which the guest is not
	// assigned: no code, the no-access page.
	closed := newRelyingParty(t, s, x.tn, registerApp(t, s, x.tn, "https://closed.example/callback"))
	requireAssignment(t, s, x.tn, closed.clientID, true)
	p := open(t, s, x.g, closed.attempt().url)
	wantNoRedirectTo(t, p, closed.redirect)
	wantRefused(t, p, http.StatusForbidden, textNoAccess)
}

// TestPromptLoginAndMaxAge: the application can insist on a fresh sign-in
// (OpenID Connect Core 3.1.2.1): prompt=login and max_age=0 always ask
// for a new passcode; max_age asks once the session's sign-in is older;
// auth_time tells the application when the guest last proved their
// address.
func TestPromptLoginAndMaxAge(t *testing.T) {
	x := newSignedIn(t)
	s, rp, g := x.s, x.rp, x.g

	signInAgainAfter(s)
	a := rp.attempt(param("prompt", "login"))
	page := open(t, s, g, a.url)
	wantSigninPage(t, page, "prompt=login with a live session")
	mailed := codesMailed(t, s, x.email)
	end, consent := passcodeSignIn(t, s, g, page, x.email)
	if consent {
		t.Error("consent asked again of a guest who accepted")
	}
	if codesMailed(t, s, x.email) != mailed+1 {
		t.Error("prompt=login signed the guest in without a new passcode")
	}
	tok := wantTokens(t, "after prompt=login", rp.exchange(t, rp.codeFrom(t, end, a), a.verifier))
	reauthAt := s.Clock.Now()
	if got := authTime(t, rp.idToken(t, tok.IDToken)); !got.Equal(reauthAt) {
		t.Errorf("auth_time after prompt=login = %v, want %v", got, reauthAt)
	}

	// max_age=0 is prompt=login, even within the second of the sign-in.
	wantSigninPage(t, open(t, s, g, rp.attempt(param("max_age", "0")).url), "max_age=0")

	// A session younger than max_age is enough; an older one is not.
	a, code := rp.singleSignOn(t, s, g, param("max_age", "600"))
	tok = wantTokens(t, "max_age=600 with a fresh session", rp.exchange(t, code, a.verifier))
	if got := authTime(t, rp.idToken(t, tok.IDToken)); !got.Equal(reauthAt) {
		t.Errorf("auth_time = %v, want %v", got, reauthAt)
	}
	s.Clock.Advance(11 * time.Minute)
	page = open(t, s, g, rp.attempt(param("max_age", "600")).url)
	wantSigninPage(t, page, "max_age=600, signed in 11 minutes ago")
	a = rp.attempt(param("prompt", "none"), param("max_age", "600"))
	if q := rp.callback(t, open(t, s, g, a.url), a); q.Get("error") != "login_required" || q.Get("code") != "" {
		t.Errorf("prompt=none with a session older than max_age: %v, want error=login_required", q)
	}
	_, code = rp.singleSignOn(t, s, g) // no max_age: the session still serves
	if code == "" {
		t.Error("no code without max_age")
	}
}

// TestPromptNone: a silent request (prompt=none) never shows a page: with
// a session the application gets a code, without one error=login_required
// at its redirect URI with its state (OpenID Connect Core 3.1.2.6).
func TestPromptNone(t *testing.T) {
	x := newSignedIn(t)
	s, rp := x.s, x.rp

	a, code := rp.singleSignOn(t, s, x.g, param("prompt", "none"))
	wantTokens(t, "prompt=none with a session", rp.exchange(t, code, a.verifier))

	mailed := codesMailed(t, s, x.email)
	a = rp.attempt(param("prompt", "none"))
	q := rp.callback(t, open(t, s, s.NewGuest("en"), a.url), a) // checks state
	if q.Get("error") != "login_required" || q.Get("code") != "" {
		t.Errorf("prompt=none without a session: %v, want error=login_required", q)
	}
	if codesMailed(t, s, x.email) != mailed {
		t.Error("a silent request sent a passcode")
	}
}

// TestSessionEnds: the session lasts 24 hours (R24); after that the guest
// needs a new passcode, but not consent again.
func TestSessionEnds(t *testing.T) {
	x := newSignedIn(t)
	s, rp, g := x.s, x.rp, x.g

	s.Clock.Advance(23 * time.Hour)
	rp.singleSignOn(t, s, g)
	s.Clock.Advance(time.Hour + time.Minute)
	a := rp.attempt()
	page := open(t, s, g, a.url)
	wantSigninPage(t, page, "a day after the sign-in")
	mailed := codesMailed(t, s, x.email)
	end, consent := passcodeSignIn(t, s, g, page, x.email)
	if consent || codesMailed(t, s, x.email) != mailed+1 {
		t.Errorf("signing in again: consent %v, %d new codes; want no consent and one code", consent, codesMailed(t, s, x.email)-mailed)
	}
	wantTokens(t, "after signing in again", rp.exchange(t, rp.codeFrom(t, end, a), a.verifier))
}

// TestLoginHintAndLocales: login_hint fills in the address; ui_locales
// picks the language of the pages over the browser's (R53).
func TestLoginHintAndLocales(t *testing.T) {
	s, tn := newFabrikam(t, servertest.Options{})
	const email = "alice@contoso.example"
	rp := newRelyingParty(t, s, tn, registerApp(t, s, tn, appRedirect, email))

	page := open(t, s, s.NewGuest("en"), rp.attempt(param("login_hint", email)).url)
	wantSigninPage(t, page, "login_hint")
	if m := emailValueRE.FindStringSubmatch(page.Body); m == nil || m[1] != email {
		t.Errorf("email field = %v, want %q filled in", m, email)
	}

	g := s.NewGuest("en")
	page = open(t, s, g, rp.attempt(param("ui_locales", "de")).url)
	wantSigninPage(t, page, "ui_locales=de")
	for _, want := range []string{`<html lang="de">`, "Anmelden", "E-Mail-Adresse"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("sign-in page for ui_locales=de lacks %q:\n%.600s", want, page.Body)
		}
	}
	start := g.Follow(t, typeAddress(t, g, page, email))
	for _, want := range []string{`<html lang="de">`, "Code senden"} {
		if !strings.Contains(start.Body, want) {
			t.Errorf("Send code page after ui_locales=de lacks %q:\n%.600s", want, start.Body)
		}
	}
}

// TestNoAccessPage: the email-entry step answers every address alike
// (R25); pressing Send code mails an address that is not a guest of the
// tenant a note instead of a code, and a guest who is not assigned to the
// application gets R7's page naming the organization only after entering
// their code. Nothing on the pages tells these addresses apart.
func TestNoAccessPage(t *testing.T) {
	s, tn := newFabrikam(t, servertest.Options{})
	// Contoso verifies no domain: an address of a verified domain starts
	// at that organization's password, by its domain alone (R25), which
	// TestHomeTenantRedemption covers.
	contoso := s.CreateTenant(t, "Contoso")
	rp := newRelyingParty(t, s, tn, registerApp(t, s, tn, appRedirect, "alice@contoso.example"))
	requireAssignment(t, s, tn, rp.clientID, true)
	s.Invite(t, contoso, "bob@contoso.example", nil) // a guest elsewhere
	s.Invite(t, tn, "carol@contoso.example", nil)    // a guest, not assigned
	const stranger = "mallory@contoso.example"       // never invited anywhere
	addresses := []string{stranger, "bob@contoso.example"}

	via := map[string]func(t *testing.T, g *servertest.Guest) servertest.Page{
		"application": func(t *testing.T, g *servertest.Guest) servertest.Page { return open(t, s, g, rp.attempt().url) },
		"direct link": func(t *testing.T, g *servertest.Guest) servertest.Page {
			return g.Get(t, "/"+tn.ID+"/apps/"+rp.clientID)
		},
	}
	n := 0
	for name, start := range via {
		t.Run(name, func(t *testing.T) {
			n++
			for _, email := range addresses {
				g := s.NewGuest("en")
				p := typeAddress(t, g, start(t, g), email)
				if p.Status != http.StatusSeeOther || !strings.HasSuffix(p.Location, "/signin/passcode") {
					t.Fatalf("%s: %d to %q, want the Send code page like any address", email, p.Status, p.Location)
				}
				mustSend(t, g, servertest.TenantBase(p.Location), false)
				s.WaitMail(t, email, n, "Fabrikam has not invited this address.")
			}
			g := s.NewGuest("en")
			p := typeAddress(t, g, start(t, g), "carol@contoso.example")
			base := servertest.TenantBase(p.Location)
			mustSend(t, g, base, false)
			got := enter(t, g, base, waitCode(t, s, "carol@contoso.example", n))
			wantRefused(t, got, http.StatusForbidden, textNoAccess)
			s.Clock.Advance(time.Minute)
		})
	}
	for _, email := range addresses {
		for _, m := range s.SMTP.Messages() {
			if strings.EqualFold(m.To[0], email) && servertest.CodeIn(m) != "" {
				t.Errorf("a code was mailed to %s, who is not a guest of Fabrikam", email)
			}
		}
	}
}

// TestJustInTimeRedemption: a guest who never opened their invitation
// signs in through the application (R5): consent once, then Accepted with
// the mail identity and the invitation Completed; later sign-ins ask no
// consent. A guest who declines gives the application access_denied and
// nothing else.
func TestJustInTimeRedemption(t *testing.T) {
	s, tn := newFabrikam(t, servertest.Options{})
	const email, other = "alice@contoso.example", "dave@contoso.example"
	rp := newRelyingParty(t, s, tn, registerApp(t, s, tn, appRedirect, email, other))

	a, code := rp.firstSignIn(t, s, s.NewGuest("en"), email)
	claims := rp.idToken(t, wantTokens(t, "just-in-time redemption", rp.exchange(t, code, a.verifier)).IDToken)
	uid, _ := claims["oid"].(string)
	if claims["idp"] != "mail" || uid == "" {
		t.Errorf("ID token after redemption: idp %v oid %v", claims["idp"], claims["oid"])
	}
	wantOneMailIdentity(t, user(t, s, tn, uid), email)
	status, done := s.Do(t, "GET", "/v1.0/invitations?status=Completed", tn.Token, nil)
	if status != http.StatusOK || !hasInvitationOf(done, uid, "Completed") {
		t.Errorf("completed invitations: %d %v, want alice's", status, done)
	}
	if _, pending := s.Do(t, "GET", "/v1.0/invitations", tn.Token, nil); hasInvitationOf(pending, uid, "") {
		t.Errorf("alice's invitation is still pending: %v", pending)
	}

	signInAgainAfter(s)
	a = rp.attempt()
	later := s.NewGuest("en")
	end, consent := passcodeSignIn(t, s, later, open(t, s, later, a.url), email)
	if consent {
		t.Error("consent asked at the second sign-in")
	}
	rp.codeFrom(t, end, a)

	// Dave proves his address, then declines: the application gets nothing,
	// now or when he comes back with the session of that passcode.
	g := s.NewGuest("en")
	a = rp.attempt()
	typed := typeAddress(t, g, open(t, s, g, a.url), other)
	base := servertest.TenantBase(typed.Location)
	wait := newCodeTo(t, s, other)
	g.Post(t, base+"/signin/passcode", url.Values{})
	verified := g.Post(t, base+"/signin/code", url.Values{"code": {wait()}})
	if !strings.HasSuffix(verified.Location, "/signin/consent") {
		t.Fatalf("after dave's code: %d to %q, want consent", verified.Status, verified.Location)
	}
	// Declining returns him to the application with access_denied (OpenID
	// Connect Core 3.1.2.6), not a code.
	if q := rp.callback(t, g.Post(t, base+"/signin/consent", url.Values{"action": {"decline"}}), a); q.Get("error") != "access_denied" || q.Get("code") != "" {
		t.Fatalf("declining: the application got %v, want error=access_denied", q)
	}
	a = rp.attempt()
	back := open(t, s, g, a.url)
	if strings.HasPrefix(back.Location, rp.redirect) && strings.Contains(back.Location, "code=") {
		t.Fatalf("the application got a code for a guest who declined: %q", back.Location)
	}
	status, pending := s.Do(t, "GET", "/v1.0/invitations", tn.Token, nil)
	if status != http.StatusOK || len(pending["value"].([]any)) != 1 {
		t.Errorf("pending invitations after dave declined: %v, want his", pending)
	}
	// Changing his mind, he signs in and this time consents.
	signInAgainAfter(s)
	end, consent = passcodeSignIn(t, s, g, back, other)
	if !consent {
		t.Error("dave got to the application without consenting")
	}
	rp.codeFrom(t, end, a)
}

// hasInvitationOf: an invitation list names the user (with status, if
// given).
func hasInvitationOf(list map[string]any, uid, status string) bool {
	vs, _ := list["value"].([]any)
	for _, v := range vs {
		inv, _ := v.(map[string]any)
		u, _ := inv["invitedUser"].(map[string]any)
		if u != nil && u["id"] == uid && (status == "" || inv["status"] == status) {
			return true
		}
	}
	return false
}

// patchApp changes an application registered with registerApp.
func patchApp(t testing.TB, s *servertest.Server, tn servertest.Tenant, appID string, body map[string]any) {
	t.Helper()
	q := url.Values{"$filter": {"appId eq '" + appID + "'"}}
	status, list := s.Do(t, "GET", "/v1.0/applications?"+q.Encode(), tn.Token, nil)
	if status != http.StatusOK || len(list["value"].([]any)) != 1 {
		t.Fatalf("application %s: %d %v", appID, status, list)
	}
	id := list["value"].([]any)[0].(map[string]any)["id"].(string)
	if status, out := s.Do(t, "PATCH", "/v1.0/applications/"+id, tn.Token, body); status != http.StatusNoContent {
		t.Fatalf("PATCH application: %d %v", status, out)
	}
}

var portalAppRE = regexp.MustCompile(`<li><a href="([^"]*)">([^<]*)</a></li>`)

// TestPortalAndDirectLinks: /{tenant}/apps lists exactly the applications
// shared with the signed-in guest; /{tenant}/apps/{appId} takes a guest to
// the application's home page, signing in first if needed (R30).
func TestPortalAndDirectLinks(t *testing.T) {
	s, tn := newFabrikam(t, servertest.Options{})
	const email = "alice@contoso.example"
	apps := map[string]rpApp{}
	for _, a := range []struct {
		name, home string
		assigned   bool
	}{
		{"Project portal", "https://portal.example/home", true},
		{"Timesheets", "https://timesheets.example/", true},
		{"Payroll", "https://payroll.example/", false},
	} {
		var guests []string
		if a.assigned {
			guests = []string{email}
		}
		app := registerApp(t, s, tn, "https://"+strings.ToLower(strings.ReplaceAll(a.name, " ", ""))+".example/cb", guests...)
		patchApp(t, s, tn, app.clientID, map[string]any{"displayName": a.name, "web": map[string]any{"homePageUrl": a.home}})
		if !a.assigned { // only assigned guests may use Payroll
			requireAssignment(t, s, tn, app.clientID, true)
		}
		apps[a.name] = app
	}
	portal := "/" + tn.ID + "/apps"

	g := s.NewGuest("en")
	page := g.Get(t, portal)
	wantSigninPage(t, page, "the portal without a session")
	shown, _ := passcodeSignIn(t, s, g, page, email)
	if shown.Status != http.StatusOK {
		t.Fatalf("after signing in at the portal: %d to %q\n%.500s", shown.Status, shown.Location, shown.Body)
	}
	links := map[string]string{}
	for _, m := range portalAppRE.FindAllStringSubmatch(shown.Body, -1) {
		links[m[2]] = m[1]
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range links {
			if !yield(n) {
				return
			}
		}
	})
	if !slices.Equal(names, []string{"Project portal", "Timesheets"}) {
		t.Errorf("portal lists %v, want the two shared applications\n%s", names, shown.Body)
	}
	if p := g.Get(t, links["Timesheets"]); p.Status != http.StatusSeeOther || p.Location != "https://timesheets.example/" {
		t.Errorf("the portal's Timesheets link: %d to %q, want its home page", p.Status, p.Location)
	}
	if p := g.Get(t, portal+"/"+apps["Project portal"].clientID); p.Location != "https://portal.example/home" {
		t.Errorf("direct link with a session: %d to %q, want the home page", p.Status, p.Location)
	}
	wantRefused(t, g.Get(t, portal+"/"+apps["Payroll"].clientID), http.StatusForbidden, textNoAccess)
	wantRefused(t, g.Get(t, portal+"/5e0c1b5e-0000-4000-8000-000000000000"), http.StatusNotFound, textNoApp)

	// A direct link in a browser without a session: sign in, then the app.
	signInAgainAfter(s)
	g = s.NewGuest("en")
	page = g.Get(t, portal+"/"+apps["Timesheets"].clientID)
	wantSigninPage(t, page, "a direct link without a session")
	if end, consent := passcodeSignIn(t, s, g, page, email); consent || end.Location != "https://timesheets.example/" {
		t.Errorf("after signing in from a direct link: consent %v, %d to %q, want the home page", consent, end.Status, end.Location)
	}
}

// TestLogout: RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0)
// by GET or POST ends the guest's session and the application's tokens
// and returns to a registered post_logout_redirect_uri, never to another.
func TestLogout(t *testing.T) {
	x := newSignedIn(t)
	s, rp, g := x.s, x.rp, x.g
	var disco struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := rp.provider.Claims(&disco); err != nil || disco.EndSession == "" {
		t.Fatalf("no end_session_endpoint in discovery: %v", err)
	}

	evil := url.Values{"id_token_hint": {x.first.IDToken}, "post_logout_redirect_uri": {"https://evil.example/bye"}}
	for _, p := range []servertest.Page{g.Get(t, disco.EndSession+"?"+evil.Encode()), g.Post(t, disco.EndSession, evil)} {
		wantNoRedirectTo(t, p, "https://evil.example/")
		if p.Status/100 == 3 {
			t.Errorf("unregistered post_logout_redirect_uri: %d to %q", p.Status, p.Location)
		}
	}

	tokens := x.first
	for _, method := range []string{"GET", "POST"} {
		t.Run(method, func(t *testing.T) {
			form := url.Values{"id_token_hint": {tokens.IDToken}, "post_logout_redirect_uri": {appRedirect}, "state": {"bye-" + method}}
			var p servertest.Page
			if method == "GET" {
				p = g.Get(t, disco.EndSession+"?"+form.Encode())
			} else {
				p = g.Post(t, disco.EndSession, form)
			}
			if p.Status != http.StatusFound || p.Location != appRedirect+"?state=bye-"+method {
				t.Fatalf("logout: %d to %q, want %s with the state", p.Status, p.Location, appRedirect)
			}
			wantTokenError(t, "refresh after logout", rp.refresh(t, tokens.RefreshToken, secretBasic), http.StatusBadRequest, "invalid_grant")
			if status := rp.userinfo(t, tokens.AccessToken); status == http.StatusOK {
				t.Error("userinfo after logout")
			}

			signInAgainAfter(s)
			a := rp.attempt()
			page := open(t, s, g, a.url)
			wantSigninPage(t, page, "the application after logout")
			mailed := codesMailed(t, s, x.email)
			end, _ := passcodeSignIn(t, s, g, page, x.email)
			if codesMailed(t, s, x.email) != mailed+1 {
				t.Error("signed in again without a new passcode")
			}
			tokens = wantTokens(t, "sign-in after logout", rp.exchange(t, rp.codeFrom(t, end, a), a.verifier))
		})
	}
}

// TestSignInActivityFromApplication: signing in to an application is a
// sign-in the administrator sees in signInActivity (R41), whether by
// passcode or by the session.
func TestSignInActivityFromApplication(t *testing.T) {
	s, tn := newFabrikam(t, servertest.Options{})
	const email = "alice@contoso.example"
	rp := newRelyingParty(t, s, tn, registerApp(t, s, tn, appRedirect, email))
	last := func(uid string) any {
		return user(t, s, tn, uid)["signInActivity"].(map[string]any)["lastSignInDateTime"]
	}

	s.Clock.Advance(5 * time.Minute)
	g := s.NewGuest("en")
	a, code := rp.firstSignIn(t, s, g, email)
	uid, _ := rp.idToken(t, wantTokens(t, "exchange", rp.exchange(t, code, a.verifier)).IDToken)["oid"].(string)
	if got, want := last(uid), s.Clock.Now().Format(time.RFC3339); got != want {
		t.Errorf("lastSignInDateTime after signing in to the application = %v, want %s", got, want)
	}

	s.Clock.Advance(10 * time.Minute)
	rp.singleSignOn(t, s, g)
	if got, want := last(uid), s.Clock.Now().Format(time.RFC3339); got != want {
		t.Errorf("lastSignInDateTime after single sign-on = %v, want %s", got, want)
	}
}
