package server_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

// A stranger who knows only a guest's address and the tenant's domain must
// not be able to stop the guest from signing in (R23): wrong codes count
// against the stranger's flows and client address, mails to the address
// are bounded per requesting client and overall.

const (
	textClientSends = "You have asked for too many codes. Use the latest code we sent you"
	textCeiling     = "This address has received too many codes in the last hour."
	textFlowLocked  = "Too many wrong codes for this sign-in. Start again"
	textNetLocked   = "Too many wrong codes were entered from your network."
	textWait        = "Please wait"
)

// behindProxy starts Fabrikam behind a trusted load balancer, so each
// browser's X-Forwarded-For names the client the throttles count.
func behindProxy(t *testing.T, log io.Writer) (*servertest.Server, servertest.Tenant) {
	t.Helper()
	o := servertest.Options{Config: func(c *server.Config) { c.TrustedProxies = []string{"127.0.0.1/32", "::1"} }}
	if log != nil {
		o.Logger = slog.New(slog.NewJSONHandler(log, nil))
	}
	return newFabrikam(t, o)
}

// browserAt is a new browser whose requests come from ip.
func browserAt(s *servertest.Server, ip string) *servertest.Guest {
	g := s.NewGuest("en")
	g.Header.Set("X-Forwarded-For", ip)
	return g
}

// startByAddress starts a sign-in by typing email on the tenant's sign-in
// page, as anyone can, and returns the "/{tenant}" base of the flow.
func startByAddress(t *testing.T, g *servertest.Guest, tenantID, email string) string {
	t.Helper()
	p := g.Post(t, "/"+tenantID+"/signin", url.Values{"email": {email}})
	if p.Status != http.StatusSeeOther || !strings.HasSuffix(p.Location, "/signin/passcode") {
		t.Fatalf("type %s: %d to %q, want the Send code page\n%.500s", email, p.Status, p.Location, p.Body)
	}
	return servertest.TenantBase(p.Location)
}

// wrongUntilRefused enters wrong codes in g's flow until the answer is no
// longer "wrong code" and returns that answer and how many were wrong.
func wrongUntilRefused(t *testing.T, g *servertest.Guest, base string) (servertest.Page, int) {
	t.Helper()
	for n := 0; n < 100; n++ {
		p := enter(t, g, base, "00000000")
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, textWrong) {
			return p, n
		}
	}
	t.Fatal("100 wrong codes and never refused")
	return servertest.Page{}, 0
}

// TestStrangerCannotLockGuestOut: a stranger on other browsers and client
// addresses enters dozens of wrong codes and presses Send until every
// throttle stops them; the guest, in their own browser, still gets a code
// and signs in with it. The ceiling on mails to the address holds however
// many clients ask, and the operator's log and metrics say it was reached.
func TestStrangerCannotLockGuestOut(t *testing.T) {
	var logs servertest.LogBuffer
	s, tn := behindProxy(t, &logs)
	alice := invite(t, s, tn, "alice@contoso.com")

	// Wrong codes from two client addresses, three flows, 30 in all: more
	// than the old per-address lock (15) allowed, so that lock would have
	// shut the guest out for the hour.
	wrong := 0
	for _, ip := range []string{"203.0.113.1", "203.0.113.2"} {
		for range 3 {
			st := browserAt(s, ip)
			base := startByAddress(t, st, tn.ID, alice.email)
			mustSend(t, st, base, false)
			for range 5 {
				wantRefused(t, enter(t, st, base, "00000000"), http.StatusBadRequest, textWrong)
				wrong++
			}
		}
	}
	// The same stranger keeps pressing Send from the first address: five
	// mails an hour from one client, then refused, with the wait.
	for i := range 3 {
		st := browserAt(s, "203.0.113.1")
		p := pressSend(t, st, startByAddress(t, st, tn.ID, alice.email), false)
		if i < 2 && p.Status != http.StatusSeeOther {
			t.Fatalf("stranger's send #%d from one client: %d, want it mailed (5 per client)", 4+i, p.Status)
		}
		if i == 2 {
			wantRefused(t, p, http.StatusTooManyRequests, textClientSends)
		}
	}

	// The guest, in their own browser, asks for a code and gets it.
	guest := browserAt(s, "198.51.100.7")
	gbase := startByAddress(t, guest, tn.ID, alice.email)
	mustSend(t, guest, gbase, false)
	code := servertest.CodeIn(s.WaitMail(t, alice.email, 1, "from 198.51.100.7."))
	if code == "" {
		t.Fatal("the guest's mail holds no code")
	}

	// Many clients together reach the address's overall ceiling (30 an
	// hour): its inbox takes no more.
	for i := 10; codesMailed(t, s, alice.email) < 30; i++ {
		st := browserAt(s, "192.0.2."+strconv.Itoa(i))
		if p := pressSend(t, st, startByAddress(t, st, tn.ID, alice.email), false); p.Status != http.StatusSeeOther {
			t.Fatalf("send from a fresh client below the ceiling: %d\n%.300s", p.Status, p.Body)
		}
	}
	late := browserAt(s, "192.0.2.200")
	wantRefused(t, pressSend(t, late, startByAddress(t, late, tn.ID, alice.email), false), http.StatusTooManyRequests, textCeiling)
	if n := codesMailed(t, s, alice.email); n != 30 {
		t.Fatalf("%d mails to the address within the hour, want the ceiling of 30", n)
	}
	wantCeilingLogged(t, s, tn.ID, logs.String(), alice.email)

	// The code the guest holds still signs them in, after all of it.
	wantConsentNext(t, enter(t, guest, gbase, code), gbase)
	if wrong < 30 {
		t.Fatalf("the stranger entered %d wrong codes, want at least 30", wrong)
	}
}

