package oidcfed_test

import (
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guestlist/internal/core"
	"guestlist/internal/idp/federation"
	"guestlist/internal/platform"
	"guestlist/internal/servertest"
)

// TestGuestRedeemsWithPartner is the whole story between two guestlist
// deployments: Fabrikam federates with the partner's OpenID provider for
// partner.example and invites Ann; her redeem link sends her to the
// partner, she signs in there with her password, and comes back to
// Fabrikam's callback, which redeems her invitation with the partner as
// her issuer. Each site has its own cookie jar, as two hosts have in one
// browser.
func TestGuestRedeemsWithPartner(t *testing.T) {
	t.Parallel()
	pt := newPartner(t)
	ours := servertest.New(t, servertest.Options{})
	fab := ours.CreateTenant(t, "Fabrikam", "fabrikam.example")
	a := pt.registerAt(t, "Fabrikam guest access", ours.URL+"/"+fab.ID+"/federation/callback")

	key, err := hex.DecodeString(servertest.TestKey)
	if err != nil {
		t.Fatal(err)
	}
	ring, err := platform.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	now := ours.Clock.Now()
	p := &core.IdentityProvider{TenantID: fab.ID, ID: "3c0d9a52-7a4e-4d5b-9a52-1b2c3d4e5f60", Kind: core.ProviderOIDC,
		DisplayName: "Partner", Domains: []string{"partner.example"},
		OIDC:      core.OIDCConfig{ClientID: a.clientID, Issuer: pt.issuer},
		CreatedAt: now, UpdatedAt: now}
	if p.ClientSecret, err = ring.Seal(a.secret, federation.SecretAAD(p.TenantID, p.ID)); err != nil {
		t.Fatal(err)
	}
	if err := ours.App.Store.CreateIdentityProvider(t.Context(), p); err != nil {
		t.Fatalf("store the provider: %v", err)
	}
	inv := ours.Invite(t, fab, annEmail, nil)
	link, _ := inv["inviteRedeemUrl"].(string)
	user, _ := inv["invitedUser"].(map[string]any)
	uid, _ := user["id"].(string)

	g := ours.NewGuest("en")
	toPartner := onSite(t, ours, g, g.Get(t, link))
	if !strings.HasPrefix(toPartner.Location, pt.s.URL+"/") {
		t.Fatalf("the redeem link leads to %d %q, want the partner\n%.600s", toPartner.Status, toPartner.Location, toPartner.Body)
	}
	back := pt.annSignsIn(t, toPartner.Location)
	if !strings.HasPrefix(back.Location, ours.URL+"/"+fab.ID+"/federation/callback?") {
		t.Fatalf("the partner sends Ann to %q, want Fabrikam's callback", back.Location)
	}
	end := onSite(t, ours, g, g.Get(t, back.Location))
	if strings.HasSuffix(end.Location, "/signin/consent") || strings.Contains(end.Body, `name="action"`) {
		base := servertest.TenantBase(back.Location)
		end = onSite(t, ours, g, g.Post(t, base+"/signin/consent", url.Values{"action": {"accept"}}))
	}
	if end.Location != "https://app.example/welcome" {
		t.Fatalf("after the partner: %d to %q, want the invitation's redirect URL\n%.800s", end.Status, end.Location, end.Body)
	}

	var got struct {
		ExternalUserState string `json:"externalUserState"`
		Identities        []struct {
			SignInType string `json:"signInType"`
			Issuer     string `json:"issuer"`
		} `json:"identities"`
	}
	if status := ours.DoJSON(t, "GET", "/v1.0/users/"+uid+"?$select=externalUserState,identities", fab.Token, nil, &got); status != http.StatusOK {
		t.Fatalf("GET user: %d", status)
	}
	if got.ExternalUserState != "Accepted" || !hasIssuer(got.Identities, pt.issuer) {
		t.Errorf("Ann after redeeming: %+v, want Accepted with an identity issued by %s", got, pt.issuer)
	}
}

func hasIssuer(ids []struct {
	SignInType string `json:"signInType"`
	Issuer     string `json:"issuer"`
}, issuer string) bool {
	for _, id := range ids {
		if id.Issuer == issuer {
			return true
		}
	}
	return false
}

// onSite follows redirects while they stay on s and returns the first
// page, or the redirect that leaves s.
func onSite(t *testing.T, s *servertest.Server, g *servertest.Guest, p servertest.Page) servertest.Page {
	t.Helper()
	for range 10 {
		loc := p.Location
		if loc == "" || !(strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, s.URL+"/")) {
			return p
		}
		p = g.Follow(t, p)
	}
	t.Fatalf("more than 10 redirects, last to %q", p.Location)
	return p
}
