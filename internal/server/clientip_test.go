package server_test

import (
	"net/http"
	"net/url"
	"testing"

	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

// lookupBudget is the sign-in page's hourly budget of typed addresses per
// client (redeem's lookupLimit).
const lookupBudget = 60

// typeAddresses has a browser behind forwardedFor type n addresses on the
// tenant's sign-in page and returns the last answer's status.
func typeAddresses(t *testing.T, g *servertest.Guest, tenantID, forwardedFor string, n int) int {
	t.Helper()
	g.Header.Set("X-Forwarded-For", forwardedFor)
	var status int
	for range n {
		status = g.Post(t, "/"+tenantID+"/signin", url.Values{"email": {"nobody@elsewhere.example"}}).Status
	}
	return status
}

// Behind a trusted load balancer every guest arrives from the balancer's
// address; the throttles must count the client it names, or one stranger
// uses up the budget of every guest of the tenant (point 6).
func TestThrottlesCountTheClientBehindTrustedProxies(t *testing.T) {
	s := servertest.New(t, servertest.Options{Config: func(c *server.Config) {
		c.TrustedProxies = []string{"127.0.0.1/32", "::1"}
	}})
	tn := s.CreateTenant(t, "Fabrikam")
	stranger, guest := s.NewGuest("en"), s.NewGuest("en")

	if st := typeAddresses(t, stranger, tn.ID, "198.51.100.1", lookupBudget+1); st != http.StatusTooManyRequests {
		t.Fatalf("the stranger's %d-th lookup answered %d, want 429", lookupBudget+1, st)
	}
	if st := typeAddresses(t, guest, tn.ID, "198.51.100.2", 1); st == http.StatusTooManyRequests {
		t.Fatal("another client behind the same proxy was throttled by the stranger's budget")
	}
	// A client that forges a left-hand hop is still counted by the hop
	// the proxy appended.
	if st := typeAddresses(t, stranger, tn.ID, "203.0.113.50, 198.51.100.1", 1); st != http.StatusTooManyRequests {
		t.Fatalf("a forged X-Forwarded-For escaped the throttle: %d", st)
	}

	// IPv6 clients are counted by /64: rotating the interface id does not
	// buy a new budget, another /64 has its own.
	if st := typeAddresses(t, stranger, tn.ID, "2001:db8:1:2::1", lookupBudget); st == http.StatusTooManyRequests {
		t.Fatal("throttled before the budget was used")
	}
	if st := typeAddresses(t, stranger, tn.ID, "2001:db8:1:2:ffff::9", 1); st != http.StatusTooManyRequests {
		t.Fatalf("another address of the same /64 answered %d, want 429", st)
	}
	if st := typeAddresses(t, guest, tn.ID, "2001:db8:1:3::1", 1); st == http.StatusTooManyRequests {
		t.Fatal("a different /64 was throttled")
	}
}

// Without trusted proxies the headers are the client's own words: they
// must not buy a fresh budget.
func TestForwardedHeadersAreIgnoredFromUntrustedPeers(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam")
	stranger := s.NewGuest("en")
	typeAddresses(t, stranger, tn.ID, "198.51.100.1", lookupBudget)
	if st := typeAddresses(t, stranger, tn.ID, "198.51.100.99", 1); st != http.StatusTooManyRequests {
		t.Fatalf("a forged X-Forwarded-For from an untrusted peer reset the throttle: %d", st)
	}
}
