package server_test

import (
	"net/http"
	"strings"
	"testing"

	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

// TestGovernmentProfile: on the government cloud profile "default" leaves
// email one-time passcodes off (R40): the policy reports it, a guest's link
// says sign-in by code is off, and enabling it explicitly lets them in.
func TestGovernmentProfile(t *testing.T) {
	s := servertest.New(t, servertest.Options{Config: func(c *server.Config) { c.Profile = "government" }})
	tn := s.CreateTenant(t, "Fabrikam")
	const policy = "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email"
	status, p := s.Do(t, "GET", policy, tn.Token, nil)
	// state is the method's own setting, enabled; what guests get says
	// the profile turns "default" off.
	eff, _ := p["effectiveForExternalUsers"].(map[string]any)
	if status != http.StatusOK || p["allowExternalIdToUseEmailOtp"] != "default" || p["state"] != "enabled" || eff["enabled"] != false {
		t.Fatalf("policy on the government profile: %d %v, want default, state enabled and effectively off", status, p)
	}
	inv := s.Invite(t, tn, "gina@contoso.example", nil)
	link := inv["inviteRedeemUrl"].(string)
	off := s.NewGuest("en").Get(t, link)
	if off.Status != http.StatusForbidden || !strings.Contains(off.Body, "turned off") {
		t.Fatalf("link with OTP off by profile: %d %.300s", off.Status, off.Body)
	}
	if status, _ := s.Do(t, "PATCH", policy, tn.Token, map[string]any{"allowExternalIdToUseEmailOtp": "enabled"}); status != http.StatusNoContent {
		t.Fatalf("enable: %d", status)
	}
	if on := s.NewGuest("en").Get(t, link); on.Status != http.StatusSeeOther {
		t.Fatalf("link once enabled: %d, want the way to Send code", on.Status)
	}
}
