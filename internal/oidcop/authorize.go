package oidcop

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"guestlist/internal/core"
	"guestlist/internal/platform"
)

// Size limits of an authorization request. Anyone may call /authorize and
// each call stores a row, so what it stores is bounded: the whole query
// (or form), and each parameter that is stored or echoed. Longer is
// invalid_request.
const maxAuthorizeQuery = 8 << 10

var authorizeLimits = []struct {
	param string
	max   int
}{
	{"state", 2048},
	{"nonce", 512},
	{"login_hint", 320}, // an address is at most 254 characters (RFC 5321 section 4.5.3.1)
	{"ui_locales", 100},
	{"redirect_uri", 2048},
	{"scope", 1024},
	{"code_challenge", 128}, // RFC 7636 section 4.2: 43 to 128 characters
}

// Throttle of /authorize: requests per client address and tenant in a
// sliding window, counted in the store so every process sees the same
// count (SPEC R51).
const (
	authorizeWindow       = 10 * time.Minute
	defaultAuthorizeLimit = 100
)

// logLimit bounds what a log line repeats of a request.
const logLimit = 200

// truncate is s cut to at most n bytes, for logs.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// authorize is the authorization endpoint. Before the library validates
// and stores the request, it bounds its size, throttles the client
// address, checks the client and redirect URI itself (so a bad one is
// refused here, never echoed unbounded into a log or followed), refuses
// PKCE "plain", and binds the request to the browser (see bindBrowser).
// The library's error answers to the application get iss.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request, t *core.Tenant) {
	if len(r.URL.RawQuery) > maxAuthorizeQuery {
		p.refuse(w, r, t, RefusedRequest, "the request is too large")
		return
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxAuthorizeQuery)
	}
	if err := r.ParseForm(); err != nil {
		p.refuse(w, r, t, RefusedRequest, "the request is too large or malformed")
		return
	}
	if !p.allowAuthorize(w, r, t) {
		return
	}
	ar, ok := p.checkRedirect(w, r, t)
	if !ok {
		return
	}
	for _, l := range authorizeLimits {
		if len(r.Form.Get(l.param)) > l.max {
			p.redirectError(w, r, t, ar, "invalid_request", l.param+" is longer than "+strconv.Itoa(l.max)+" characters")
			return
		}
	}
	// PKCE with S256 only (SPEC R32): "plain" sends the verifier itself
	// through the browser, and a challenge without a method is plain
	// (RFC 7636 section 4.3).
	if r.Form.Get("code_challenge") != "" && r.Form.Get("code_challenge_method") != string(oidc.CodeChallengeMethodS256) {
		p.redirectError(w, r, t, ar, "invalid_request", "code_challenge_method must be S256")
		return
	}
	r = p.bindBrowser(w, r, t)
	p.op.ServeHTTP(&issWriter{ResponseWriter: w, issuer: p.issuer(t), login: p.storage.login(t.ID, "")}, r)
}

// allowAuthorize counts the request against its client address; over the
// limit it answers 429 temporarily_unavailable.
func (p *Provider) allowAuthorize(w http.ResponseWriter, r *http.Request, t *core.Tenant) bool {
	key, now := "authorize:"+platform.ThrottleKey(platform.ClientIP(r)), p.storage.now()
	n, _, err := p.storage.st.CountEvents(r.Context(), t.ID, key, now.Add(-authorizeWindow))
	if err == nil && n >= p.authorizeLimit {
		w.Header().Set("Retry-After", strconv.Itoa(int(authorizeWindow.Seconds())))
		w.Header().Set("Cache-Control", "no-store")
		platform.WriteJSON(w, http.StatusTooManyRequests, map[string]string{"error": "temporarily_unavailable",
			"error_description": "too many sign-in requests from this address; try again later"})
		return false
	}
	if err == nil {
		err = p.storage.st.RecordEvent(r.Context(), t.ID, key, now)
	}
	if err != nil {
		p.plainError(w, err)
		return false
	}
	return true
}

// checkRedirect finds the client and checks redirect_uri against its
// registered ones, exactly (RFC 6749 section 3.1.2.3); only then may an
// error go to it. It returns what an error answer needs. t is the
// organization the refusal page names (nil: none).
func (p *Provider) checkRedirect(w http.ResponseWriter, r *http.Request, t *core.Tenant) (*core.AuthRequest, bool) {
	clientID, redirect := r.Form.Get("client_id"), r.Form.Get("redirect_uri")
	c, err := p.storage.GetClientByClientID(r.Context(), clientID)
	var oe *oidc.Error
	if errors.As(err, &oe) && oe.ErrorType == oidc.InvalidClient {
		p.log.Info("oidc: authorize for an unknown client", "client_id", truncate(clientID, logLimit))
		p.refuse(w, r, t, RefusedClient, "this application is not registered in the organization")
		return nil, false
	} else if err != nil {
		p.plainError(w, err)
		return nil, false
	}
	if len(redirect) > 2048 || op.ValidateAuthReqRedirectURI(c, redirect, oidc.ResponseType(r.Form.Get("response_type"))) != nil {
		p.log.Info("oidc: authorize with a redirect URI not registered for the client",
			"client_id", clientID, "redirect_uri", truncate(redirect, logLimit))
		p.refuse(w, r, t, RefusedRedirectURI, "the redirect_uri is not registered for this application")
		return nil, false
	}
	ar := &core.AuthRequest{RedirectURI: redirect, ResponseType: r.Form.Get("response_type"), ResponseMode: r.Form.Get("response_mode")}
	if state := r.Form.Get("state"); len(state) <= 2048 {
		ar.State = state
	}
	return ar, true
}

// issWriter adds iss to the library's error redirects to the application
// (RFC 9207 section 2); the redirect to the sign-in page is left alone.
type issWriter struct {
	http.ResponseWriter
	issuer, login string
}

func (w *issWriter) WriteHeader(status int) {
	if loc := w.Header().Get("Location"); status/100 == 3 && loc != "" && !strings.HasPrefix(loc, w.login) {
		w.Header().Set("Location", withIss(loc, w.issuer))
	}
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *issWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
