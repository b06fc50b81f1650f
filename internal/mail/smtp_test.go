package mail

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/mail/smtptest"
)

func TestParseSMTPURL(t *testing.T) {
	for _, tc := range []struct {
		url      string
		host     string
		port     int
		sec      security
		user     string
		pass     string
		errorHas string
	}{
		{url: "smtp://mail.example.com", host: "mail.example.com", port: 587, sec: startTLSOpportunistic},
		{url: "smtp://u:p%40ss@mail.example.com:2525", host: "mail.example.com", port: 2525, sec: startTLSOpportunistic, user: "u", pass: "p@ss"},
		{url: "smtp+starttls://mail.example.com", host: "mail.example.com", port: 587, sec: startTLSRequired},
		{url: "smtps://u@mail.example.com/", host: "mail.example.com", port: 465, sec: implicitTLS, user: "u"},
		{url: "smtps://[::1]:1465", host: "::1", port: 1465, sec: implicitTLS},
		{url: "http://mail.example.com", errorHas: `scheme "http"`},
		{url: "mail.example.com:25", errorHas: "scheme"},
		{url: "smtp://", errorHas: "want scheme://"},
		{url: "smtp:mail.example.com", errorHas: "want scheme://"},
		{url: "smtp://mail.example.com:0", errorHas: `port "0"`},
		{url: "smtp://mail.example.com:99999", errorHas: `port "99999"`},
		{url: "smtp://mail.example.com/x", errorHas: "path"},
		{url: "smtp://mail.example.com?tls=1", errorHas: "query"},
		{url: "smtp://:secret@mail.example.com", errorHas: "empty user"},
		{url: "smtp://u:secret@mail example.com", errorHas: "invalid SMTP URL"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			s, err := NewSMTPSender(tc.url, "Guestlist <noreply@example.com>")
			if tc.errorHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errorHas) {
					t.Fatalf("error %v, want one containing %q", err, tc.errorHas)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error repeats the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.host != tc.host || s.port != tc.port || s.security != tc.sec || s.user != tc.user || s.pass != tc.pass {
				t.Errorf("got %s:%d sec %d user %q pass %q", s.host, s.port, s.security, s.user, s.pass)
			}
			if s.tls.ServerName != tc.host {
				t.Errorf("TLS server name %q, want %q", s.tls.ServerName, tc.host)
			}
		})
	}
	if _, err := NewSMTPSender("smtp://h", "not an address"); err == nil {
		t.Error("invalid from address accepted")
	}
}

func testMessage(id string) *core.OutboxMessage {
	return &core.OutboxMessage{
		ID: id, TenantID: "t1", Kind: core.MailInvitation,
		To: []string{"guest@example.org"}, CC: []string{"Boss <boss@example.org>"},
		Subject:   "Välkommen — you are invited",
		TextBody:  "Hello Gäst,\n\nopen " + strings.Repeat("https://example.org/redeem?token=abc ", 4) + "\n",
		HTMLBody:  `<p>Hello <b>Gäst</b>, <a href="https://example.org/">open</a></p>`,
		MessageID: id + "@guestlist.test",
		CreatedAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
	}
}

