package server_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

const crossTenantPath = "/v1.0/policies/crossTenantAccessPolicy/default"

// crossTenantDefault is Graph's crossTenantAccessPolicyConfigurationDefault
// as guestlist serves it.
type crossTenantDefault struct {
	Context          string `json:"@odata.context"`
	IsServiceDefault *bool  `json:"isServiceDefault"`
	Redemption       struct {
		Primary  []string `json:"primaryIdentityProviderPrecedenceOrder"`
		Fallback string   `json:"fallbackIdentityProvider"`
	} `json:"invitationRedemptionIdentityProviderConfiguration"`
}

var defaultPrimary = []string{"azureActiveDirectory", "externalFederation", "socialIdentityProviders"}

func getCrossTenant(t *testing.T, s *servertest.Server, tn servertest.Tenant, path string) crossTenantDefault {
	t.Helper()
	var got crossTenantDefault
	if status := s.DoJSON(t, "GET", path, tn.Token, nil, &got); status != http.StatusOK {
		t.Fatalf("GET %s: %d", path, status)
	}
	if got.IsServiceDefault == nil {
		t.Fatalf("GET %s: no isServiceDefault", path)
	}
	return got
}

// wantOrder checks the redemption order an administrator reads back.
func wantOrder(t *testing.T, s *servertest.Server, tn servertest.Tenant, serviceDefault bool, primary []string, fallback string) {
	t.Helper()
	got := getCrossTenant(t, s, tn, crossTenantPath)
	if *got.IsServiceDefault != serviceDefault || !slices.Equal(got.Redemption.Primary, primary) || got.Redemption.Fallback != fallback {
		t.Fatalf("redemption order: isServiceDefault %v, %v then %q; want %v, %v then %q",
			*got.IsServiceDefault, got.Redemption.Primary, got.Redemption.Fallback, serviceDefault, primary, fallback)
	}
}

func setRedemption(t *testing.T, s *servertest.Server, tn servertest.Tenant, conf map[string]any) {
	t.Helper()
	body := map[string]any{"invitationRedemptionIdentityProviderConfiguration": conf}
	if status := s.DoJSON(t, "PATCH", crossTenantPath, tn.Token, body, nil); status != http.StatusNoContent {
		t.Fatalf("PATCH redemption order %v: %d", conf, status)
	}
}

// TestCrossTenantDefault: a new tenant has Entra's redemption order as the
// service default; a PATCH changes it (204), a property left out keeps its
// value, and the answer is no longer the service default (R10). /beta/
// serves the same resource.
func TestCrossTenantDefault(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	got := getCrossTenant(t, s, tn, crossTenantPath)
	if !strings.HasSuffix(got.Context, "/v1.0/$metadata#policies/crossTenantAccessPolicy/default/$entity") {
		t.Errorf("@odata.context %q", got.Context)
	}
	wantOrder(t, s, tn, true, defaultPrimary, "defaultConfiguredIdp")

	setRedemption(t, s, tn, map[string]any{
		"@odata.type":                            "#microsoft.graph.defaultInvitationRedemptionIdentityProviderConfiguration",
		"primaryIdentityProviderPrecedenceOrder": []string{"socialIdentityProviders", "azureActiveDirectory"},
		"fallbackIdentityProvider":               "emailOneTimePasscode",
	})
	wantOrder(t, s, tn, false, []string{"socialIdentityProviders", "azureActiveDirectory"}, "emailOneTimePasscode")

	setRedemption(t, s, tn, map[string]any{"fallbackIdentityProvider": "microsoftAccount"})
	wantOrder(t, s, tn, false, []string{"socialIdentityProviders", "azureActiveDirectory"}, "microsoftAccount")
	setRedemption(t, s, tn, map[string]any{"primaryIdentityProviderPrecedenceOrder": []string{"externalFederation", "socialIdentityProviders", "azureActiveDirectory"}})
	wantOrder(t, s, tn, false, []string{"externalFederation", "socialIdentityProviders", "azureActiveDirectory"}, "microsoftAccount")

	// The default spelled out is stored as the tenant's own choice.
	setRedemption(t, s, tn, map[string]any{"primaryIdentityProviderPrecedenceOrder": defaultPrimary, "fallbackIdentityProvider": "defaultConfiguredIdp"})
	wantOrder(t, s, tn, false, defaultPrimary, "defaultConfiguredIdp")

	beta := getCrossTenant(t, s, tn, "/beta/policies/crossTenantAccessPolicy/default")
	if !strings.HasSuffix(beta.Context, "/beta/$metadata#policies/crossTenantAccessPolicy/default/$entity") || *beta.IsServiceDefault {
		t.Errorf("beta: %+v", beta)
	}
	// Another tenant's order is its own.
	other := s.CreateTenant(t, "Contoso", "contoso.example")
	wantOrder(t, s, other, true, defaultPrimary, "defaultConfiguredIdp")
	// An empty PATCH changes nothing.
	if status := s.DoJSON(t, "PATCH", crossTenantPath, tn.Token, map[string]any{}, nil); status != http.StatusNoContent {
		t.Errorf("empty PATCH: %d", status)
	}
	wantOrder(t, s, tn, false, defaultPrimary, "defaultConfiguredIdp")
}