// wantCeilingLogged checks the warn record and the counter of a reached
// ceiling: a stable event name, the tenant, a key that is not the address.
func wantCeilingLogged(t *testing.T, s *servertest.Server, tenantID, logs, email string) {
	t.Helper()
	var found bool
	for _, line := range strings.Split(logs, "\n") {
		var rec struct {
			Level, Event, Tenant string
			AddressKey           string `json:"address_key"`
		}
		if json.Unmarshal([]byte(line), &rec) != nil || rec.Event != "otp_address_ceiling" {
			continue
		}
		found = true
		if rec.Level != "WARN" || rec.Tenant != tenantID || rec.AddressKey == "" {
			t.Errorf("ceiling record %s: want level WARN, tenant %s and an address key", line, tenantID)
		}
	}
	if !found {
		t.Errorf("no otp_address_ceiling record in the log:\n%s", logs)
	}
	if strings.Contains(strings.ToLower(logs), strings.ToLower(email)) || strings.Contains(logs, "contoso") {
		t.Errorf("the log names the address:\n%s", logs)
	}
	if m := s.MetricsText(t); !strings.Contains(m, "guestlist_otp_address_ceiling_total 1") {
		t.Errorf("/metrics does not count the ceiling once:\n%s", grepLines(m, "ceiling"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestStrangerIsThrottled: the stranger's own flows and client address
// carry the cost of wrong codes — ten in one flow end that flow ("start
// again"), thirty from one client address stop that client for the hour —
// and one flow gets one mail per 30 s (R23).
func TestStrangerIsThrottled(t *testing.T) {
	s, tn := behindProxy(t, nil)
	alice := invite(t, s, tn, "alice@contoso.com")
	bob := invite(t, s, tn, "bob@contoso.com")
	const ip = "203.0.113.9"

	st := browserAt(s, ip)
	base := startByAddress(t, st, tn.ID, alice.email)
	mustSend(t, st, base, false)
	wantRefused(t, pressSend(t, st, base, true), http.StatusTooManyRequests, textWait)
	p, n := wrongUntilRefused(t, st, base)
	wantRefused(t, p, http.StatusBadRequest, textExpired) // 5 wrong void the code
	s.Clock.Advance(30 * time.Second)
	mustSend(t, st, base, true) // a new code, the old one is void
	p, m := wrongUntilRefused(t, st, base)
	wantRefused(t, p, http.StatusTooManyRequests, textFlowLocked)
	if n != 5 || m != 5 {
		t.Fatalf("wrong codes before refusal: %d then %d, want 5 (void) then 5 (flow's 10)", n, m)
	}

	// More flows from the same client address, for two addresses: the
	// client's 30th wrong code is its last within the hour.
	total := n + m
	for _, email := range []string{alice.email, alice.email, bob.email, bob.email} {
		b := browserAt(s, ip)
		fb := startByAddress(t, b, tn.ID, email)
		mustSend(t, b, fb, false)
		p, k := wrongUntilRefused(t, b, fb)
		total += k
		if total >= 30 {
			wantRefused(t, p, http.StatusTooManyRequests, textNetLocked)
			break
		}
	}
	if total != 30 {
		t.Fatalf("the client entered %d wrong codes, want 30 before it was stopped", total)
	}

	// Another client is not affected: bob signs in from home.
	home := browserAt(s, "198.51.100.20")
	hb := startByAddress(t, home, tn.ID, bob.email)
	mustSend(t, home, hb, false)
	wantConsentNext(t, enter(t, home, hb, servertest.CodeIn(s.WaitMail(t, bob.email, 1, "from 198.51.100.20."))), hb)

	// An hour later the stranger's client may try again.
	s.Clock.Advance(time.Hour)
	again := browserAt(s, ip)
	ab := startByAddress(t, again, tn.ID, alice.email)
	mustSend(t, again, ab, false)
	wantRefused(t, enter(t, again, ab, "00000000"), http.StatusBadRequest, textWrong)
}
