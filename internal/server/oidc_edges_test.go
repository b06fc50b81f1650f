package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// TestPromptNoneUnassigned: a silent request (prompt=none) must never show
// a page (OpenID Connect Core 3.1.2.1): for a signed-in guest who is not
// assigned to an application that requires assignment it answers the
// application with login_required instead of the no-access page.
func TestPromptNoneUnassigned(t *testing.T) {
	x := newSignedIn(t)
	s := x.s
	closed := newRelyingParty(t, s, x.tn, registerApp(t, s, x.tn, "https://closed.example/callback"))
	requireAssignment(t, s, x.tn, closed.clientID, true)
	a := closed.attempt(param("prompt", "none"))
	q := closed.callback(t, open(t, s, x.g, a.url), a)
	if q.Get("error") != "login_required" || q.Get("code") != "" {
		t.Errorf("prompt=none for an unassigned guest: %v, want error=login_required at the application", q)
	}
}

// TestDeclinedGuestHasNoPortal: a guest who proved the address but
// declined the invitation has a session, yet neither the portal nor a
// direct link treats them as signed in until they accept (R5).
func TestDeclinedGuestHasNoPortal(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam")
	app := registerApp(t, s, tn, "https://portal.example/callback", "dana@contoso.example")
	inv := s.Invite(t, tn, "dana@contoso.example", nil)
	g := s.NewGuest("en")
	verified := g.Redeem(t, inv["inviteRedeemUrl"].(string), "dana@contoso.example", 1)
	base := servertest.TenantBase(verified.Location)
	declined := g.Post(t, base+"/signin/consent", url.Values{"action": {"decline"}})
	if declined.Status != http.StatusOK || !strings.Contains(declined.Body, "Invitation declined") {
		t.Fatalf("decline: %d %.300s", declined.Status, declined.Body)
	}
	portal := g.Get(t, base+"/apps")
	if portal.Status != http.StatusOK || !strings.Contains(portal.Body, `name="email"`) || strings.Contains(portal.Body, "Project portal") {
		t.Errorf("portal after declining: %d, want the sign-in page and no applications:\n%.500s", portal.Status, portal.Body)
	}
	direct := g.Get(t, base+"/apps/"+app.clientID)
	if direct.Status != http.StatusOK || !strings.Contains(direct.Body, `name="email"`) {
		t.Errorf("direct link after declining: %d %q, want the sign-in page", direct.Status, direct.Location)
	}
}
