package main

import (
	"bytes"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/emersion/go-smtp"
)

// mailServer is the SMTP server the guestlist processes deliver to: it
// accepts every message and hands each passcode to the guest waiting for
// it, as a mailbox would.
type mailServer struct {
	srv      *smtp.Server
	ln       net.Listener
	mu       sync.Mutex
	boxes    map[string]chan string
	received atomic.Int64
}

// codeLine is a passcode on a line of its own, as the passcode mail's
// text part writes it (the HTML part has it inside markup).
var codeLine = regexp.MustCompile(`(?m)^\s*(\d{6,10})\s*\r?$`)

func startMailServer() (*mailServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	m := &mailServer{ln: ln, boxes: map[string]chan string{}}
	m.srv = smtp.NewServer(m)
	m.srv.Domain = "localhost"
	m.srv.MaxMessageBytes = 1 << 20
	m.srv.MaxRecipients = 10
	go m.srv.Serve(ln)
	return m, nil
}

func (m *mailServer) url() string { return "smtp://" + m.ln.Addr().String() }

func (m *mailServer) close() { m.srv.Close() }

// box is the mailbox of addr: passcodes arrive on it in order.
func (m *mailServer) box(addr string) chan string {
	addr = strings.ToLower(addr)
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.boxes[addr]
	if !ok {
		b = make(chan string, 8)
		m.boxes[addr] = b
	}
	return b
}

// NewSession implements smtp.Backend.
func (m *mailServer) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &mailSession{m: m}, nil
}

type mailSession struct {
	m  *mailServer
	to []string
}

func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		return err
	}
	s.m.received.Add(1)
	if c := codeLine.FindSubmatch(buf.Bytes()); c != nil {
		for _, to := range s.to {
			select {
			case s.m.box(to) <- string(c[1]):
			default: // nobody reads this box any more
			}
		}
	}
	s.to = nil
	return nil
}

func (s *mailSession) Reset()        { s.to = nil }
func (s *mailSession) Logout() error { return nil }
