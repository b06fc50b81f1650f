package main

import (
	"net/smtp"
	"os"
	"strings"
	"testing"
	"time"
)

// The driver's SMTP server hands the passcode of a message to the box of
// each recipient, whatever the case of the address, and ignores mail
// without one.
func TestMailServerDeliversCodes(t *testing.T) {
	m, err := startMailServer()
	if err != nil {
		t.Fatal(err)
	}
	defer m.close()
	addr := strings.TrimPrefix(m.url(), "smtp://")
	msg := "Subject: Your code\r\nContent-Type: text/plain\r\n\r\nYour code is\r\n\r\n    12345678\r\n\r\nIt expires in 30 minutes.\r\n"
	if err := smtp.SendMail(addr, nil, "noreply@guestlist.test", []string{"Ann@Contoso.example"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	if err := smtp.SendMail(addr, nil, "noreply@guestlist.test", []string{"ann@contoso.example"}, []byte("Subject: hi\r\n\r\nno code here, 42\r\n")); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-m.box("ann@contoso.example"):
		if code != "12345678" {
			t.Errorf("code %q, want 12345678", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no code in the box")
	}
	if n := m.received.Load(); n != 2 {
		t.Errorf("%d messages received, want 2", n)
	}
	select {
	case code := <-m.box("ann@contoso.example"):
		t.Errorf("a second code %q from a message without one", code)
	default:
	}
}

// The process's own CPU time and memory read from /proc are plausible.
func TestProcReadings(t *testing.T) {
	cpu, err := cpuOf(os.Getpid())
	if err != nil || cpu < 0 {
		t.Fatalf("cpuOf: %v %v", cpu, err)
	}
	rss, hwm := memOf(os.Getpid())
	if rss <= 0 || hwm < rss {
		t.Errorf("RSS %d KiB, peak %d KiB", rss, hwm)
	}
}
