package server_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// Error answers of the userinfo and token endpoints as the standards
// shape them: RFC 6750 section 3 for bearer tokens, RFC 6749 section 5.2
// for client authentication.

// rawAnswer is a response's status, challenge and body.
type rawAnswer struct {
	status    int
	challenge string
	body      string
}

func rawDo(t *testing.T, req *http.Request) rawAnswer {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return rawAnswer{resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(b)}
}

func userinfoAnswer(t *testing.T, rp *relyingParty, accessToken string) rawAnswer {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", rp.provider.UserInfoEndpoint(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if accessToken != "" {
		req.Header.Set("Authorization", "Bearer "+accessToken)
	}
	return rawDo(t, req)
}

func wantInvalidToken(t *testing.T, what string, a rawAnswer) {
	t.Helper()
	if a.status != http.StatusUnauthorized || !strings.HasPrefix(a.challenge, "Bearer ") || !strings.Contains(a.challenge, `error="invalid_token"`) {
		t.Errorf("%s: %d, WWW-Authenticate %q, want 401 with Bearer error=\"invalid_token\"", what, a.status, a.challenge)
	}
}

// TestUserinfoTokenErrors: userinfo refuses a revoked, an expired and a
// forged access token with 401 and the invalid_token challenge; no token
// at all gets a bare Bearer challenge. go-oidc, as an application, sees an
// error and no claims.
func TestUserinfoTokenErrors(t *testing.T) {
	x := newSignedIn(t)
	s, rp := x.s, x.rp
	if _, err := rp.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: x.first.AccessToken})); err != nil {
		t.Fatalf("userinfo with a live token: %v", err)
	}

	// Revoked: reusing the code ends every token it produced.
	a, code := rp.singleSignOn(t, s, x.g)
	tok := wantTokens(t, "exchange", rp.exchange(t, code, a.verifier))
	wantTokenError(t, "code reuse", rp.exchange(t, code, a.verifier), http.StatusBadRequest, "invalid_grant")
	wantInvalidToken(t, "a revoked token", userinfoAnswer(t, rp, tok.AccessToken))
	if info, err := rp.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok.AccessToken})); err == nil {
		t.Errorf("go-oidc got userinfo for a revoked token: %+v", info)
	}

	forged := x.first.AccessToken[:len(x.first.AccessToken)-4] + "AAAA"
	wantInvalidToken(t, "a forged token", userinfoAnswer(t, rp, forged))
	if a := userinfoAnswer(t, rp, ""); a.status != http.StatusUnauthorized || !strings.HasPrefix(a.challenge, "Bearer") ||
		strings.Contains(a.challenge, "error=") {
		t.Errorf("no token: %d, WWW-Authenticate %q, want 401 and a bare Bearer challenge", a.status, a.challenge)
	}

	// Expired, on the server's clock: the first token was issued an hour
	// ago.
	s.Clock.Advance(time.Hour + time.Minute)
	wantInvalidToken(t, "an expired token", userinfoAnswer(t, rp, x.first.AccessToken))
}

// tokenAnswerRaw posts a token request with HTTP Basic (or, with basic
// false, client_secret_post) credentials.
func tokenAnswerRaw(t *testing.T, endpoint string, form url.Values, clientID, secret string, basic bool) rawAnswer {
	t.Helper()
	if !basic {
		form.Set("client_id", clientID)
		form.Set("client_secret", secret)
	}
	req, err := http.NewRequestWithContext(t.Context(), "POST", endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	}
	return rawDo(t, req)
}

// TestClientAuthenticationFailures: a failed client authentication is 401
// with the Basic challenge when the client used HTTP Basic (RFC 6749
// section 5.2), and an unknown client id gets exactly the answer of a
// wrong secret, for every grant: nobody learns which client ids exist.
func TestClientAuthenticationFailures(t *testing.T) {
	x := newSignedIn(t)
	s, rp := x.s, x.rp
	endpoint := rp.provider.Endpoint().TokenURL
	const unknown = "00000000-1111-2222-3333-444444444444"
	wrong := rp.secret[:len(rp.secret)-1] + string(rp.secret[len(rp.secret)-1]^1)

	a, code := rp.singleSignOn(t, s, x.g)
	grants := map[string]func() url.Values{
		"authorization_code": func() url.Values {
			return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rp.redirect}, "code_verifier": {a.verifier}}
		},
		"refresh_token": func() url.Values {
			return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {x.first.RefreshToken}}
		},
		"client_credentials": func() url.Values {
			return url.Values{"grant_type": {"client_credentials"}, "scope": {"https://graph.microsoft.com/.default"}}
		},
	}
	for name, form := range grants {
		t.Run(name, func(t *testing.T) {
			clientID := rp.clientID
			if name == "client_credentials" {
				clientID = x.tn.AppID
			}
			for _, basic := range []bool{true, false} {
				bad := tokenAnswerRaw(t, endpoint, form(), clientID, wrong, basic)
				stranger := tokenAnswerRaw(t, endpoint, form(), unknown, wrong, basic)
				if bad.status != http.StatusUnauthorized || !strings.Contains(bad.body, `"invalid_client"`) {
					t.Errorf("wrong secret (basic %v): %d %s, want 401 invalid_client", basic, bad.status, bad.body)
				}
				if basic && !strings.HasPrefix(bad.challenge, "Basic") {
					t.Errorf("wrong secret over HTTP Basic: WWW-Authenticate %q, want a Basic challenge", bad.challenge)
				}
				if stranger != bad {
					t.Errorf("unknown client (basic %v) answered %+v, a wrong secret %+v: want the same", basic, stranger, bad)
				}
			}
		})
	}
	// The code survived the failed attempts.
	wantTokens(t, "the code with the right secret", rp.exchange(t, code, a.verifier))
}
