package server_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"guestlist/internal/mail/smtptest"
	"guestlist/internal/servertest"
)

// The OpenID provider as a relying party sees it (SPEC R32): what its
// token endpoint, userinfo and /authorize answer to an application that
// gets the protocol right, and to one that does not. The flows a guest
// walks through are in oidc_flows_test.go.
//
// These tests run one after another, before the parallel ones: admin
// tokens carry wall-clock iat but are checked on a test clock that stands
// still, so a parallel test kept waiting for a free slot more than 30 s
// after starting its server sees its tokens refused. Queued behind these,
// the other tests would wait longer.

// appRedirect is the redirect URI the tests register. Nothing serves it:
// the guest's browser stops at the redirect and the test reads the code
// from it, as the application's callback would.
const appRedirect = "https://app.example/callback"

// relyingParty is an application as its own code sees the provider: the
// endpoints it discovered and its OAuth 2.0 configuration.
type relyingParty struct {
	rpApp
	provider *oidc.Provider
	cfg      oauth2.Config
}

func newRelyingParty(t *testing.T, s *servertest.Server, tn servertest.Tenant, app rpApp) *relyingParty {
	t.Helper()
	provider, err := oidc.NewProvider(t.Context(), s.URL+"/"+tn.ID+"/v2.0")
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return &relyingParty{rpApp: app, provider: provider, cfg: oauth2.Config{
		ClientID: app.clientID, ClientSecret: app.secret, Endpoint: provider.Endpoint(), RedirectURL: app.redirect,
		Scopes: []string{oidc.ScopeOpenID, "email", "profile", oidc.ScopeOfflineAccess},
	}}
}

// attempt is one authorization request: its URL and what the application
// keeps to check the answer.
type attempt struct {
	url, verifier, state, nonce string
}

// attempt builds an authorization request with PKCE (S256), state and
// nonce; opts add parameters such as prompt or max_age.
func (rp *relyingParty) attempt(opts ...oauth2.AuthCodeOption) attempt {
	a := attempt{verifier: oauth2.GenerateVerifier(), state: rand.Text(), nonce: rand.Text()}
	opts = append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(a.verifier), oidc.Nonce(a.nonce)}, opts...)
	a.url = rp.cfg.AuthCodeURL(a.state, opts...)
	return a
}

// param sets an authorization request parameter.
func param(k, v string) oauth2.AuthCodeOption { return oauth2.SetAuthURLParam(k, v) }

