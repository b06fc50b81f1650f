package server_test

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

// TestSecurityHeadersEverywhere: guest pages, the 404 page, API errors and
// the OpenID provider's answers all forbid framing and sniffing; pages'
// CSP keeps forms on this origin; HSTS is sent exactly when the base URL is
// https.
func TestSecurityHeadersEverywhere(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam")
	paths := []string{
		"/no/such/page",                  // guest 404 page
		"/" + tn.ID + "/signin/passcode", // a guest page
		"/v1.0/users",                    // API 401
		"/v1.0/nothing-here",             // API 404
		"/" + tn.ID + "/v2.0/.well-known/openid-configuration",
		"/",
	}
	for _, p := range paths {
		resp, err := http.Get(s.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		h := resp.Header
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s (%d): no X-Content-Type-Options: nosniff", p, resp.StatusCode)
		}
		csp := h.Get("Content-Security-Policy")
		if h.Get("X-Frame-Options") != "DENY" || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s (%d): framing not forbidden (X-Frame-Options %q, CSP %q)", p, resp.StatusCode, h.Get("X-Frame-Options"), csp)
		}
		if !strings.Contains(csp, "form-action 'self'") {
			t.Errorf("%s (%d): CSP %q lacks form-action 'self'", p, resp.StatusCode, csp)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS on an http deployment", p)
		}
	}

	// The same server behind an https base URL (a TLS-terminating proxy).
	https := servertest.New(t, servertest.Options{Config: func(c *server.Config) {
		u, _ := url.Parse(c.BaseURL)
		_, port, _ := net.SplitHostPort(u.Host)
		c.BaseURL = "https://localhost:" + port
	}})
	for _, p := range []string{"/no/such/page", "/v1.0/users", "/healthz"} {
		resp, err := http.Get(https.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if hsts := resp.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(hsts, "max-age=") {
			t.Errorf("https deployment %s: Strict-Transport-Security %q", p, hsts)
		}
	}
}

// TestTenantNameIsOneLine: a tenant display name goes into mail subjects
// and pages; CR/LF, other control characters and bidi overrides are refused
// with Graph's 400.
func TestTenantNameIsOneLine(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	for _, name := range []string{"Fabrikam\r\nBcc: victim@example.com", "Fab\x00rikam", "Fab\trikam", "Contoso\u202emoc.evil", "A\u2028B"} {
		status, body := s.Do(t, "POST", "/operator/v1/tenants", s.OperatorToken, map[string]any{"displayName": name})
		e, _ := body["error"].(map[string]any)
		if status != http.StatusBadRequest || e["code"] != "Request_BadRequest" {
			t.Errorf("displayName %q: %d %v, want 400 Request_BadRequest", name, status, body)
		}
	}
	if status, body := s.Do(t, "POST", "/operator/v1/tenants", s.OperatorToken, map[string]any{"displayName": "Fabrikam Ltd. (北區)"}); status != http.StatusCreated {
		t.Errorf("ordinary name refused: %d %v", status, body)
	}
}

// TestDeliveryErrorNamesNoInternals: an invitation's messageDelivery shows
// tenant admins a classification (with the SMTP code) but neither the SMTP
// server's address nor the relay's own text, which names internal hosts.
func TestDeliveryErrorNamesNoInternals(t *testing.T) {
	t.Run("relay refuses", func(t *testing.T) {
		s, ev := mailServer(t, servertest.Options{})
		tn := s.CreateTenant(t, "Fabrikam")
		s.SMTP.SetFailure(550)
		inv := inviteWithMail(t, s, tn, "nobody@contoso.example")
		d := waitDelivery(t, s, ev, tn, inv["id"].(string), "failed", func(d delivery) bool { return d.Status == "failed" })
		if !strings.Contains(d.LastError, "550") || strings.Contains(d.LastError, "smtptest") || strings.Contains(d.LastError, "127.0.0.1") {
			t.Errorf("lastError %q: want the code 550 and no relay text or address", d.LastError)
		}
	})
	t.Run("relay down", func(t *testing.T) {
		s, ev := mailServer(t, servertest.Options{})
		tn := s.CreateTenant(t, "Fabrikam")
		s.SMTP.Stop()
		inv := inviteWithMail(t, s, tn, "bob@contoso.example")
		d := waitDelivery(t, s, ev, tn, inv["id"].(string), "a failed first attempt", retried)
		u, _ := url.Parse(s.SMTP.URL())
		if strings.Contains(d.LastError, u.Hostname()) || strings.Contains(d.LastError, u.Port()) || strings.Contains(d.LastError, "dial") {
			t.Errorf("lastError %q names the SMTP server (%s)", d.LastError, u.Host)
		}
		if d.LastError == "" {
			t.Error("no reason shown for the failed attempt")
		}
	})
}