func newSender(t *testing.T, srv *smtptest.Server, rawURL string) *SMTPSender {
	t.Helper()
	if rawURL == "" {
		rawURL = srv.URL()
	}
	s, err := NewSMTPSender(rawURL, "Guestlist <noreply@guestlist.test>",
		WithTLSConfig(srv.TLSConfig()), WithDialTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func withScheme(rawURL, scheme string) string {
	u, _ := url.Parse(rawURL)
	u.Scheme = scheme
	return u.String()
}

func withUser(rawURL string, user *url.Userinfo) string {
	u, _ := url.Parse(rawURL)
	u.User = user
	return u.String()
}

func TestSMTPSenderDelivers(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opts    []smtptest.Option
		scheme  string // replaces the server's URL scheme if set
		wantTLS bool
	}{
		{name: "plain", scheme: "smtp"},
		{name: "opportunistic STARTTLS", opts: []smtptest.Option{smtptest.WithSTARTTLS()}, wantTLS: true},
		{name: "required STARTTLS", opts: []smtptest.Option{smtptest.WithSTARTTLS()}, scheme: "smtp+starttls", wantTLS: true},
		{name: "implicit TLS", opts: []smtptest.Option{smtptest.WithImplicitTLS()}, wantTLS: true},
		{name: "AUTH over STARTTLS", opts: []smtptest.Option{smtptest.WithSTARTTLS(), smtptest.WithAuth("app", "s3cret")}, wantTLS: true},
		{name: "AUTH over implicit TLS", opts: []smtptest.Option{smtptest.WithImplicitTLS(), smtptest.WithAuth("app", "s3cret")}, wantTLS: true},
		{name: "AUTH plaintext on loopback", opts: []smtptest.Option{smtptest.WithAuth("app", "s3cret")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.Start(t, tc.opts...)
			u := srv.URL()
			if tc.scheme != "" {
				u = withScheme(u, tc.scheme)
			}
			m := testMessage("inv-1")
			if err := newSender(t, srv, u).Send(t.Context(), m); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := srv.Messages()
			if len(got) != 1 {
				t.Fatalf("server got %d messages, want 1", len(got))
			}
			checkMessage(t, got[0], m)
			if got[0].TLS != tc.wantTLS {
				t.Errorf("TLS = %v, want %v", got[0].TLS, tc.wantTLS)
			}
			if strings.Contains(u, "@") && got[0].User != "app" {
				t.Errorf("authenticated as %q, want app", got[0].User)
			}
		})
	}
}

func checkMessage(t *testing.T, got smtptest.Message, m *core.OutboxMessage) {
	t.Helper()
	if got.From != "noreply@guestlist.test" || strings.Join(got.To, ",") != "guest@example.org,boss@example.org" {
		t.Errorf("envelope from %q to %q", got.From, got.To)
	}
	if got.MessageID() != m.MessageID {
		t.Errorf("Message-ID %q, want %q", got.MessageID(), m.MessageID)
	}
	if got.Subject != m.Subject || got.TextBody != m.TextBody || got.HTMLBody != m.HTMLBody {
		t.Errorf("decoded subject %q\ntext %q\nhtml %q", got.Subject, got.TextBody, got.HTMLBody)
	}
	if d, err := got.Header.Date(); err != nil || !d.Equal(m.CreatedAt) {
		t.Errorf("Date %v (%v), want %v", d, err, m.CreatedAt)
	}
	if got.Header.Get("Cc") == "" || got.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("headers: %v", got.Header)
	}
	if ct := got.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
		t.Errorf("Content-Type %q, want multipart/alternative", ct)
	}
}

func TestSMTPSenderTextOnly(t *testing.T) {
	srv := smtptest.Start(t)
	m := testMessage("code-1")
	m.HTMLBody, m.CC, m.MessageID = "", nil, ""
	if err := newSender(t, srv, "").Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()[0]
	if ct := got.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q, want text/plain", ct)
	}
	if got.TextBody != m.TextBody || got.HTMLBody != "" {
		t.Errorf("text %q html %q", got.TextBody, got.HTMLBody)
	}
	// Without a MessageID the row id, in the sender's domain, is stable.
	if got.MessageID() != "code-1@guestlist.test" {
		t.Errorf("Message-ID %q", got.MessageID())
	}
}

// Every attempt at one outbox row carries the same Message-ID, so copies
// after a lost acknowledgement are recognisable as one message.
func TestSMTPSenderMessageIDIsStable(t *testing.T) {
	srv := smtptest.Start(t)
	s := newSender(t, srv, "")
	m := testMessage("inv-2")
	for range 2 {
		if err := s.Send(t.Context(), m); err != nil {
			t.Fatal(err)
		}
	}
	got := srv.Messages()
	if len(got) != 2 || got[0].MessageID() != "inv-2@guestlist.test" || got[1].MessageID() != got[0].MessageID() {
		t.Errorf("Message-IDs: %q, %q", got[0].MessageID(), got[1].MessageID())
	}
}

func TestSMTPSenderFailures(t *testing.T) {
	for _, tc := range []struct {
		name      string
		opts      []smtptest.Option
		url       func(srv *smtptest.Server) string
		failure   int
		untrusted bool // the client does not trust the server's certificate
		permanent bool
		errorHas  string
	}{
		{name: "451 is temporary", failure: 451, errorHas: "451 "},
		{name: "550 is permanent", failure: 550, permanent: true, errorHas: "550 "},
		{
			// A wrong password concerns the configuration, not the
			// message: retried until an operator fixes it.
			name: "wrong password", opts: []smtptest.Option{smtptest.WithSTARTTLS(), smtptest.WithAuth("app", "s3cret")},
			url: func(srv *smtptest.Server) string {
				return withUser(srv.URL(), url.UserPassword("app", "wrong"))
			},
			errorHas: "535 ",
		},
		{
			name: "no credentials", opts: []smtptest.Option{smtptest.WithAuth("app", "s3cret")},
			url: func(srv *smtptest.Server) string { return withUser(srv.URL(), nil) },
		},
		{
			name:     "STARTTLS required but not offered",
			url:      func(srv *smtptest.Server) string { return withScheme(srv.URL(), "smtp+starttls") },
			errorHas: "STARTTLS",
		},
		{
			name: "untrusted certificate", opts: []smtptest.Option{smtptest.WithImplicitTLS()},
			untrusted: true, errorHas: "certificate",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.Start(t, tc.opts...)
			srv.SetFailure(tc.failure)
			u := srv.URL()
			if tc.url != nil {
				u = tc.url(srv)
			}
			s := newSender(t, srv, u)
			if tc.untrusted {
				s.tls.RootCAs = nil // the system pool, which lacks the test CA
			}
			err := s.Send(t.Context(), testMessage("m"))
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if IsPermanent(err) != tc.permanent || !strings.Contains(err.Error(), tc.errorHas) {
				t.Errorf("error %q: permanent %v, want %v and text %q", err, IsPermanent(err), tc.permanent, tc.errorHas)
			}
			if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "wrong") {
				t.Errorf("error shows a password: %v", err)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("server accepted %d messages", n)
			}
		})
	}
}

