package server_test

import (
	"net/http"
	"testing"

	"guestlist/internal/servertest"
)

const authzPath = "/v1.0/policies/authorizationPolicy"

// authorizationPolicy is Graph's authorizationPolicy, the parts read here.
type authorizationPolicy struct {
	ID               string `json:"id"`
	AllowInvitesFrom string `json:"allowInvitesFrom"`
	GuestUserRoleID  string `json:"guestUserRoleId"`
}

func getAuthz(t *testing.T, s *servertest.Server, tn servertest.Tenant) authorizationPolicy {
	t.Helper()
	var p authorizationPolicy
	if status := s.DoJSON(t, "GET", authzPath, tn.Token, nil, &p); status != http.StatusOK {
		t.Fatalf("GET authorizationPolicy: %d", status)
	}
	return p
}

// TestAuthorizationPolicyInvites: allowInvitesFrom starts at Graph's
// default, everyone, and round-trips; "none" refuses invitations from the
// admin application as Graph does, any other value allows them.
func TestAuthorizationPolicyInvites(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	if p := getAuthz(t, s, tn); p.ID != "authorizationPolicy" || p.AllowInvitesFrom != "everyone" ||
		p.GuestUserRoleID != "10dae51f-b6af-4016-8d66-8c2a99b929b3" {
		t.Fatalf("new tenant's authorizationPolicy = %+v", p)
	}
	set := func(v string, want int) {
		t.Helper()
		var e graphError
		if status := s.DoJSON(t, "PATCH", authzPath, tn.Token, map[string]any{"allowInvitesFrom": v}, &e); status != want {
			t.Fatalf("PATCH allowInvitesFrom %q: %d %+v, want %d", v, status, e, want)
		}
	}
	set("none", http.StatusNoContent)
	if p := getAuthz(t, s, tn); p.AllowInvitesFrom != "none" {
		t.Fatalf("after PATCH none: %+v", p)
	}
	wantInviteRefused(t, s, tn, "ann@contoso.com", http.StatusForbidden, "Authorization_RequestDenied",
		"Insufficient privileges to complete the operation.")

	set("adminsAndGuestInviters", http.StatusNoContent)
	if p := getAuthz(t, s, tn); p.AllowInvitesFrom != "adminsAndGuestInviters" {
		t.Fatalf("after PATCH adminsAndGuestInviters: %+v", p)
	}
	invite(t, s, tn, "ann@contoso.com")

	set("someone", http.StatusBadRequest)
	var e graphError
	if status := s.DoJSON(t, "PATCH", authzPath, tn.Token, map[string]any{"blockMsolPowerShell": true}, &e); status != http.StatusBadRequest {
		t.Errorf("PATCH blockMsolPowerShell: %d %+v, want 400", status, e)
	}
	if p := getAuthz(t, s, tn); p.AllowInvitesFrom != "adminsAndGuestInviters" {
		t.Errorf("refused PATCHes changed the policy: %+v", p)
	}
}
