package servertest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"guestlist/internal/mail"
	"guestlist/internal/mail/smtptest"
	"guestlist/internal/server"
)

// startTime is the clock's default starting time: the real current time
// (to the second), because the OpenID library stamps iat and nbf from the
// wall clock; tests move the clock forward from there.
func startTime() time.Time { return time.Now().UTC().Truncate(time.Second) }

// Options tune New; the zero value is a fresh server with its own SMTP
// server and clock.
type Options struct {
	DataDir    string           // reuse a directory (restart tests)
	SecretKey  string           // hex; default a fixed test key
	SMTP       *smtptest.Server // share an SMTP server; default a new one
	Clock      *Clock           // share a clock; default NewClock(Start)
	Config     func(*server.Config)
	MailWorker mail.WorkerOptions
	Logger     *slog.Logger
}

// Server is a running test server.
type Server struct {
	URL           string
	App           *server.Server
	HTTP          *httptest.Server
	SMTP          *smtptest.Server
	Clock         *Clock
	DataDir       string
	OperatorToken string

	stop    context.CancelFunc
	stopped bool
}

// TestKey is the server key tests use unless they set one.
const TestKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

// New starts a server; it stops at the end of the test.
func New(t testing.TB, o Options) *Server {
	t.Helper()
	if o.DataDir == "" {
		o.DataDir = t.TempDir()
	}
	if o.SecretKey == "" {
		o.SecretKey = TestKey
	}
	if o.SMTP == nil {
		o.SMTP = smtptest.Start(t)
	}
	if o.Clock == nil {
		o.Clock = NewClock(startTime())
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	cfg := server.Config{
		BaseURL: base, DataDir: o.DataDir, SMTP: o.SMTP.URL(), MailFrom: "guestlist@fabrikam.example",
		OperatorToken: "operator-test-token", SecretKey: o.SecretKey,
		// Partners' identity providers in tests are loopback servers.
		Federation: server.FederationConfig{AllowInsecureHTTP: true},
	}
	if o.Config != nil {
		o.Config(&cfg)
	}
	app, err := server.New(t.Context(), cfg, server.Deps{
		Now: o.Clock.Now, Logger: o.Logger, Registry: prometheus.NewRegistry(), MailWorker: o.MailWorker,
	})
	if err != nil {
		hs.Close()
		t.Fatalf("servertest: start server: %v", err)
	}
	hs.Config.Handler = app.Handler
	hs.Start()
	ctx, cancel := context.WithCancel(context.Background())
	app.Start(ctx)
	s := &Server{URL: base, App: app, HTTP: hs, SMTP: o.SMTP, Clock: o.Clock, DataDir: o.DataDir,
		OperatorToken: cfg.OperatorToken, stop: cancel}
	t.Cleanup(s.Stop)
	return s
}

// MetricsText scrapes the server's Prometheus metrics, as the scraper on
// the metrics address would.
func (s *Server) MetricsText(t testing.TB) string {
	t.Helper()
	rec := httptest.NewRecorder()
	s.App.Metrics.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("metrics: %d", rec.Code)
	}
	return rec.Body.String()
}

// Stop shuts the server down (idempotent), keeping its data directory.
func (s *Server) Stop() {
	if s.stopped {
		return
	}
	s.stopped = true
	s.HTTP.Close()
	s.stop()
	_ = s.App.Close()
}

// Tenant is a tenant created for a test with its admin credentials.
type Tenant struct {
	ID           string
	AppID        string
	ClientSecret string
	Token        string // an admin access token
}

// CreateTenant creates a tenant through the operator API and gets an admin
// token through the token endpoint, as an operator and a script would.
func (s *Server) CreateTenant(t testing.TB, name string, domains ...string) Tenant {
	t.Helper()
	if domains == nil {
		domains = []string{}
	}
	status, body := s.Do(t, "POST", "/operator/v1/tenants", s.OperatorToken, map[string]any{"displayName": name, "domains": domains})
	if status != http.StatusCreated {
		t.Fatalf("create tenant: %d %v", status, body)
	}
	app := body["adminApplication"].(map[string]any)
	tn := Tenant{ID: body["id"].(string), AppID: app["appId"].(string), ClientSecret: app["clientSecret"].(string)}
	tn.Token = s.AdminToken(t, tn)
	return tn
}

// AdminToken runs the client credentials grant.
func (s *Server) AdminToken(t testing.TB, tn Tenant) string {
	t.Helper()
	resp, err := http.PostForm(s.URL+"/"+tn.ID+"/oauth2/v2.0/token", map[string][]string{
		"grant_type": {"client_credentials"}, "client_id": {tn.AppID}, "client_secret": {tn.ClientSecret},
		"scope": {"https://graph.microsoft.com/.default"},
	})
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&tok) != nil || tok.AccessToken == "" {
		t.Fatalf("token: status %d", resp.StatusCode)
	}
	return tok.AccessToken
}

// Do sends a JSON API request with a bearer token and decodes the JSON
// answer (nil for an empty body).
func (s *Server) Do(t testing.TB, method, path, token string, body any) (int, map[string]any) {
	t.Helper()
	var out map[string]any
	status := s.DoJSON(t, method, path, token, body, &out)
	return status, out
}

// DoJSON sends a JSON API request (body: nil, a raw string, or a value to
// marshal) with a bearer token, if any, and decodes a JSON answer into out
// (when the answer has a body); it returns the status.
func (s *Server) DoJSON(t testing.TB, method, path, token string, body, out any) int {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if len(bytes.TrimSpace(raw)) == 0 || out == nil {
		return resp.StatusCode
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("%s %s: %d, body is not the expected JSON: %q", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode
}

// Invite invites email into tn and returns the invitation JSON.
func (s *Server) Invite(t testing.TB, tn Tenant, email string, extra map[string]any) map[string]any {
	t.Helper()
	body := map[string]any{"invitedUserEmailAddress": email, "inviteRedirectUrl": "https://app.example/welcome"}
	for k, v := range extra {
		body[k] = v
	}
	status, inv := s.Do(t, "POST", "/v1.0/invitations", tn.Token, body)
	if status != http.StatusCreated {
		t.Fatalf("invite %s: %d %v", email, status, inv)
	}
	return inv
}

var codeRE = regexp.MustCompile(`(?m)^\s*(\d{6,10})\s*$`)

// CodeIn extracts the passcode from a passcode mail's text.
func CodeIn(m smtptest.Message) string {
	if c := codeRE.FindStringSubmatch(m.TextBody); c != nil {
		return c[1]
	}
	return ""
}

// WaitMail waits (up to 10 s) for the n-th mail (1-based) to `to` whose
// text contains filter ("" for any).
func (s *Server) WaitMail(t testing.TB, to string, n int, filter string) smtptest.Message {
	t.Helper()
	return s.waitNth(t, to, n, func(m smtptest.Message) bool { return strings.Contains(m.TextBody, filter) })
}

// WaitCode waits for the n-th passcode mail to `to` and returns its code.
func (s *Server) WaitCode(t testing.TB, to string, n int) string {
	t.Helper()
	return CodeIn(s.waitNth(t, to, n, func(m smtptest.Message) bool { return CodeIn(m) != "" }))
}

func (s *Server) waitNth(t testing.TB, to string, n int, match func(smtptest.Message) bool) smtptest.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	seen := 0
	m, err := s.SMTP.WaitFor(ctx, func(m smtptest.Message) bool {
		for _, r := range m.To {
			if strings.EqualFold(r, to) && match(m) {
				seen++
				return seen == n
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("mail #%d to %s: %v", n, to, err)
	}
	return m
}