func TestSMTPSenderUnreachableIsTemporary(t *testing.T) {
	srv := smtptest.Start(t)
	s := newSender(t, srv, "")
	srv.Stop()
	err := s.Send(t.Context(), testMessage("m"))
	if err == nil || IsPermanent(err) {
		t.Fatalf("error %v, want a temporary one", err)
	}
	srv.Restart()
	if err := s.Send(t.Context(), testMessage("m")); err != nil {
		t.Fatalf("after restart: %v", err)
	}
}

func TestSMTPSenderInvalidMessageIsPermanent(t *testing.T) {
	srv := smtptest.Start(t)
	s := newSender(t, srv, "")
	for name, edit := range map[string]func(m *core.OutboxMessage){
		"no recipient":        func(m *core.OutboxMessage) { m.To = nil },
		"bad recipient":       func(m *core.OutboxMessage) { m.To = []string{"not an address"} },
		"bad cc":              func(m *core.OutboxMessage) { m.CC = []string{"@"} },
		"header injection":    func(m *core.OutboxMessage) { m.MessageID = "x@y>\r\nBcc: a@b.c" },
		"no id":               func(m *core.OutboxMessage) { m.ID, m.MessageID = "", "" },
		"space in message id": func(m *core.OutboxMessage) { m.MessageID = "a b@c" },
	} {
		m := testMessage("m")
		edit(m)
		if err := s.Send(t.Context(), m); !IsPermanent(err) {
			t.Errorf("%s: error %v, want a permanent one", name, err)
		}
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server accepted %d messages", n)
	}
}

// Send returns when its context ends even if the server stalls after
// the connection is open (go-mail only watches the context while dialing).
func TestSMTPSenderHonoursContextMidSession(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	accepted := make(chan net.Conn, 1)
	go func() {
		if c, err := l.Accept(); err == nil {
			accepted <- c // never greets
		}
	}()
	s, err := NewSMTPSender("smtp://"+l.Addr().String(), "noreply@guestlist.test", WithDialTimeout(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- s.Send(ctx, testMessage("m")) }()
	conn := <-accepted
	defer conn.Close()
	cancel()
	if err := <-errc; err == nil || IsPermanent(err) {
		t.Errorf("error %v, want a temporary one", err)
	}
}

// Messages share sessions: one connection, TLS and AUTH serve many
// messages in turn, and a session the server has closed meanwhile is
// replaced without losing the message.
func TestSMTPSenderReusesSessions(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithSTARTTLS(), smtptest.WithAuth("app", "s3cret"))
	s := newSender(t, srv, srv.URL())
	for i := range 5 {
		if err := s.Send(t.Context(), testMessage(fmt.Sprintf("m%d", i))); err != nil {
			t.Fatalf("Send %d: %v", i, err)
		}
	}
	if n := srv.Connections(); n != 1 {
		t.Errorf("%d connections for 5 messages in turn, want 1", n)
	}
	for _, m := range srv.Messages() {
		if !m.TLS || m.User != "app" {
			t.Errorf("message %s: TLS %v, user %q on a reused session", m.MessageID(), m.TLS, m.User)
		}
	}

	// The server restarts: the idle session is gone.
	srv.Stop()
	srv.Restart()
	if err := s.Send(t.Context(), testMessage("after-restart")); err != nil {
		t.Fatalf("Send after the server closed the idle session: %v", err)
	}
	if got := len(srv.Messages()); got != 6 {
		t.Errorf("server has %d messages, want 6", got)
	}

	// Concurrent sends each take a session of their own, and keep them.
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for g := range 4 {
		wg.Go(func() {
			for i := range 8 {
				errs <- s.Send(t.Context(), testMessage(fmt.Sprintf("c%d-%d", g, i)))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := len(srv.Messages()); got != 6+32 {
		t.Errorf("server has %d messages, want %d", got, 6+32)
	}
	if n := srv.Connections(); n > 2+4 {
		t.Errorf("%d connections for 4 concurrent senders, want at most 6", n)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
