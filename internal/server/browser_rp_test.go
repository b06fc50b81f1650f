package server_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"guestlist/internal/servertest"
)

// The relying application below is what a tenant's developer writes with
// the ordinary Go libraries, unmodified: discovery, authorization code
// with PKCE S256, state and nonce, and a verified ID token. Driving it from
// a real browser checks what the HTTP-level test in oidc_rp_test.go cannot:
// that the redirects, cookies and forms hold together across two origins.

// rpExchangeTimeout bounds the application's back-channel calls (the token
// exchange and the key fetch), so a hung provider fails the step quickly.
const rpExchangeTimeout = 10 * time.Second

// rpLogin is what the application remembers between sending the browser
// to the provider and the callback.
type rpLogin struct{ verifier, nonce string }

// oidcApp is one application protected by guestlist.
type oidcApp struct {
	URL      string
	name     string // prefixes its cookies: two applications on 127.0.0.1 share the browser's cookies
	client   rpApp
	provider *oidc.Provider
	cfg      oauth2.Config

	mu       sync.Mutex
	pending  map[string]rpLogin // by state
	sessions map[string]string  // greeting by session cookie
}

// newOIDCApp registers an application with guestlist, assigns guests to it
// and starts it. Its URL is fixed before it is registered (the redirect URI
// must be), and it only starts serving once it is configured.
func newOIDCApp(t *testing.T, s *servertest.Server, tn servertest.Tenant, name string, guests ...string) *oidcApp {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	a := &oidcApp{URL: "http://" + hs.Listener.Addr().String(), name: name,
		pending: map[string]rpLogin{}, sessions: map[string]string{}}
	a.client = registerApp(t, s, tn, a.URL+"/callback", guests...)
	ctx, cancel := context.WithTimeout(t.Context(), rpExchangeTimeout)
	defer cancel()
	provider, err := oidc.NewProvider(ctx, s.URL+"/"+tn.ID+"/v2.0")
	if err != nil {
		hs.Close()
		t.Fatalf("%s: discovery: %v", name, err)
	}
	a.provider = provider
	a.cfg = oauth2.Config{ClientID: a.client.clientID, ClientSecret: a.client.secret, Endpoint: provider.Endpoint(),
		RedirectURL: a.client.redirect, Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("GET /callback", a.callback)
	hs.Config.Handler = mux
	hs.Start()
	t.Cleanup(hs.Close)
	return a
}

// home greets a signed-in guest and sends anyone else to the provider.
func (a *oidcApp) home(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(a.name + "_session"); err == nil {
		a.mu.Lock()
		greeting, ok := a.sessions[c.Value]
		a.mu.Unlock()
		if ok {
			a.page(w, http.StatusOK, `<p id="hello">`+html.EscapeString(greeting)+`</p>`)
			return
		}
	}
	state, login := rand.Text(), rpLogin{verifier: oauth2.GenerateVerifier(), nonce: rand.Text()}
	a.mu.Lock()
	a.pending[state] = login
	a.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: a.name + "_state", Value: state, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, a.cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(login.verifier), oidc.Nonce(login.nonce)), http.StatusFound)
}

