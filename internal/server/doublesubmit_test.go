package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"guestlist/internal/servertest"
)

// TestDoubleSubmittedAccept: the same browser posting Accept twice at once
// (a double click, or a retry whose first try went through) redeems once;
// the other request shows where the flow now stands — signed in — rather
// than an error.
func TestDoubleSubmittedAccept(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam")
	for round := range 6 {
		email := "double" + string(rune('a'+round)) + "@contoso.example"
		inv := s.Invite(t, tn, email, nil)
		g := s.NewGuest("en")
		verified := g.Redeem(t, inv["inviteRedeemUrl"].(string), email, 1)
		if !strings.HasSuffix(verified.Location, "/signin/consent") {
			t.Fatalf("after the code: %d %q", verified.Status, verified.Location)
		}
		base := servertest.TenantBase(verified.Location)
		var wg sync.WaitGroup
		pages := make([]servertest.Page, 2)
		start := make(chan struct{})
		for i := range pages {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				pages[i] = g.Post(t, base+"/signin/consent", url.Values{"action": {"accept"}})
			}()
		}
		close(start)
		wg.Wait()
		landed := 0
		for _, p := range pages {
			switch {
			case p.Status == http.StatusSeeOther && p.Location == "https://app.example/welcome":
				landed++
			case p.Status == http.StatusOK && strings.Contains(p.Body, "You&#39;re signed in"):
			default:
				t.Fatalf("round %d: a double-submitted accept answered %d %q: %.300s", round, p.Status, p.Location, p.Body)
			}
		}
		if landed == 0 {
			t.Fatalf("round %d: neither accept landed at the redirect URL", round)
		}
		status, u := s.Do(t, "GET", "/v1.0/users/"+inv["invitedUser"].(map[string]any)["id"].(string)+"?$select=identities,externalUserState", tn.Token, nil)
		if status != http.StatusOK || len(u["identities"].([]any)) != 1 || u["externalUserState"] != "Accepted" {
			t.Fatalf("round %d: user after a double accept: %d %v", round, status, u)
		}
	}
}
