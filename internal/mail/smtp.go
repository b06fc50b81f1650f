package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"

	"guestlist/internal/core"
)

// security is how an SMTPSender protects the connection.
type security int

const (
	startTLSOpportunistic security = iota // smtp://: STARTTLS when offered
	startTLSRequired                      // smtp+starttls://
	implicitTLS                           // smtps:// (RFC 8314)
)

// Default ports: submission (RFC 6409) and submissions (RFC 8314).
const (
	portSubmission  = 587
	portSubmissions = 465
)

// defaultTimeout bounds connecting and each SMTP command.
const defaultTimeout = 30 * time.Second

// SMTPSender delivers outbox messages to an SMTP submission server with
// go-mail, reusing sessions between messages. It is safe for concurrent
// use.
type SMTPSender struct {
	mu        sync.Mutex
	idleConns []*smtpConn
	closed    bool

	host       string
	port       int
	security   security
	user, pass string
	from       string
	fromDomain string
	tls        *tls.Config
	timeout    time.Duration
}

// SMTPOption configures an SMTPSender.
type SMTPOption func(*SMTPSender)

// WithTLSConfig sets the TLS client configuration, e.g. RootCAs for a
// server with a private certificate. An empty ServerName is set to the
// URL's host.
func WithTLSConfig(c *tls.Config) SMTPOption {
	return func(s *SMTPSender) {
		if c != nil {
			s.tls = c.Clone()
		}
	}
}

// WithDialTimeout bounds connecting and each SMTP command (default 30s).
func WithDialTimeout(d time.Duration) SMTPOption {
	return func(s *SMTPSender) {
		if d > 0 {
			s.timeout = d
		}
	}
}

// NewSMTPSender returns a Sender for the server at rawURL, sending from
// the address from. URL forms:
//
//	smtp://[user:pass@]host[:port]           STARTTLS when the server offers it
//	smtp+starttls://[user:pass@]host[:port]  STARTTLS required
//	smtps://[user:pass@]host[:port]          implicit TLS
//
// The port defaults to 587 (465 for smtps). With a user, the sender
// authenticates (SCRAM, PLAIN or LOGIN, whichever the server offers);
// PLAIN and LOGIN are only used over TLS or to a loopback server. Errors
// never repeat the URL, which may hold a password.
func NewSMTPSender(rawURL, from string, opts ...SMTPOption) (*SMTPSender, error) {
	s, err := parseSMTPURL(rawURL)
	if err != nil {
		return nil, err
	}
	addr, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("mail: invalid from address %q: %w", from, err)
	}
	s.from = addr.String()
	s.fromDomain = addr.Address[strings.LastIndexByte(addr.Address, '@')+1:]
	s.timeout = defaultTimeout
	for _, o := range opts {
		o(s)
	}
	if s.tls == nil {
		s.tls = &tls.Config{}
	}
	if s.tls.ServerName == "" {
		s.tls.ServerName = s.host
	}
	if s.tls.MinVersion == 0 {
		s.tls.MinVersion = tls.VersionTLS12
	}
	return s, nil
}

func parseSMTPURL(rawURL string) (*SMTPSender, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error repeats the whole URL, password included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("mail: invalid SMTP URL: %w", err)
	}
	s := &SMTPSender{}
	switch u.Scheme {
	case "smtp":
		s.security, s.port = startTLSOpportunistic, portSubmission
	case "smtp+starttls":
		s.security, s.port = startTLSRequired, portSubmission
	case "smtps":
		s.security, s.port = implicitTLS, portSubmissions
	default:
		return nil, fmt.Errorf("mail: invalid SMTP URL: scheme %q is not smtp, smtp+starttls or smtps", u.Scheme)
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return nil, errors.New("mail: invalid SMTP URL: want scheme://[user:pass@]host[:port]")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("mail: invalid SMTP URL: path, query and fragment are not allowed")
	}
	s.host = u.Hostname()
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("mail: invalid SMTP URL: port %q", p)
		}
		s.port = n
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
		if s.user == "" {
			return nil, errors.New("mail: invalid SMTP URL: empty user name")
		}
	}
	return s, nil
}

