package smtptest

import (
	"context"
	"errors"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

const rawMultipart = "From: a@example.com\r\n" +
	"To: b@example.com\r\n" +
	"Subject: =?UTF-8?q?V=C3=A4lkommen?=\r\n" +
	"Message-ID: <id-1@example.com>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=outer\r\n" +
	"\r\n" +
	"--outer\r\n" +
	"Content-Type: multipart/alternative; boundary=inner\r\n" +
	"\r\n" +
	"--inner\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"G=C3=A4st, a long line that is wrapped with a soft line break here =\r\n" +
	"and continues.\r\nSecond line.\r\n" +
	"--inner\r\n" +
	"Content-Type: text/html; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"PHA+R8Okc3Q8\r\nL3A+\r\n" +
	"--inner--\r\n" +
	"--outer\r\n" +
	"Content-Type: application/pdf\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"JVBERi0=\r\n" +
	"--outer--\r\n"

func TestParseDecodesMultipart(t *testing.T) {
	m, err := parse([]byte(rawMultipart))
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Välkommen" || m.MessageID() != "id-1@example.com" {
		t.Errorf("subject %q, message id %q", m.Subject, m.MessageID())
	}
	// The line break before a boundary belongs to the boundary (RFC 2046).
	wantText := "Gäst, a long line that is wrapped with a soft line break here and continues.\nSecond line."
	if m.TextBody != wantText {
		t.Errorf("text %q, want %q", m.TextBody, wantText)
	}
	if m.HTMLBody != "<p>Gäst</p>" {
		t.Errorf("html %q", m.HTMLBody)
	}
}

func TestParsePlain(t *testing.T) {
	m, err := parse([]byte("Subject: hi\r\n\r\nbody\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if m.TextBody != "body\n" || m.HTMLBody != "" {
		t.Errorf("text %q html %q", m.TextBody, m.HTMLBody)
	}
}

func send(addr, to, subject string) error {
	return smtp.SendMail(addr, nil, "from@example.com", []string{to},
		[]byte("To: "+to+"\r\nSubject: "+subject+"\r\n\r\nhello\r\n"))
}

func TestServerCapturesAndWaits(t *testing.T) {
	s := Start(t)
	if !strings.HasPrefix(s.URL(), "smtp://127.0.0.1:") {
		t.Errorf("URL %q", s.URL())
	}
	got := make(chan Message, 1)
	go func() {
		m, err := s.WaitFor(t.Context(), func(m Message) bool { return m.Subject == "second" })
		if err != nil {
			t.Error(err)
		}
		got <- m
	}()
	for _, subj := range []string{"first", "second"} {
		if err := send(s.Addr(), "rcpt@example.com", subj); err != nil {
			t.Fatal(err)
		}
	}
	m := <-got
	if m.From != "from@example.com" || len(m.To) != 1 || m.To[0] != "rcpt@example.com" || m.TextBody != "hello\n" {
		t.Errorf("captured %+v", m)
	}
	if n := len(s.Messages()); n != 2 {
		t.Errorf("%d messages, want 2", n)
	}
	// Messages received before the call count too.
	if m, err := s.WaitFor(t.Context(), nil); err != nil || m.Subject != "first" {
		t.Errorf("WaitFor(nil) = %q, %v", m.Subject, err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.WaitFor(ctx, func(Message) bool { return false }); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitFor on a cancelled context: %v", err)
	}
}

func TestServerFailureAndOutage(t *testing.T) {
	s := Start(t)
	s.SetFailure(451)
	var tp *textproto.Error
	if err := send(s.Addr(), "r@example.com", "x"); !errors.As(err, &tp) || tp.Code != 451 {
		t.Fatalf("with failure 451: %v", err)
	}
	if s.Rejected() != 1 {
		t.Errorf("rejected %d, want 1", s.Rejected())
	}
	s.SetFailure(0)

	addr := s.Addr()
	s.Stop()
	if err := send(addr, "r@example.com", "x"); err == nil {
		t.Fatal("sent while stopped")
	}
	s.Restart()
	if s.Addr() != addr {
		t.Errorf("address after restart %s, want %s", s.Addr(), addr)
	}
	if err := send(addr, "r@example.com", "after"); err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if len(s.Messages()) != 1 {
		t.Errorf("messages %d, want 1", len(s.Messages()))
	}
}

func TestServerAuthAndTLS(t *testing.T) {
	s := Start(t, WithSTARTTLS(), WithAuth("u", "p"))
	if s.TLSConfig() == nil || s.CertPool() == nil {
		t.Fatal("no client TLS configuration")
	}
	dial := func() *smtp.Client {
		c, err := smtp.Dial(s.Addr())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if err := c.StartTLS(s.TLSConfig()); err != nil {
			t.Fatal(err)
		}
		return c
	}
	var tp *textproto.Error
	if err := dial().Auth(smtp.PlainAuth("", "u", "wrong", "127.0.0.1")); !errors.As(err, &tp) || tp.Code != 535 {
		t.Fatalf("wrong password: %v, want 535", err)
	}
	c := dial()
	if err := c.Auth(smtp.PlainAuth("", "u", "p", "127.0.0.1")); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("from@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("r@example.com"); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("Subject: tls\r\n\r\nhi\r\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	m, err := s.WaitFor(ctx, nil)
	if err != nil || !m.TLS || m.User != "u" {
		t.Errorf("message %+v, %v; want TLS and user u", m, err)
	}
}