// callback takes the provider's answer: the state must be the one this
// browser was given, the code is exchanged with the PKCE verifier, and the
// ID token must verify and carry the nonce.
func (a *oidcApp) callback(w http.ResponseWriter, r *http.Request) {
	greeting, err := a.signIn(r)
	if err != nil {
		a.page(w, http.StatusBadRequest, `<p id="error">`+html.EscapeString(err.Error())+`</p>`)
		return
	}
	sid := rand.Text()
	a.mu.Lock()
	a.sessions[sid] = greeting
	a.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: a.name + "_state", Path: "/", MaxAge: -1})
	http.SetCookie(w, &http.Cookie{Name: a.name + "_session", Value: sid, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (a *oidcApp) signIn(r *http.Request) (string, error) {
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return "", fmt.Errorf("the provider answered %s: %s", e, q.Get("error_description"))
	}
	c, err := r.Cookie(a.name + "_state")
	if err != nil || c.Value != q.Get("state") {
		return "", errors.New("state does not match this browser's")
	}
	a.mu.Lock()
	login, ok := a.pending[c.Value]
	delete(a.pending, c.Value) // single use
	a.mu.Unlock()
	if !ok {
		return "", errors.New("unknown or reused state")
	}
	ctx, cancel := context.WithTimeout(r.Context(), rpExchangeTimeout)
	defer cancel()
	tok, err := a.cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(login.verifier))
	if err != nil {
		return "", fmt.Errorf("code exchange: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := a.provider.Verifier(&oidc.Config{ClientID: a.cfg.ClientID}).Verify(ctx, raw)
	if err != nil {
		return "", fmt.Errorf("ID token: %w", err)
	}
	if idt.Nonce != login.nonce {
		return "", fmt.Errorf("ID token nonce %q is not the one sent", idt.Nonce)
	}
	var claims struct {
		Name  string `json:"name"`
		Email string `json:"email"`
		IdP   string `json:"idp"`
	}
	if err := idt.Claims(&claims); err != nil {
		return "", err
	}
	return fmt.Sprintf("Hello %s (%s) — signed in with %s", claims.Name, claims.Email, claims.IdP), nil
}

func (a *oidcApp) page(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>%s</title></head>`+
		`<body><h1>%s</h1>%s</body></html>`, a.name, a.name, body)
}

// TestBrowserSignsInToApplications: a guest who was invited but never
// opened the invitation mail opens an application in a real browser; the
// application sends them to guestlist, where they type their address, get
// a passcode, consent (just-in-time redemption, SPEC R21–R24) and come back
// signed in. A second application of the same tenant then signs them in
// from the same browser on guestlist's session, with no new passcode.
func TestBrowserSignsInToApplications(t *testing.T) {
	const email = "alice@contoso.example"
	chromiumPath(t) // before anything else, so a missing browser is the first thing said
	shots := screenshotsOn(os.Getenv("GUESTLIST_SCREENSHOTS") == "1")
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	s.Invite(t, tn, email, map[string]any{"sendInvitationMessage": true, "invitedUserDisplayName": "Alice Adams"})
	s.WaitMail(t, email, 1, "") // the invitation, which the guest leaves unopened
	projects := newOIDCApp(t, s, tn, "Projects", email)
	timesheets := newOIDCApp(t, s, tn, "Timesheets", email)
	tab := newBrowser(t, "en-US,en;q=0.9")
	greeting := "Hello Alice Adams (" + email + ") — signed in with mail"

	browse(t, tab, "open the application", chromedp.Navigate(projects.URL), chromedp.WaitVisible(chromedp.ID("email")))
	if loc, _ := chromedp.Run(tab, chromedp.Location()); !strings.HasPrefix(loc, s.URL+"/"+tn.ID+"/signin/authorize?") {
		t.Errorf("the application sent the browser to %s, want guestlist's sign-in page", loc)
	}
	wantShown(t, "sign-in page", readShown(t, tab, "sign-in page"), "en", []string{"Sign in", "Fabrikam", "Email address"})
	shots.save(t, tab, "signin")

	browse(t, tab, "type the address and press Next",
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.Click(chromedp.ID("next")),
		chromedp.WaitVisible(chromedp.ID("send")))
	if n := len(s.SMTP.Messages()); n != 1 {
		t.Fatalf("%d mails before Send code was pressed, want only the invitation (R21)", n)
	}
	browse(t, tab, "press Send code", chromedp.Click(chromedp.ID("send")), chromedp.WaitVisible(chromedp.ID("code")))
	code := s.WaitCode(t, email, 1)
	browse(t, tab, "enter the mailed code",
		chromedp.SendKeys(chromedp.ID("code"), code),
		chromedp.Click(chromedp.ID("verify")),
		chromedp.WaitVisible(chromedp.ID("accept")))
	browse(t, tab, "accept", chromedp.Click(chromedp.ID("accept")), chromedp.WaitVisible(chromedp.ID("hello")))
	wantAppGreets(t, tab, projects, greeting)
	shots.save(t, tab, "app")
	mailed := len(s.SMTP.Messages())

	browse(t, tab, "open the second application", chromedp.Navigate(timesheets.URL), chromedp.WaitVisible(chromedp.ID("hello")))
	wantAppGreets(t, tab, timesheets, greeting)
	if n := len(s.SMTP.Messages()); n != mailed {
		t.Errorf("%d mails after signing in to the second application, want still %d: the session must spare a new passcode (R24)", n, mailed)
	}
	// The outbox, not only the SMTP server: a passcode queued but not yet
	// delivered counts too.
	if n := codesMailed(t, s, email); n != 1 {
		t.Errorf("%d passcode mails queued in all, want 1", n)
	}
}

// wantAppGreets checks that the browser is on app's own page and that it
// greets the guest as the ID token named them.
func wantAppGreets(t *testing.T, tab context.Context, app *oidcApp, greeting string) {
	t.Helper()
	if loc, _ := chromedp.Run(tab, chromedp.Location()); loc != app.URL+"/" {
		t.Errorf("%s: the browser is at %s, want the application's home page", app.name, loc)
	}
	hello, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("hello")))
	if err != nil || hello != greeting {
		t.Errorf("%s greets %q (%v), want %q", app.name, hello, err, greeting)
	}
}
