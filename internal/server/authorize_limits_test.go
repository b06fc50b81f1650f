package server_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

// /authorize is open to anyone, and every request used to store a row of
// unbounded size: these tests play a stranger filling the disk or the
// logs, and check the limits (SPEC R32, README "Limits of /authorize").

// oauthError is an RFC 6749 error object.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// rawGet is a GET with no cookies and no redirects, returning the
// decoded error object when the answer is JSON.
func rawGet(t *testing.T, u string) (*http.Response, oauthError) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(t.Context(), "GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET: %v", err)
	}
	defer resp.Body.Close()
	var e oauthError
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
			t.Fatalf("error body: %v", err)
		}
	}
	return resp, e
}

// wantErrorAtApp: the answer sends the browser to the application's
// redirect URI with error and the provider's iss, and no code.
func wantErrorAtApp(t *testing.T, rp *relyingParty, resp *http.Response, code string) url.Values {
	t.Helper()
	loc := resp.Header.Get("Location")
	u, err := url.Parse(loc)
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc, rp.redirect+"?") {
		t.Fatalf("got %d to %q, want a redirect to the application with error=%s", resp.StatusCode, loc, code)
	}
	q := u.Query()
	if q.Get("error") != code || q.Get("code") != "" || q.Get("iss") != rp.issuer() {
		t.Errorf("answer at the application: %v, want error=%s and iss=%s", q, code, rp.issuer())
	}
	return q
}

func (rp *relyingParty) issuer() string {
	var d struct {
		Issuer string `json:"issuer"`
	}
	_ = rp.provider.Claims(&d)
	return d.Issuer
}