// Send delivers m, on an idle connection from an earlier message when
// there is one (a session costs a TCP handshake, EHLO, usually STARTTLS
// and AUTH: more than the message itself). A 5xx reply to RCPT TO or to
// the message data is permanent (the server refuses this message).
// Everything else is temporary, including 5xx replies while setting up
// the session (STARTTLS, AUTH 535, MAIL FROM): those concern our
// configuration, not the message, and failing every queued message
// because a password was rotated would lose mail that a fixed
// configuration delivers (SPEC R52).
func (s *SMTPSender) Send(ctx context.Context, m *core.OutboxMessage) error {
	msg, err := s.message(m)
	if err != nil {
		return Permanent(fmt.Errorf("mail: message %s: %w", m.ID, err))
	}
	for {
		sc, stop := s.idle(ctx)
		reused := sc != nil
		if !reused {
			if sc, stop, err = s.dial(ctx); err != nil {
				return withPublic(classify(fmt.Errorf("mail: smtp %s: %w", s.addr(), err)))
			}
		}
		err := sc.c.Send(msg)
		alive := stop() // false: ctx ended and closed the connection
		if err == nil || delivered(err) {
			if err == nil && alive {
				s.release(sc)
			} else {
				_ = sc.conn.Close()
			}
			return nil
		}
		_ = sc.conn.Close()
		// An idle connection the server has since closed fails its
		// check (NOOP) before anything of the message is sent: take
		// another. The idle list is finite, so this ends.
		if reused && connCheckFailed(err) && ctx.Err() == nil {
			continue
		}
		return withPublic(classify(fmt.Errorf("mail: smtp %s: %w", s.addr(), err)))
	}
}

func (s *SMTPSender) addr() string { return net.JoinHostPort(s.host, strconv.Itoa(s.port)) }

// smtpConn is an open, authenticated SMTP session.
type smtpConn struct {
	c         *gomail.Client
	conn      net.Conn
	idleSince time.Time
}

// Idle sessions: at most maxIdle are kept, none longer than idleTimeout
// (submission servers close idle sessions after a few minutes, RFC 5321
// §4.5.3.2.7; a shorter bound keeps us from finding them closed).
const (
	maxIdle     = DefaultConcurrency
	idleTimeout = 30 * time.Second
)

// idle takes the most recently used idle session, with its connection
// closed when ctx ends; stop undoes that and reports whether it had not
// happened yet.
func (s *SMTPSender) idle(ctx context.Context) (*smtpConn, func() bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.idleConns) > 0 {
		sc := s.idleConns[len(s.idleConns)-1]
		s.idleConns = s.idleConns[:len(s.idleConns)-1]
		if time.Since(sc.idleSince) > idleTimeout {
			go func() { _ = sc.c.Close() }() // QUIT, politely
			continue
		}
		return sc, context.AfterFunc(ctx, func() { _ = sc.conn.Close() })
	}
	return nil, nil
}

// release keeps sc for the next message, or ends it when enough are kept.
func (s *SMTPSender) release(sc *smtpConn) {
	sc.idleSince = time.Now()
	s.mu.Lock()
	if len(s.idleConns) < maxIdle && !s.closed {
		s.idleConns = append(s.idleConns, sc)
		sc = nil
	}
	s.mu.Unlock()
	if sc != nil {
		_ = sc.c.Close()
	}
}

// Close ends the idle sessions (QUIT). Sends after Close still work, on
// sessions of their own.
func (s *SMTPSender) Close() error {
	s.mu.Lock()
	conns := s.idleConns
	s.idleConns, s.closed = nil, true
	s.mu.Unlock()
	for _, sc := range conns {
		_ = sc.c.Close()
	}
	return nil
}

// dial opens a session (TLS and AUTH as configured) whose connection is
// closed when ctx ends; stop undoes that and reports whether it had not
// happened yet.
func (s *SMTPSender) dial(ctx context.Context) (*smtpConn, func() bool, error) {
	sc := &smtpConn{}
	var stop func() bool
	c, err := gomail.NewClient(s.host, s.clientOptions(ctx, sc, &stop)...)
	if err != nil {
		return nil, nil, err
	}
	if err := c.DialWithContext(ctx); err != nil {
		if stop != nil {
			stop()
		}
		if sc.conn != nil {
			_ = sc.conn.Close()
		}
		return nil, nil, err
	}
	sc.c = c
	return sc, stop, nil
}

// delivered: the server accepted the message and only the RSET after it
// failed; sending it again would deliver it twice.
func delivered(err error) bool {
	var se *gomail.SendError
	return errors.As(err, &se) && se.Reason == gomail.ErrSMTPReset
}

// connCheckFailed: the session was found closed before the message began.
func connCheckFailed(err error) bool {
	var se *gomail.SendError
	return errors.As(err, &se) && se.Reason == gomail.ErrConnCheck
}

func (s *SMTPSender) clientOptions(ctx context.Context, sc *smtpConn, stop *func() bool) []gomail.Option {
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(s.timeout),
		gomail.WithTLSConfig(s.tls),
		gomail.WithDialContextFunc(s.dialFunc(ctx, sc, stop)),
	}
	switch s.security {
	case implicitTLS:
		opts = append(opts, gomail.WithSSL())
	case startTLSRequired:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.user != "" {
		opts = append(opts,
			gomail.WithUsername(s.user), gomail.WithPassword(s.pass),
			gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1,
				gomail.SMTPAuthPlain, gomail.SMTPAuthLogin))
	}
	return opts
}

// dialFunc connects (with TLS for smtps) and closes the connection when
// the send's context ends: go-mail watches the context only while dialing,
// and a shutting-down Worker must not wait for a stalled session.
func (s *SMTPSender) dialFunc(sendCtx context.Context, sc *smtpConn, stop *func() bool) gomail.DialContextFunc {
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		conn, err := d.DialContext(ctx, network, s.addr())
		if err != nil {
			return nil, err
		}
		if s.security == implicitTLS {
			tc := tls.Client(conn, s.tls)
			if err := tc.HandshakeContext(ctx); err != nil {
				_ = conn.Close()
				return nil, err
			}
			conn = tc
		}
		sc.conn = conn
		*stop = context.AfterFunc(sendCtx, func() { _ = conn.Close() })
		return conn, nil
	}
}

// message builds the MIME message: text/plain, or multipart/alternative
// with text/html when m has an HTML body.
func (s *SMTPSender) message(m *core.OutboxMessage) (*gomail.Msg, error) {
	if len(m.To) == 0 {
		return nil, errors.New("no recipient")
	}
	id, err := messageID(m, s.fromDomain)
	if err != nil {
		return nil, err
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(s.from); err != nil {
		return nil, err
	}
	if err := msg.To(m.To...); err != nil {
		return nil, err
	}
	if len(m.CC) > 0 {
		if err := msg.Cc(m.CC...); err != nil {
			return nil, err
		}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(id)
	date := m.CreatedAt
	if date.IsZero() {
		date = time.Now()
	}
	msg.SetDateWithValue(date)
	// RFC 3834: keep vacation responders from answering.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.TextBody)
	if m.HTMLBody != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTMLBody)
	}
	return msg, nil
}

// messageID is the Message-ID (RFC 5322 §3.6.4) of every attempt to send
// m, so that copies sent again after a lost acknowledgement or a crash are
// recognisable as one message. An id without a domain gets the sender's.
func messageID(m *core.OutboxMessage, domain string) (string, error) {
	id := strings.TrimSuffix(strings.TrimPrefix(m.MessageID, "<"), ">")
	if id == "" {
		id = m.ID
	}
	if id == "" {
		return "", errors.New("no message id")
	}
	if !strings.Contains(id, "@") {
		id += "@" + domain
	}
	for _, r := range id {
		if r <= ' ' || r > '~' || r == '<' || r == '>' {
			return "", fmt.Errorf("invalid message id %q", id)
		}
	}
	return id, nil
}

// classify marks the failures that retrying cannot fix as Permanent.
func classify(err error) error {
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return err // dial, TLS, EHLO, AUTH: temporary
	}
	switch se.Reason {
	case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
		return Permanent(err)
	case gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
		if !se.IsTemp() && se.ErrorCode() >= 500 {
			return Permanent(err)
		}
	}
	return err
}
