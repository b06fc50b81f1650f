package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

// TestDevMailboxShowsPasscode: with no SMTP server configured (R50) the
// passcode a guest asks for is readable at /dev/mail and works; the body is
// not scrubbed on "delivery" as it is after a real SMTP send.
func TestDevMailboxShowsPasscode(t *testing.T) {
	s := servertest.New(t, servertest.Options{Config: func(c *server.Config) { c.SMTP = "" }})
	tn := s.CreateTenant(t, "Fabrikam")
	inv := s.Invite(t, tn, "dora@contoso.example", nil)
	g := s.NewGuest("en")
	opened := g.Get(t, inv["inviteRedeemUrl"].(string))
	base := servertest.TenantBase(opened.Location)
	if sent := g.Post(t, base+"/signin/passcode", url.Values{}); sent.Status != http.StatusSeeOther {
		t.Fatalf("send code: %d", sent.Status)
	}
	code := devMailboxCode(t, s.URL, "dora@contoso.example")
	if landed := g.Post(t, base+"/signin/code", url.Values{"code": {code}}); landed.Status != http.StatusSeeOther {
		t.Fatalf("code from the dev mailbox: %d %.300s", landed.Status, landed.Body)
	}
}

var devCodeRE = regexp.MustCompile(`(?m)^\s*(\d{8})\s*$`)

// devMailboxCode polls /dev/mail until the passcode mail to addr is marked
// sent by the worker (bounded by a deadline; each poll is a real request).
func devMailboxCode(t *testing.T, base, addr string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		resp, err := http.Get(base + "/dev/mail?format=json")
		if err != nil {
			t.Fatal(err)
		}
		var msgs []struct {
			Kind, Status, Text string
			To                 []string
		}
		err = json.NewDecoder(resp.Body).Decode(&msgs)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("dev mailbox JSON: %v", err)
		}
		for _, m := range msgs {
			if m.Kind == "passcode" && m.Status == "sent" && len(m.To) == 1 && m.To[0] == addr {
				if c := devCodeRE.FindStringSubmatch(m.Text); c != nil {
					return c[1]
				}
				t.Fatalf("sent passcode mail in the dev mailbox has no code: %q", m.Text)
			}
		}
	}
	t.Fatalf("no sent passcode mail to %s in the dev mailbox", addr)
	return ""
}
