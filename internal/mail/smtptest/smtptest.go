// Package smtptest runs a real SMTP server on loopback for tests. It
// captures every message it accepts, decoded for assertions, and can
// require STARTTLS, implicit TLS and AUTH, reject mail with a chosen reply
// code, or stop listening to simulate an outage.
package smtptest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Option configures a Server.
type Option func(*Server)

// WithAuth requires SMTP AUTH PLAIN with the given credentials before
// MAIL FROM. Without TLS the server offers AUTH over plaintext, which
// clients accept on loopback only.
func WithAuth(user, password string) Option {
	return func(s *Server) { s.user, s.password = user, password }
}

// WithSTARTTLS offers STARTTLS with a self-signed certificate.
func WithSTARTTLS() Option {
	return func(s *Server) { s.startTLS = true }
}

// WithImplicitTLS makes the server speak TLS from the first byte (smtps).
func WithImplicitTLS() Option {
	return func(s *Server) { s.implicitTLS = true }
}

// Server is an SMTP server on 127.0.0.1 that captures messages.
type Server struct {
	t           testing.TB
	user        string
	password    string
	startTLS    bool
	implicitTLS bool
	serverTLS   *tls.Config
	clientTLS   *tls.Config
	addr        string

	mu       sync.Mutex
	msgs     []Message
	changed  chan struct{} // closed and replaced when a message arrives
	failure  int
	srv      *smtp.Server
	ln       net.Listener
	served   chan struct{} // closed when the running Serve returns
	stopped  bool
	rejected int
	conns    map[*smtp.Conn]bool
}

// Start starts a server on 127.0.0.1 at a free port; it stops when the
// test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{t: t, changed: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	if s.startTLS || s.implicitTLS {
		var err error
		if s.serverTLS, s.clientTLS, err = selfSigned(); err != nil {
			t.Fatalf("smtptest: certificate: %v", err)
		}
	}
	if err := s.listen("127.0.0.1:0"); err != nil {
		t.Fatalf("smtptest: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Addr is the server's host:port; it stays the same across Restart.
func (s *Server) Addr() string { return s.addr }

// URL is the server's address as a guestlist SMTP URL: smtps:// with
// implicit TLS, else smtp://, with the credentials of WithAuth.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.addr}
	if s.implicitTLS {
		u.Scheme = "smtps"
	}
	if s.user != "" {
		u.User = url.UserPassword(s.user, s.password)
	}
	return u.String()
}

// TLSConfig is a client configuration that trusts the server's
// certificate, or nil when the server has no TLS.
func (s *Server) TLSConfig() *tls.Config {
	if s.clientTLS == nil {
		return nil
	}
	return s.clientTLS.Clone()
}

// CertPool holds the server's certificate, or is nil without TLS.
func (s *Server) CertPool() *x509.CertPool {
	if s.clientTLS == nil {
		return nil
	}
	return s.clientTLS.RootCAs
}

// SetFailure makes the server reject every RCPT TO with code (e.g. 451
// for a temporary failure, 550 for an unknown mailbox) until it is called
// again with 0.
func (s *Server) SetFailure(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failure = code
}

// Rejected counts the RCPT TO commands refused because of SetFailure.
func (s *Server) Rejected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rejected
}

// Connections counts the SMTP connections that began a session.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Messages returns the messages received so far, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// WaitFor returns the first message, received before or during the call,
// for which match returns true (any message if match is nil). It returns
// ctx's error if none arrives before ctx ends.
func (s *Server) WaitFor(ctx context.Context, match func(Message) bool) (Message, error) {
	seen := 0
	for {
		s.mu.Lock()
		msgs, changed := s.msgs[seen:], s.changed
		seen = len(s.msgs)
		s.mu.Unlock()
		for _, m := range msgs {
			if match == nil || match(m) {
				return m, nil
			}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return Message{}, fmt.Errorf("smtptest: no matching message: %w", ctx.Err())
		}
	}
}

// Stop closes the listener and every open connection, as a crashed or
// unreachable server would. Restart listens again on the same address.
func (s *Server) Stop() {
	s.mu.Lock()
	srv, ln, served := s.srv, s.ln, s.served
	stopped := s.stopped
	s.stopped = true
	s.mu.Unlock()
	if stopped {
		return
	}
	// Serve registers its listener only once it runs; close it here too
	// in case Stop comes first.
	_ = srv.Close()
	_ = ln.Close()
	<-served
}

// Restart listens again on the address the server had before Stop.
func (s *Server) Restart() {
	s.t.Helper()
	if err := s.listen(s.addr); err != nil {
		s.t.Fatalf("smtptest: restart: %v", err)
	}
}

func (s *Server) listen(addr string) error {
	var l net.Listener
	var err error
	if s.implicitTLS {
		l, err = tls.Listen("tcp", addr, s.serverTLS)
	} else {
		l, err = net.Listen("tcp", addr)
	}
	if err != nil {
		return err
	}
	srv := smtp.NewServer(&backend{s: s})
	srv.Domain = "localhost"
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.MaxRecipients = 50
	// Errors after Stop (closed connections) would reach a finished test.
	srv.ErrorLog = discardLogger{}
	if s.startTLS {
		srv.TLSConfig = s.serverTLS
	}
	// Plaintext AUTH only where TLS is not offered at all; with STARTTLS
	// the client must upgrade first, as real submission servers demand.
	srv.AllowInsecureAuth = !s.startTLS

	served := make(chan struct{})
	s.mu.Lock()
	s.addr, s.srv, s.ln, s.served, s.stopped = l.Addr().String(), srv, l, served, false
	s.mu.Unlock()
	go func() {
		defer close(served)
		_ = srv.Serve(l)
	}()
	return nil
}

func (s *Server) add(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
}

// failRcpt returns the configured failure, if any.
func (s *Server) failRcpt() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failure == 0 {
		return nil
	}
	s.rejected++
	return &smtp.SMTPError{
		Code:         s.failure,
		EnhancedCode: smtp.EnhancedCode{s.failure / 100, 0, 0},
		Message:      fmt.Sprintf("smtptest: rejected with %d", s.failure),
	}
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}

type backend struct{ s *Server }

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	b.s.mu.Lock()
	if b.s.conns == nil {
		b.s.conns = map[*smtp.Conn]bool{}
	}
	b.s.conns[c] = true // go-smtp starts a new session after STARTTLS
	b.s.mu.Unlock()
	return &session{s: b.s, conn: c}, nil
}

// session is one SMTP transaction's state.
type session struct {
	s      *Server
	conn   *smtp.Conn
	authed string
	from   string
	to     []string
}

var _ smtp.AuthSession = (*session)(nil)

func (ss *session) AuthMechanisms() []string {
	if ss.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || ss.s.user == "" {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, user, password string) error {
		if user != ss.s.user || password != ss.s.password || (identity != "" && identity != user) {
			return smtp.ErrAuthFailed
		}
		ss.authed = user
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.user != "" && ss.authed == "" {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.s.failRcpt(); err != nil {
		return err
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := ss.conn.TLSConnectionState()
	m, err := parse(data)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0},
			Message: "smtptest: unparsable message: " + err.Error()}
	}
	m.From, m.To, m.TLS, m.User = ss.from, ss.to, isTLS, ss.authed
	ss.s.add(m)
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }
