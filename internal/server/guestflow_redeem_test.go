package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

// verifiedPair opens inv's link in two browsers and takes each through its
// own code, up to the consent page.
func verifiedPair(t *testing.T, s *servertest.Server, inv invitation) (base string, gs [2]*servertest.Guest) {
	t.Helper()
	for i := range gs {
		gs[i] = s.NewGuest("en")
		base = openLink(t, gs[i], inv.link)
	}
	for i, g := range gs {
		if i > 0 {
			s.Clock.Advance(30 * time.Second) // the resend throttle is per address
		}
		mustSend(t, g, base, false)
		wantConsentNext(t, enter(t, g, base, waitCode(t, s, inv.email, i+1)), base)
		if c := g.Get(t, base+"/signin/consent"); c.Status != http.StatusOK || !strings.Contains(c.Body, `value="accept"`) {
			t.Fatalf("browser %d: consent page %d\n%.500s", i, c.Status, c.Body)
		}
	}
	return base, gs
}

// TestConcurrentRedemption: two browsers that both proved the address
// accept at the same moment; exactly one redeems, the other is told the
// invitation was already accepted, and the guest has one identity (R6).
// Repeated so the two requests get a chance to interleave.
func TestConcurrentRedemption(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	for run := range 10 {
		inv := invite(t, s, tn, fmt.Sprintf("racer%d@contoso.com", run))
		base, gs := verifiedPair(t, s, inv)

		var pages [2]servertest.Page
		var ready, done sync.WaitGroup
		start := make(chan struct{})
		for i, g := range gs {
			ready.Add(1)
			done.Add(1)
			go func() {
				defer done.Done()
				ready.Done()
				<-start
				pages[i] = g.Post(goroutineTB{t}, base+"/signin/consent", url.Values{"action": {"accept"}})
			}()
		}
		ready.Wait()
		close(start)
		done.Wait()
		if t.Failed() {
			t.FailNow()
		}

		won, lost := 0, 0
		for i, p := range pages {
			switch {
			case p.Status == http.StatusSeeOther && p.Location == redirectURL:
				won++
			case p.Status == http.StatusConflict && strings.Contains(p.Body, textRedeemed) &&
				strings.Contains(p.Body, `id="continue" href="`+redirectURL+`"`):
				lost++
			default:
				t.Errorf("run %d browser %d: %d to %q, want the redirect or the already-accepted page\n%.800s", run, i, p.Status, p.Location, p.Body)
			}
		}
		if won != 1 || lost != 1 {
			t.Fatalf("run %d: %d browsers redeemed and %d were told it was already accepted, want 1 and 1", run, won, lost)
		}
		wantOneMailIdentity(t, user(t, s, tn, inv.userID), inv.email)
	}
}

// TestLinkReopenedInAnotherBrowser: after redemption the link still asks
// whoever opens it to prove the address; that person goes straight to the
// redirect URL without a second consent, and no second identity comes of
// it (R6).
func TestLinkReopenedInAnotherBrowser(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	inv := invite(t, s, tn, "ivan@contoso.com")
	first := s.NewGuest("en")
	base := openLink(t, first, inv.link)
	mustSend(t, first, base, false)
	wantConsentNext(t, enter(t, first, base, waitCode(t, s, inv.email, 1)), base)
	if p := first.Post(t, base+"/signin/consent", url.Values{"action": {"accept"}}); p.Location != redirectURL {
		t.Fatalf("first redemption: %d to %q", p.Status, p.Location)
	}
	before := user(t, s, tn, inv.userID)
	wantOneMailIdentity(t, before, inv.email)

	s.Clock.Advance(time.Hour)
	second := s.NewGuest("en")
	base2 := openLink(t, second, inv.link) // the Send code page, not a session
	mustSend(t, second, base2, false)
	p := enter(t, second, base2, waitCode(t, s, inv.email, 2))
	if p.Status != http.StatusSeeOther || p.Location != redirectURL {
		t.Fatalf("code in the second browser: %d to %q, want straight to %s (no consent)\n%.500s", p.Status, p.Location, redirectURL, p.Body)
	}
	if c := second.Get(t, base2+"/signin/consent"); strings.Contains(c.Body, `value="accept"`) {
		t.Fatalf("the second browser is offered consent again:\n%s", c.Body)
	}

	after := user(t, s, tn, inv.userID)
	wantOneMailIdentity(t, after, inv.email)
	if after["externalUserStateChangeDateTime"] != before["externalUserStateChangeDateTime"] {
		t.Errorf("externalUserStateChangeDateTime moved from %v to %v: the guest was redeemed again",
			before["externalUserStateChangeDateTime"], after["externalUserStateChangeDateTime"])
	}
}

// TestSessionSkipsPasscode: a browser that redeemed goes straight through
// the link again without a code while its session lasts (24 h, or
// --session-ttl), and needs a code once it has ended (R24).
func TestSessionSkipsPasscode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ttl  time.Duration // configured; 0 = default
		want time.Duration // the session's lifetime
	}{
		{"default 24h", 0, 24 * time.Hour},
		{"session-ttl 2h", 2 * time.Hour, 2 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, tn := newFabrikam(t, withConfig(func(c *server.Config) { c.SessionTTL = tc.ttl }))
			inv := invite(t, s, tn, "judy@contoso.com")
			g := s.NewGuest("en")
			base := openLink(t, g, inv.link)
			mustSend(t, g, base, false)
			wantConsentNext(t, enter(t, g, base, waitCode(t, s, inv.email, 1)), base)
			if p := g.Post(t, base+"/signin/consent", url.Values{"action": {"accept"}}); p.Location != redirectURL {
				t.Fatalf("redemption: %d to %q", p.Status, p.Location)
			}

			s.Clock.Advance(tc.want - time.Minute)
			if p := g.Get(t, inv.link); p.Status != http.StatusSeeOther || p.Location != redirectURL {
				t.Fatalf("link reopened %s into the session: %d to %q, want straight to %s", tc.want-time.Minute, p.Status, p.Location, redirectURL)
			}
			if n := codesMailed(t, s, inv.email); n != 1 {
				t.Fatalf("%d passcode mails, want 1: the session should spare a code", n)
			}

			s.Clock.Advance(2 * time.Minute)
			base = openLink(t, g, inv.link) // the Send code page again
			mustSend(t, g, base, false)
			p := enter(t, g, base, waitCode(t, s, inv.email, 2))
			if p.Status != http.StatusSeeOther || p.Location != redirectURL {
				t.Fatalf("code after the session ended: %d to %q\n%.500s", p.Status, p.Location, p.Body)
			}
		})
	}
}