// TestCrossTenantDefaultInvalid: every value the redemption order cannot
// take is Graph's 400 naming it, and changes nothing; so is any property
// of the resource guestlist does not implement.
func TestCrossTenantDefaultInvalid(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	conf := func(c map[string]any) map[string]any {
		return map[string]any{"invitationRedemptionIdentityProviderConfiguration": c}
	}
	primary := func(p any) map[string]any { return conf(map[string]any{"primaryIdentityProviderPrecedenceOrder": p}) }
	fallback := func(f any) map[string]any { return conf(map[string]any{"fallbackIdentityProvider": f}) }
	for _, tc := range []struct {
		name    string
		body    any
		mention string
	}{
		{"unknown primary", primary([]string{"azureActiveDirectory", "google"}), `"google"`},
		{"primary in the wrong case", primary([]string{"AzureActiveDirectory"}), `"AzureActiveDirectory"`},
		{"a fallback among the primaries", primary([]string{"emailOneTimePasscode"}), `"emailOneTimePasscode"`},
		{"duplicate primary", primary([]string{"azureActiveDirectory", "socialIdentityProviders", "azureActiveDirectory"}), `"azureActiveDirectory" more than once`},
		{"empty primary list", primary([]string{}), "primaryIdentityProviderPrecedenceOrder must name at least one"},
		{"null primary list", primary(nil), "primaryIdentityProviderPrecedenceOrder"},
		{"primary not a list", primary("azureActiveDirectory"), "primaryIdentityProviderPrecedenceOrder"},
		{"unknown fallback", fallback("google"), `"google"`},
		{"a primary as the fallback", fallback("azureActiveDirectory"), `"azureActiveDirectory"`},
		{"empty fallback", fallback(""), `""`},
		{"null fallback", fallback(nil), "fallbackIdentityProvider"},
		{"fallback as a list", fallback([]string{"emailOneTimePasscode"}), "fallbackIdentityProvider"},
		{"unknown property of the configuration", conf(map[string]any{"fallbackIdentityProviders": "microsoftAccount"}), "fallbackIdentityProviders"},
		{"null configuration", map[string]any{"invitationRedemptionIdentityProviderConfiguration": nil}, "must be an object"},
		{"another property of the resource", map[string]any{"b2bCollaborationInbound": map[string]any{}}, "b2bCollaborationInbound is not supported"},
		{"isServiceDefault", map[string]any{"isServiceDefault": true}, "isServiceDefault is not supported"},
		{"an unknown property beside a valid one", map[string]any{"tenantRestrictions": nil,
			"invitationRedemptionIdentityProviderConfiguration": map[string]any{"fallbackIdentityProvider": "microsoftAccount"}}, "tenantRestrictions is not supported"},
		{"not an object", `["azureActiveDirectory"]`, "JSON object"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e graphErrorBody
			status := s.DoJSON(t, "PATCH", crossTenantPath, tn.Token, tc.body, &e)
			if status != http.StatusBadRequest || e.Error.Code != "Request_BadRequest" || !strings.Contains(e.Error.Message, tc.mention) {
				t.Errorf("PATCH %v: %d %+v, want 400 Request_BadRequest saying %q", tc.body, status, e.Error, tc.mention)
			}
		})
	}
	wantOrder(t, s, tn, true, defaultPrimary, "defaultConfiguredIdp")
}

// TestRedemptionOrderFutureOnly: a changed redemption order decides the
// redemptions still to come, not those done (R11). With microsoftAccount
// as the only fallback, a pending guest with no personal account is to
// sign up for one (R10 step 6) instead of getting a passcode; a guest who
// redeemed with a passcode keeps signing in with one. Back to
// defaultConfiguredIdp, the pending guest redeems with a passcode.
func TestRedemptionOrderFutureOnly(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	rob := invite(t, s, tn, "rob@contoso.com")
	gRob := s.NewGuest("en")
	redeemIn(t, s, gRob, rob, 1, true)
	pat := invite(t, s, tn, "pat@contoso.com")

	setRedemption(t, s, tn, map[string]any{"fallbackIdentityProvider": "microsoftAccount"})
	p := preview(t, s, tn, pat.email)
	wantPreview(t, p, "signUp", true, false)
	wantSteps(t, p, "homeTenant:doesNotApply", "externalFederation:doesNotApply", "google:doesNotApply", "personalAccount:doesNotApply")
	if !strings.Contains(p.Reason, "create a personal account") {
		t.Errorf("reason %q, want it to say the guest is to create a personal account", p.Reason)
	}
	if got := s.NewGuest("en").Get(t, pat.link); got.Status != http.StatusSeeOther || !strings.HasSuffix(got.Location, "/signin/passcode?m=signup") {
		t.Errorf("pending guest's link: %d to %q, want the sign-up of a personal account", got.Status, got.Location)
	}

	p = preview(t, s, tn, rob.email)
	wantPreview(t, p, "emailOneTimePasscode", true, true)
	wantSteps(t, p, "homeTenant:notReached", "externalFederation:notReached", "google:notReached", "personalAccount:notReached", "emailOneTimePasscode:lockedIn")
	redeemIn(t, s, s.NewGuest("en"), rob, 2, false)

	setRedemption(t, s, tn, map[string]any{"fallbackIdentityProvider": "defaultConfiguredIdp"})
	wantPreview(t, preview(t, s, tn, pat.email), "emailOneTimePasscode", true, false)
	redeemIn(t, s, s.NewGuest("en"), pat, 1, true)
	wantOneMailIdentity(t, user(t, s, tn, pat.userID), pat.email)
}
