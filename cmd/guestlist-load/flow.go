package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// step is one thing a guest waits for, timed from the click to the page
// (redirects within guestlist included).
type step int

const (
	stOpen      step = iota // first redemption: the redeem link → the Send code page
	stAuthorize             // the application's /authorize → the sign-in page
	stAddress               // the address typed → the Send code page
	stSend                  // Send code → the Enter code page
	stMail                  // Send code → the code in the mailbox (not a request)
	stCode                  // the code → the application's callback (or consent)
	stConsent               // first redemption: accept → the application
	stToken                 // the application's code exchange
	numSteps
)

var stepNames = [numSteps]string{"open link", "authorize", "address", "send code", "mail arrives", "enter code", "consent", "token"}

// browser is one guest's browser: its own cookie jar, its own client
// address, and requests spread over the processes as a load balancer
// without affinity would.
type browser struct {
	hc    *http.Client
	ip    string
	procs []*proc
	n     int
	lat   *[numSteps][]time.Duration
}

func newBrowser(tr http.RoundTripper, ip string, procs []*proc, first int, lat *[numSteps][]time.Duration) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{ip: ip, procs: procs, n: first, lat: lat,
		hc: &http.Client{Transport: tr, Jar: jar, Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status   int
	location string
	body     string
}

func (b *browser) base() string {
	b.n++
	return b.procs[b.n%len(b.procs)].base
}

func (b *browser) do(ctx context.Context, method, target string, form url.Values) (page, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, onProc(target, b.base()), body)
	if err != nil {
		return page{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("X-Forwarded-For", b.ip)
	resp, err := b.hc.Do(req)
	if err != nil {
		return page{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(raw)}, err
}

// nav makes a request and follows redirects while they stay on guestlist,
// timing it all as step s. It returns the first page, or the redirect to
// the application.
func (b *browser) nav(ctx context.Context, s step, method, target string, form url.Values) (page, error) {
	t0 := time.Now()
	p, err := b.do(ctx, method, target, form)
	for hops := 0; err == nil && p.status/100 == 3 && onGuestlist(p.location); hops++ {
		if hops == 10 {
			return p, fmt.Errorf("%s: more than 10 redirects", stepNames[s])
		}
		p, err = b.do(ctx, http.MethodGet, p.location, nil)
	}
	if err != nil {
		return p, fmt.Errorf("%s: %w", stepNames[s], err)
	}
	b.lat[s] = append(b.lat[s], time.Since(t0))
	return p, nil
}

// onGuestlist: a Location that stays on the server (anything but the
// applications' https:// addresses).
func onGuestlist(loc string) bool {
	return strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "http://")
}

var (
	formActionRE = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	hiddenRE     = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

func want(p page, s step, status int, contains string) error {
	if p.status != status || !strings.Contains(p.body, contains) {
		return fmt.Errorf("%s: got %d (to %q), want %d with %q: %.200s", stepNames[s], p.status, p.location, status, contains, p.body)
	}
	return nil
}

// passcode presses Send code on the Send code page at base and enters the
// code that arrives; it returns the answer to the code.
func (b *browser) passcode(ctx context.Context, mail *mailServer, g *guest, tenantPath string) (page, error) {
	box := mail.box(g.email)
	t0 := time.Now()
	p, err := b.nav(ctx, stSend, http.MethodPost, tenantPath+"/signin/passcode", url.Values{})
	if err != nil {
		return p, err
	}
	if err := want(p, stSend, http.StatusOK, `name="code"`); err != nil {
		return p, err
	}
	var code string
	select {
	case code = <-box:
	case <-time.After(30 * time.Second):
		return p, fmt.Errorf("mail arrives: no passcode to %s within 30s", g.email)
	case <-ctx.Done():
		return p, ctx.Err()
	}
	b.lat[stMail] = append(b.lat[stMail], time.Since(t0))
	return b.nav(ctx, stCode, http.MethodPost, tenantPath+"/signin/code", url.Values{"code": {code}})
}

// redeem is a first redemption: the invitation's link, Send code, the
// code, consent, the landing page.
func redeem(ctx context.Context, b *browser, mail *mailServer, g *guest) error {
	p, err := b.nav(ctx, stOpen, http.MethodGet, g.link, nil)
	if err != nil {
		return err
	}
	if err := want(p, stOpen, http.StatusOK, `id="send"`); err != nil {
		return err
	}
	u, _ := url.Parse(g.link)
	tenantPath := "/" + strings.SplitN(strings.TrimPrefix(u.Path, "/"), "/", 2)[0]
	if p, err = b.passcode(ctx, mail, g, tenantPath); err != nil {
		return err
	}
	if err := want(p, stCode, http.StatusOK, `name="action"`); err != nil {
		return err
	}
	if p, err = b.nav(ctx, stConsent, http.MethodPost, tenantPath+"/signin/consent", url.Values{"action": {"accept"}}); err != nil {
		return err
	}
	if p.status != http.StatusSeeOther || p.location != "https://app.example/welcome" {
		return fmt.Errorf("consent: got %d to %q, want the invitation's redirect URL", p.status, p.location)
	}
	return nil
}

// signIn is a returning guest signing in to the tenant's application:
// /authorize, the address, Send code, the code, and the callback with an
// authorization code; with exchange, the application then redeems it at
// the token endpoint.
func signIn(ctx context.Context, b *browser, mail *mailServer, g *guest, exchange bool) error {
	verifier := rand.Text() + rand.Text()
	sum := sha256.Sum256([]byte(verifier))
	state := rand.Text()
	q := url.Values{"client_id": {g.t.clientID}, "redirect_uri": {g.t.redirect}, "response_type": {"code"},
		"scope": {"openid email profile"}, "state": {state}, "nonce": {rand.Text()},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	p, err := b.nav(ctx, stAuthorize, http.MethodGet, "/"+g.t.id+"/v2.0/authorize?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	if err := want(p, stAuthorize, http.StatusOK, `name="email"`); err != nil {
		return err
	}
	action := formActionRE.FindStringSubmatch(p.body)
	if action == nil {
		return fmt.Errorf("authorize: sign-in page without a form")
	}
	form := url.Values{"email": {g.email}}
	for _, h := range hiddenRE.FindAllStringSubmatch(p.body, -1) {
		form.Set(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
	}
	if p, err = b.nav(ctx, stAddress, http.MethodPost, html.UnescapeString(action[1]), form); err != nil {
		return err
	}
	if err := want(p, stAddress, http.StatusOK, `id="send"`); err != nil {
		return err
	}
	if p, err = b.passcode(ctx, mail, g, "/"+g.t.id); err != nil {
		return err
	}
	back, err := url.Parse(p.location)
	if err != nil || p.status/100 != 3 || !strings.HasPrefix(p.location, g.t.redirect+"?") ||
		back.Query().Get("state") != state || back.Query().Get("code") == "" {
		return fmt.Errorf("enter code: got %d to %q, want the application's callback with a code: %s", p.status, p.location, mainText(p.body))
	}
	if !exchange {
		return nil
	}
	return b.exchange(ctx, g, back.Query().Get("code"), verifier)
}

// exchange is the application's side: the code and the PKCE verifier for
// tokens, client_secret_basic.
func (b *browser) exchange(ctx context.Context, g *guest, code, verifier string) error {
	t0 := time.Now()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {g.t.redirect}, "code_verifier": {verifier}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, b.base()+"/"+g.t.id+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(g.t.clientID), url.QueryEscape(g.t.secret))
	resp, err := b.hc.Transport.RoundTrip(req)
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	defer resp.Body.Close()
	var tok struct {
		IDToken     string `json:"id_token"`
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok.IDToken == "" || tok.AccessToken == "" {
		return fmt.Errorf("token: %d %s (%v)", resp.StatusCode, tok.Error, err)
	}
	b.lat[stToken] = append(b.lat[stToken], time.Since(t0))
	return nil
}

var mainRE = regexp.MustCompile(`(?s)<main[^>]*>(.*?)</main>`)

// mainText is the readable part of an error page, for a report.
func mainText(body string) string {
	m := mainRE.FindStringSubmatch(body)
	if m == nil {
		return fmt.Sprintf("%.300s", body)
	}
	return strings.Join(strings.Fields(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], " ")), " ")
}