// onServer: a redirect to a path or URL of guestlist itself.
func onServer(s *servertest.Server, loc string) bool {
	return (strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//")) || strings.HasPrefix(loc, s.URL+"/")
}

// followOnServer follows redirects while they stay on guestlist and returns the
// first answer that is a page, or a redirect away from it (to the
// application).
func followOnServer(t testing.TB, s *servertest.Server, g *servertest.Guest, p servertest.Page) servertest.Page {
	t.Helper()
	for range 10 {
		if p.Location == "" || !onServer(s, p.Location) {
			return p
		}
		p = g.Follow(t, p)
	}
	t.Fatalf("more than 10 redirects, last to %q", p.Location)
	return p
}

// open is the guest opening a URL and the redirects that follow.
func open(t testing.TB, s *servertest.Server, g *servertest.Guest, u string) servertest.Page {
	t.Helper()
	return followOnServer(t, s, g, g.Get(t, u))
}

var (
	formActionRE = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	hiddenRE     = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
	emailValueRE = regexp.MustCompile(`<input id="email" name="email"[^>]* value="([^"]*)"`)
)

// isSigninPage: the page asks for the guest's address.
func isSigninPage(p servertest.Page) bool {
	return p.Status == http.StatusOK && strings.Contains(p.Body, `name="email"`)
}

func wantSigninPage(t testing.TB, p servertest.Page, why string) {
	t.Helper()
	if !isSigninPage(p) {
		t.Fatalf("%s: got %d (to %q), want the sign-in page\n%.500s", why, p.Status, p.Location, p.Body)
	}
}

// typeAddress fills in the sign-in page's form with email and submits it,
// hidden fields included, as the guest's browser would.
func typeAddress(t testing.TB, g *servertest.Guest, page servertest.Page, email string) servertest.Page {
	t.Helper()
	wantSigninPage(t, page, "typing an address")
	action := formActionRE.FindStringSubmatch(page.Body)
	if action == nil {
		t.Fatalf("sign-in page without a form:\n%.500s", page.Body)
	}
	form := url.Values{"email": {email}}
	for _, h := range hiddenRE.FindAllStringSubmatch(page.Body, -1) {
		form.Set(h[1], h[2])
	}
	return g.Post(t, action[1], form)
}

// passcodeSignIn signs the guest in from a sign-in page: the address, Send
// code, the code from the new mail, and consent when it is asked (a first
// redemption). It returns where the browser ends and whether consent was
// asked. A second code to the same address within 30 s is throttled
// (R23): tests move the clock between sign-ins of one address.
func passcodeSignIn(t testing.TB, s *servertest.Server, g *servertest.Guest, page servertest.Page, email string) (servertest.Page, bool) {
	t.Helper()
	typed := typeAddress(t, g, page, email)
	if typed.Status != http.StatusSeeOther || !strings.HasSuffix(typed.Location, "/signin/passcode") {
		t.Fatalf("address %s: got %d (to %q), want the Send code page\n%.500s", email, typed.Status, typed.Location, typed.Body)
	}
	base := servertest.TenantBase(typed.Location)
	if start := g.Follow(t, typed); !strings.Contains(start.Body, `id="send"`) {
		t.Fatalf("no Send code button: %d\n%.500s", start.Status, start.Body)
	}
	wait := newCodeTo(t, s, email)
	if sent := g.Post(t, base+"/signin/passcode", url.Values{}); sent.Status != http.StatusSeeOther {
		t.Fatalf("send code: %d %.300s", sent.Status, sent.Body)
	}
	verified := g.Post(t, base+"/signin/code", url.Values{"code": {wait()}})
	consent := strings.HasSuffix(verified.Location, "/signin/consent")
	if consent {
		verified = g.Post(t, base+"/signin/consent", url.Values{"action": {"accept"}})
	}
	return followOnServer(t, s, g, verified), consent
}

// newCodeTo notes the codes email has received so far and returns a wait
// for a code not among them. Counting mails would not do: the tests move
// the clock past the mail worker's lease, so a mail being marked sent as
// the clock jumps may go out a second time.
func newCodeTo(t testing.TB, s *servertest.Server, email string) func() string {
	t.Helper()
	old := map[string]bool{}
	for _, m := range s.SMTP.Messages() {
		if slices.ContainsFunc(m.To, func(to string) bool { return strings.EqualFold(to, email) }) {
			old[servertest.CodeIn(m)] = true
		}
	}
	return func() string {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		m, err := s.SMTP.WaitFor(ctx, func(m smtptest.Message) bool {
			code := servertest.CodeIn(m)
			return code != "" && !old[code] &&
				slices.ContainsFunc(m.To, func(to string) bool { return strings.EqualFold(to, email) })
		})
		if err != nil {
			t.Fatalf("a new passcode to %s: %v", email, err)
		}
		return servertest.CodeIn(m)
	}
}

// codeFrom reads the application's callback: it must be the registered
// redirect URI with the attempt's state and a code.
func (rp *relyingParty) codeFrom(t testing.TB, p servertest.Page, a attempt) string {
	t.Helper()
	q := rp.callback(t, p, a)
	if q.Get("error") != "" || q.Get("code") == "" {
		t.Fatalf("callback %q: want a code", p.Location)
	}
	return q.Get("code")
}

// callback checks that p sends the browser to the application's redirect
// URI with the attempt's state and returns the answer's parameters.
func (rp *relyingParty) callback(t testing.TB, p servertest.Page, a attempt) url.Values {
	t.Helper()
	u, err := url.Parse(p.Location)
	if err != nil || p.Status/100 != 3 || !strings.HasPrefix(p.Location, rp.redirect+"?") {
		t.Fatalf("got %d to %q, want a redirect to the application (%s)\n%.500s", p.Status, p.Location, rp.redirect, p.Body)
	}
	if u.Query().Get("state") != a.state {
		t.Errorf("state = %q, want %q echoed", u.Query().Get("state"), a.state)
	}
	return u.Query()
}

// firstSignIn runs a first sign-in of email to rp in g (passcode and
// consent) and returns the code the application receives.
func (rp *relyingParty) firstSignIn(t testing.TB, s *servertest.Server, g *servertest.Guest, email string) (attempt, string) {
	t.Helper()
	a := rp.attempt()
	end, consent := passcodeSignIn(t, s, g, open(t, s, g, a.url), email)
	if !consent {
		t.Errorf("first sign-in of %s without consent", email)
	}
	return a, rp.codeFrom(t, end, a)
}

// singleSignOn opens rp in g, which has a live session: the browser must
// come straight back to the application with a code.
func (rp *relyingParty) singleSignOn(t testing.TB, s *servertest.Server, g *servertest.Guest, opts ...oauth2.AuthCodeOption) (attempt, string) {
	t.Helper()
	a := rp.attempt(opts...)
	return a, rp.codeFrom(t, open(t, s, g, a.url), a)
}

// clientAuth is how a client authenticates at the token endpoint.
type clientAuth int

const (
	secretBasic clientAuth = iota // client_secret_basic
	secretPost                    // client_secret_post
	noSecret                      // none: public clients
)

// tokenAnswer is the token endpoint's answer.
type tokenAnswer struct {
	Status       int    `json:"-"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	Error        string `json:"error"`
	Description  string `json:"error_description"`
}

// token calls the token endpoint with form, authenticating as rp (with
// secret, which may differ from rp's own).
func (rp *relyingParty) token(t testing.TB, form url.Values, auth clientAuth, secret string) tokenAnswer {
	t.Helper()
	switch auth {
	case secretPost:
		form.Set("client_id", rp.clientID)
		form.Set("client_secret", secret)
	case noSecret:
		form.Set("client_id", rp.clientID)
	}
	req, err := http.NewRequestWithContext(t.Context(), "POST", rp.provider.Endpoint().TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if auth == secretBasic {
		req.SetBasicAuth(url.QueryEscape(rp.clientID), url.QueryEscape(secret))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("token endpoint: %v", err)
	}
	defer resp.Body.Close()
	var out tokenAnswer
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("token endpoint: %d, body is not JSON: %v", resp.StatusCode, err)
	}
	out.Status = resp.StatusCode
	return out
}

// exchange redeems a code with a verifier ("" for none), authenticating
// with rp's secret.
func (rp *relyingParty) exchange(t testing.TB, code, verifier string) tokenAnswer {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rp.redirect}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	auth := secretBasic
	if rp.secret == "" {
		auth = noSecret
	}
	return rp.token(t, form, auth, rp.secret)
}

// refresh uses a refresh token.
func (rp *relyingParty) refresh(t testing.TB, refreshToken string, auth clientAuth) tokenAnswer {
	t.Helper()
	return rp.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}, auth, rp.secret)
}

func wantTokens(t testing.TB, what string, a tokenAnswer) tokenAnswer {
	t.Helper()
	if a.Status != http.StatusOK || a.AccessToken == "" || a.IDToken == "" || a.RefreshToken == "" {
		t.Fatalf("%s: %d %s %q, want access, ID and refresh tokens", what, a.Status, a.Error, a.Description)
	}
	return a
}

func wantTokenError(t testing.TB, what string, a tokenAnswer, status int, codes ...string) {
	t.Helper()
	if a.Status != status || !slices.Contains(codes, a.Error) || a.AccessToken != "" {
		t.Errorf("%s: %d %q (%s), want %d %v and no tokens", what, a.Status, a.Error, a.Description, status, codes)
	}
}

// userinfo calls the userinfo endpoint of rp's provider with an access
// token and returns the status.
func (rp *relyingParty) userinfo(t testing.TB, accessToken string) int {
	t.Helper()
	return userinfoAt(t, rp.provider.UserInfoEndpoint(), accessToken)
}

func userinfoAt(t testing.TB, endpoint, accessToken string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", endpoint, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("userinfo: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// idToken verifies an ID token for rp and returns its claims.
func (rp *relyingParty) idToken(t testing.TB, raw string) map[string]any {
	t.Helper()
	idt, err := rp.provider.Verifier(&oidc.Config{ClientID: rp.clientID}).Verify(t.Context(), raw)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// signedIn is a server with Fabrikam, one application, and alice signed
// in to it in a browser with a live session.
type signedIn struct {
	s     *servertest.Server
	tn    servertest.Tenant
	rp    *relyingParty
	g     *servertest.Guest
	email string
	first tokenAnswer // the tokens of the first sign-in
}

func newSignedIn(t *testing.T) *signedIn {
	t.Helper()
	s, tn := newFabrikam(t, servertest.Options{})
	const email = "alice@contoso.example"
	rp := newRelyingParty(t, s, tn, registerApp(t, s, tn, appRedirect, email))
	g := s.NewGuest("en")
	a, code := rp.firstSignIn(t, s, g, email)
	first := wantTokens(t, "first code exchange", rp.exchange(t, code, a.verifier))
	return &signedIn{s: s, tn: tn, rp: rp, g: g, email: email, first: first}
}

// TestRefreshTokenRotation: every refresh returns a new refresh token and
// spends the one used (SPEC R32); presenting a spent one again ends the
// whole sign-in, since a thief or the client may hold the newer ones
// (OAuth 2.0 Security BCP, RFC 9700 section 4.14.2). Both secret methods
// work, and each refresh token lives 14 days on the server's clock.
func TestRefreshTokenRotation(t *testing.T) {
	x := newSignedIn(t)
	rp := x.rp
	if rp.userinfo(t, x.first.AccessToken) != http.StatusOK {
		t.Fatal("userinfo with the first access token")
	}

	r1 := wantTokens(t, "refresh with client_secret_basic", rp.refresh(t, x.first.RefreshToken, secretBasic))
	if r1.RefreshToken == x.first.RefreshToken {
		t.Fatal("the refresh token was not rotated")
	}
	r2 := wantTokens(t, "refresh with client_secret_post", rp.refresh(t, r1.RefreshToken, secretPost))
	if r2.RefreshToken == r1.RefreshToken || r2.RefreshToken == x.first.RefreshToken {
		t.Fatal("the refresh token was not rotated")
	}
	if claims := rp.idToken(t, r2.IDToken); claims["email"] != x.email {
		t.Errorf("refreshed ID token: %v", claims)
	}
	if rp.userinfo(t, r2.AccessToken) != http.StatusOK {
		t.Fatal("userinfo with the refreshed access token")
	}

	// A spent token again: refused, and everything of this sign-in ends.
	wantTokenError(t, "spent refresh token", rp.refresh(t, r1.RefreshToken, secretBasic), http.StatusBadRequest, "invalid_grant")
	wantTokenError(t, "newest refresh token after reuse", rp.refresh(t, r2.RefreshToken, secretBasic), http.StatusBadRequest, "invalid_grant")
	wantTokenError(t, "first refresh token after reuse", rp.refresh(t, x.first.RefreshToken, secretPost), http.StatusBadRequest, "invalid_grant")
	for _, at := range []string{x.first.AccessToken, r1.AccessToken, r2.AccessToken} {
		if status := rp.userinfo(t, at); status == http.StatusOK {
			t.Errorf("userinfo with an access token of the revoked sign-in: %d", status)
		}
	}

	// Another sign-in of the same guest is another family: untouched.
	a, code := rp.singleSignOn(t, x.s, x.g)
	other := wantTokens(t, "second sign-in", rp.exchange(t, code, a.verifier))
	other = wantTokens(t, "refresh of the second sign-in", rp.refresh(t, other.RefreshToken, secretBasic))

	// Lifetime: 14 days per token, renewed by each rotation.
	x.s.Clock.Advance(13 * 24 * time.Hour)
	other = wantTokens(t, "refresh after 13 days", rp.refresh(t, other.RefreshToken, secretBasic))
	x.s.Clock.Advance(13 * 24 * time.Hour)
	other = wantTokens(t, "refresh 13 days after the last rotation", rp.refresh(t, other.RefreshToken, secretPost))
	x.s.Clock.Advance(14*24*time.Hour + time.Minute)
	wantTokenError(t, "refresh token older than 14 days", rp.refresh(t, other.RefreshToken, secretBasic), http.StatusBadRequest, "invalid_grant")
}

// TestAuthorizationCodeMisuse: a code works once, for its client, with its
// PKCE verifier, within the sign-in request's hour (RFC 6749 section
// 4.1.2, RFC 7636 section 4.6); a second use revokes what the first
// produced.
func TestAuthorizationCodeMisuse(t *testing.T) {
	s, tn := newFabrikam(t, servertest.Options{})
	const email = "alice@contoso.example"
	rp := newRelyingParty(t, s, tn, registerApp(t, s, tn, appRedirect, email))
	other := newRelyingParty(t, s, tn, registerApp(t, s, tn, "https://other.example/callback", email))
	g := s.NewGuest("en")
	a, code := rp.firstSignIn(t, s, g, email)

	t.Run("reused", func(t *testing.T) {
		first := wantTokens(t, "first exchange", rp.exchange(t, code, a.verifier))
		wantTokenError(t, "second exchange", rp.exchange(t, code, a.verifier), http.StatusBadRequest, "invalid_grant")
		wantTokenError(t, "refresh token of the first exchange", rp.refresh(t, first.RefreshToken, secretBasic),
			http.StatusBadRequest, "invalid_grant")
		if status := rp.userinfo(t, first.AccessToken); status == http.StatusOK {
			t.Errorf("userinfo with the first exchange's access token: %d, want refused", status)
		}
	})
	t.Run("wrong verifier", func(t *testing.T) {
		_, code := rp.singleSignOn(t, s, g)
		wantTokenError(t, "wrong verifier", rp.exchange(t, code, oauth2.GenerateVerifier()), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("missing verifier", func(t *testing.T) {
		_, code := rp.singleSignOn(t, s, g)
		wantTokenError(t, "no verifier", rp.exchange(t, code, ""), http.StatusBadRequest, "invalid_grant", "invalid_request")
	})
	t.Run("another client", func(t *testing.T) {
		a, code := rp.singleSignOn(t, s, g)
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rp.redirect},
			"code_verifier": {a.verifier}}
		wantTokenError(t, "code of A at B", other.token(t, form, secretBasic, other.secret), http.StatusBadRequest, "invalid_grant")
		form.Set("redirect_uri", other.redirect)
		wantTokenError(t, "code of A at B, B's redirect URI", other.token(t, form, secretBasic, other.secret),
			http.StatusBadRequest, "invalid_grant")
	})
	t.Run("expired", func(t *testing.T) {
		a, code := rp.singleSignOn(t, s, g)
		s.Clock.Advance(time.Hour + time.Minute)
		wantTokenError(t, "code after an hour", rp.exchange(t, code, a.verifier), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("fresh code still works", func(t *testing.T) {
		a, code := rp.singleSignOn(t, s, g)
		wantTokens(t, "exchange", rp.exchange(t, code, a.verifier))
	})
}

// TestAuthorizeRefusals: /authorize never sends the browser to a redirect
// URI that is not registered exactly for the client (RFC 6749 section
// 4.1.2.1, OAuth 2.0 Security BCP 4.1); client authentication at the
// token endpoint fails with 401; state and nonce come back.
func TestAuthorizeRefusals(t *testing.T) {
	x := newSignedIn(t)
	s, rp, g := x.s, x.rp, x.g

	for name, redirect := range map[string]string{
		"unregistered":      "https://evil.example/callback",
		"trailing slash":    appRedirect + "/",
		"extra query":       appRedirect + "?next=/admin",
		"other path case":   "https://app.example/Callback",
		"http instead of s": "http://app.example/callback",
		"sub path":          appRedirect + "/more",
	} {
		t.Run(name, func(t *testing.T) {
			cfg := rp.cfg
			cfg.RedirectURL = redirect
			p := g.Get(t, cfg.AuthCodeURL("state", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
			wantNoRedirectTo(t, p, redirect)
			if p.Status != http.StatusBadRequest {
				t.Errorf("redirect_uri %q: %d, want 400 from the provider", redirect, p.Status)
			}
		})
	}

	t.Run("unknown client", func(t *testing.T) {
		cfg := rp.cfg
		cfg.ClientID = "00000000-1111-2222-3333-444444444444"
		p := g.Get(t, cfg.AuthCodeURL("state", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		wantNoRedirectTo(t, p, appRedirect)
		if p.Status != http.StatusBadRequest {
			t.Errorf("unknown client: %d, want 400", p.Status)
		}
	})

	t.Run("wrong secret", func(t *testing.T) {
		a, code := rp.singleSignOn(t, s, g)
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rp.redirect},
			"code_verifier": {a.verifier}}
		wrong := rp.secret[:len(rp.secret)-1] + string(rp.secret[len(rp.secret)-1]^1)
		wantTokenError(t, "wrong secret, basic", rp.token(t, form, secretBasic, wrong), http.StatusUnauthorized, "invalid_client")
		wantTokenError(t, "wrong secret, post", rp.token(t, form, secretPost, wrong), http.StatusUnauthorized, "invalid_client")
		wantTokenError(t, "no secret", rp.token(t, form, noSecret, ""), http.StatusUnauthorized, "invalid_client")
		wantTokenError(t, "wrong secret, refresh", rp.token(t, url.Values{"grant_type": {"refresh_token"},
			"refresh_token": {x.first.RefreshToken}}, secretBasic, wrong), http.StatusUnauthorized, "invalid_client")
	})

	t.Run("state and nonce", func(t *testing.T) {
		a, code := rp.singleSignOn(t, s, g) // codeFrom checks the state
		tok := wantTokens(t, "exchange", rp.exchange(t, code, a.verifier))
		if claims := rp.idToken(t, tok.IDToken); claims["nonce"] != a.nonce {
			t.Errorf("nonce = %v, want %q", claims["nonce"], a.nonce)
		}
	})
}

// wantNoRedirectTo: the provider did not send the browser to uri.
func wantNoRedirectTo(t testing.TB, p servertest.Page, uri string) {
	t.Helper()
	if p.Location != "" && (strings.HasPrefix(p.Location, uri) || !strings.HasPrefix(p.Location, "/")) {
		t.Errorf("redirected to %q; a refused request must not leave guestlist", p.Location)
	}
}

// registerSPA registers a single-page application (spa.redirectUris only:
// a public client, no secret) and assigns email to it.
func registerSPA(t *testing.T, s *servertest.Server, tn servertest.Tenant, redirect, email string) rpApp {
	t.Helper()
	status, app := s.Do(t, "POST", "/v1.0/applications", tn.Token, map[string]any{
		"displayName": "Project board", "spa": map[string]any{"redirectUris": []string{redirect}},
	})
	if status != http.StatusCreated {
		t.Fatalf("register SPA: %d %v", status, app)
	}
	appID := app["appId"].(string)
	assign(t, s, tn, userID(s.Invite(t, tn, email, nil)), appID)
	return rpApp{clientID: appID, redirect: redirect}
}

// assign gives the user access to the application with appId.
func assign(t testing.TB, s *servertest.Server, tn servertest.Tenant, uid, appID string) {
	t.Helper()
	q := url.Values{"$filter": {"appId eq '" + appID + "'"}}
	status, sps := s.Do(t, "GET", "/v1.0/servicePrincipals?"+q.Encode(), tn.Token, nil)
	if status != http.StatusOK || len(sps["value"].([]any)) != 1 {
		t.Fatalf("service principal of %s: %d %v", appID, status, sps)
	}
	sp := sps["value"].([]any)[0].(map[string]any)["id"].(string)
	status, a := s.Do(t, "POST", "/v1.0/users/"+uid+"/appRoleAssignments", tn.Token, map[string]any{
		"principalId": uid, "resourceId": sp,
	})
	if status != http.StatusCreated {
		t.Fatalf("assign %s to %s: %d %v", uid, appID, status, a)
	}
}

// TestPublicClient: a single-page application has no secret; it signs in
// with PKCE and authenticates with its client id alone (auth method
// none). Entra accepts https and, for development, http on localhost as
// SPA redirect URIs; both work end to end. Without PKCE its code is
// worthless.
func TestPublicClient(t *testing.T) {
	for _, redirect := range []string{"https://board.example/", "http://localhost:5173/auth/callback"} {
		t.Run(redirect, func(t *testing.T) {
			s, tn := newFabrikam(t, servertest.Options{})
			const email = "alice@contoso.example"
			rp := newRelyingParty(t, s, tn, registerSPA(t, s, tn, redirect, email))
			g := s.NewGuest("en")
			a, code := rp.firstSignIn(t, s, g, email)
			tok := wantTokens(t, "public client exchange", rp.exchange(t, code, a.verifier))
			claims := rp.idToken(t, tok.IDToken)
			if claims["email"] != email || claims["nonce"] != a.nonce {
				t.Errorf("ID token: %v", claims)
			}
			if rp.userinfo(t, tok.AccessToken) != http.StatusOK {
				t.Error("userinfo with the public client's access token")
			}
			refreshed := wantTokens(t, "public client refresh", rp.refresh(t, tok.RefreshToken, noSecret))
			if refreshed.RefreshToken == tok.RefreshToken {
				t.Error("the public client's refresh token was not rotated")
			}

			// Without PKCE: the code cannot be redeemed.
			cfg := rp.cfg
			noPKCE := attempt{state: "no-pkce", url: cfg.AuthCodeURL("no-pkce")}
			p := open(t, s, g, noPKCE.url)
			q := rp.callback(t, p, noPKCE)
			if q.Get("error") == "" {
				wantTokenError(t, "code requested without PKCE", rp.exchange(t, q.Get("code"), ""),
					http.StatusBadRequest, "invalid_request", "invalid_grant")
			}
		})
	}
}

// TestTenantsAreSeparate: each tenant is its own issuer (SPEC R30, R32):
// tokens, clients and codes of one are nothing at another.
func TestTenantsAreSeparate(t *testing.T) {
	x := newSignedIn(t)
	s, rp := x.s, x.rp
	contoso := s.CreateTenant(t, "Contoso", "contoso.example")
	theirs := newRelyingParty(t, s, contoso, registerApp(t, s, contoso, appRedirect))

	if got, want := theirs.provider.Endpoint().AuthURL, s.URL+"/"+contoso.ID+"/v2.0/"; !strings.HasPrefix(got, want) {
		t.Errorf("Contoso's authorization endpoint %q, want under %q", got, want)
	}
	status, disco := s.Do(t, "GET", "/"+contoso.ID+"/v2.0/.well-known/openid-configuration", "", nil)
	if want := s.URL + "/" + contoso.ID + "/v2.0"; status != http.StatusOK || disco["issuer"] != want {
		t.Errorf("Contoso's discovery: %d issuer %v, want %s", status, disco["issuer"], want)
	}
	for _, k := range []string{"token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint"} {
		if v, _ := disco[k].(string); !strings.HasPrefix(v, s.URL+"/"+contoso.ID+"/") {
			t.Errorf("Contoso's %s = %q, want under Contoso", k, v)
		}
	}

	if rp.userinfo(t, x.first.AccessToken) != http.StatusOK {
		t.Fatal("userinfo at Fabrikam with Fabrikam's token")
	}
	if status := theirs.userinfo(t, x.first.AccessToken); status != http.StatusUnauthorized {
		t.Errorf("userinfo at Contoso with Fabrikam's access token: %d, want 401", status)
	}

	// Fabrikam's client at Contoso's /authorize: unknown there.
	cfg := rp.cfg
	cfg.Endpoint = theirs.provider.Endpoint()
	p := x.g.Get(t, cfg.AuthCodeURL("state", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	wantNoRedirectTo(t, p, appRedirect)
	if p.Status != http.StatusBadRequest {
		t.Errorf("Fabrikam's client at Contoso's /authorize: %d, want 400", p.Status)
	}

	// A Fabrikam code and refresh token at Contoso's token endpoint.
	a, code := rp.singleSignOn(t, s, x.g)
	stray := *rp
	stray.provider = theirs.provider
	// Whichever the provider checks first, the code or the client, the
	// answer is a refusal.
	if ans := stray.exchange(t, code, a.verifier); ans.Status/100 != 4 || ans.AccessToken != "" ||
		(ans.Error != "invalid_grant" && ans.Error != "invalid_client") {
		t.Errorf("Fabrikam's code at Contoso: %d %q, want invalid_grant or invalid_client", ans.Status, ans.Error)
	}
	wantTokenError(t, "Fabrikam's refresh token at Contoso", stray.refresh(t, x.first.RefreshToken, secretBasic),
		http.StatusUnauthorized, "invalid_client")
	wantTokens(t, "the code at Fabrikam afterwards", rp.exchange(t, code, a.verifier))
}