// TestAuthorizeSizeLimits: an oversized request is refused before it is
// stored: the whole query at 8 kB with a page of its own (nothing of it
// can be trusted), each capped parameter with invalid_request at the registered
// redirect URI.
func TestAuthorizeSizeLimits(t *testing.T) {
	s, tn := newFabrikam(t, servertest.Options{})
	rp := newRelyingParty(t, s, tn, registerApp(t, s, tn, appRedirect))

	huge := rp.attempt(param("state", strings.Repeat("s", 900<<10)))
	resp, _ := rawGet(t, huge.url)
	if resp.StatusCode != http.StatusBadRequest || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || resp.Header.Get("Location") != "" {
		t.Errorf("a 900 kB state: %d %q to %q, want a 400 page and no redirect", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Location"))
	}

	for _, c := range []struct{ param, value string }{
		{"state", strings.Repeat("s", 2049)},
		{"nonce", strings.Repeat("n", 513)},
		{"login_hint", strings.Repeat("a", 310) + "@contoso.example"},
		{"ui_locales", strings.Repeat("de ", 34)},
		{"scope", "openid " + strings.Repeat("x", 1024)},
		{"code_challenge", strings.Repeat("c", 129)},
	} {
		t.Run(c.param, func(t *testing.T) {
			a := rp.attempt(param(c.param, c.value))
			resp, _ := rawGet(t, a.url)
			q := wantErrorAtApp(t, rp, resp, "invalid_request")
			if c.param == "state" && q.Get("state") != "" {
				t.Error("an over-long state was echoed to the application")
			}
			if c.param != "state" && q.Get("state") != a.state {
				t.Errorf("state %q, want %q", q.Get("state"), a.state)
			}
		})
	}

	// At the limits, the request goes on to the sign-in page.
	a := rp.attempt(param("state", strings.Repeat("s", 2048)), param("nonce", strings.Repeat("n", 512)))
	wantSigninPage(t, open(t, s, s.NewGuest("en"), a.url), "state and nonce at their limits")
}

// TestAuthorizeBadRedirectNotEchoed: an unregistered redirect URI is
// refused with a page of its own (never followed), and the log line about
// it does not repeat it in full.
func TestAuthorizeBadRedirectNotEchoed(t *testing.T) {
	var logs servertest.LogBuffer
	// The OpenID library logs to the default logger: catch that too (the
	// test is not parallel, so no other test logs meanwhile).
	logger := logs.Logger(slog.LevelInfo)
	old := slog.Default()
	slog.SetDefault(logger)
	t.Cleanup(func() { slog.SetDefault(old) })
	s, tn := newFabrikam(t, servertest.Options{Logger: logger})
	rp := newRelyingParty(t, s, tn, registerApp(t, s, tn, appRedirect))
	evil := "https://evil.example/" + strings.Repeat("x", 6000)
	cfg := rp.cfg
	cfg.RedirectURL = evil
	for range 3 {
		resp, _ := rawGet(t, cfg.AuthCodeURL("state", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		if resp.StatusCode != http.StatusBadRequest || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || resp.Header.Get("Location") != "" {
			t.Fatalf("unregistered redirect URI: %d %q to %q, want a 400 page", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Location"))
		}
	}
	l := logs.String()
	if strings.Contains(l, strings.Repeat("x", 1000)) {
		t.Errorf("the logs repeat the redirect URI: %d bytes for three requests", len(l))
	}
	if !strings.Contains(l, "https://evil.example/xxx") {
		t.Errorf("the refusals are not logged at all:\n%.500s", l)
	}
}

// TestAuthorizeThrottle: one client address may start only so many
// authorization requests per 10 minutes in a tenant; the count is in the
// store, and the window slides with the clock.
func TestAuthorizeThrottle(t *testing.T) {
	s, tn := newFabrikam(t, withConfig(func(c *server.Config) { c.AuthorizeLimit = 5 }))
	rp := newRelyingParty(t, s, tn, registerApp(t, s, tn, appRedirect))
	for i := range 5 {
		if resp, _ := rawGet(t, rp.attempt().url); resp.StatusCode != http.StatusFound {
			t.Fatalf("request %d: %d, want 302 to the sign-in page", i+1, resp.StatusCode)
		}
	}
	resp, e := rawGet(t, rp.attempt().url)
	if resp.StatusCode != http.StatusTooManyRequests || e.Error != "temporarily_unavailable" || resp.Header.Get("Retry-After") == "" {
		t.Errorf("request 6: %d %+v (Retry-After %q), want 429 temporarily_unavailable", resp.StatusCode, e, resp.Header.Get("Retry-After"))
	}
	s.Clock.Advance(10*time.Minute + time.Second)
	if resp, _ := rawGet(t, rp.attempt().url); resp.StatusCode != http.StatusFound {
		t.Errorf("10 minutes later: %d, want the request accepted", resp.StatusCode)
	}
}

// TestUnusedAuthRequestExpires: a request nobody signs in to ends after
// 10 minutes; its sign-in link then says so.
func TestUnusedAuthRequestExpires(t *testing.T) {
	s, tn := newFabrikam(t, servertest.Options{})
	rp := newRelyingParty(t, s, tn, registerApp(t, s, tn, appRedirect))
	g := s.NewGuest("en")
	link, _ := startedBy(t, g, rp.attempt())
	s.Clock.Advance(9 * time.Minute)
	wantSigninPage(t, g.Get(t, link), "9 minutes after /authorize")
	s.Clock.Advance(time.Minute)
	wantRefused(t, g.Get(t, link), http.StatusBadRequest, "This sign-in request has expired.")
}

// TestPKCEPlainRefused: only S256 (SPEC R32); "plain", or a challenge with
// no method (which means plain, RFC 7636 section 4.3), is invalid_request.
func TestPKCEPlainRefused(t *testing.T) {
	s, tn := newFabrikam(t, servertest.Options{})
	rp := newRelyingParty(t, s, tn, registerApp(t, s, tn, appRedirect))
	verifier := oauth2.GenerateVerifier()
	for name, opts := range map[string][]oauth2.AuthCodeOption{
		"plain":     {param("code_challenge", verifier), param("code_challenge_method", "plain")},
		"no method": {param("code_challenge", verifier)},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := rp.cfg
			resp, _ := rawGet(t, cfg.AuthCodeURL("pkce-"+name, opts...))
			if q := wantErrorAtApp(t, rp, resp, "invalid_request"); q.Get("state") != "pkce-"+name {
				t.Errorf("state %q", q.Get("state"))
			}
		})
	}
}
