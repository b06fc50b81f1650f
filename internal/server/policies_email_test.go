package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

// emailMethod is Graph's emailAuthenticationMethodConfiguration as
// guestlist answers it, with its own effectiveForExternalUsers.
type emailMethod struct {
	ID             string `json:"id"`
	State          string `json:"state"`
	Allow          string `json:"allowExternalIdToUseEmailOtp"`
	IncludeTargets []struct {
		ID         string `json:"id"`
		TargetType string `json:"targetType"`
	} `json:"includeTargets"`
	Effective struct {
		Enabled bool   `json:"enabled"`
		Reason  string `json:"reason"`
	} `json:"effectiveForExternalUsers"`
}

func getEmailMethod(t *testing.T, s *servertest.Server, tn servertest.Tenant) emailMethod {
	t.Helper()
	var m emailMethod
	if status := s.DoJSON(t, "GET", emailPolicyPath, tn.Token, nil, &m); status != http.StatusOK {
		t.Fatalf("GET email policy: %d", status)
	}
	return m
}

func patchEmailMethod(t *testing.T, s *servertest.Server, tn servertest.Tenant, body any, want int) graphError {
	t.Helper()
	var e graphError
	if status := s.DoJSON(t, "PATCH", emailPolicyPath, tn.Token, body, &e); status != want {
		t.Fatalf("PATCH email policy %v: %d %+v, want %d", body, status, e, want)
	}
	return e
}

// TestEmailMethodState: the method's state is stored and shown as sent;
// "disabled" turns the passcode off for guests too, whatever
// allowExternalIdToUseEmailOtp says, ending redeemed OTP guests' access at
// once (R20, R26), and "enabled" lets them back with a new code (R27).
// includeTargets names every user, the only target there is.
func TestEmailMethodState(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	m := getEmailMethod(t, s, tn)
	if m.ID != "Email" || m.State != "enabled" || m.Allow != "default" || !m.Effective.Enabled ||
		!strings.HasPrefix(m.Effective.Reason, "default: on") || len(m.IncludeTargets) != 1 || m.IncludeTargets[0].ID != "all_users" {
		t.Fatalf("new tenant's email policy = %+v", m)
	}
	back := invite(t, s, tn, "rob@contoso.com")
	g := s.NewGuest("en")
	redeemIn(t, s, g, back, 1, true)

	patchEmailMethod(t, s, tn, map[string]any{"state": "disabled"}, http.StatusNoContent)
	m = getEmailMethod(t, s, tn)
	if m.State != "disabled" || m.Allow != "default" || m.Effective.Enabled || !strings.Contains(m.Effective.Reason, "state is disabled") {
		t.Fatalf("after state disabled: %+v", m)
	}
	// allowExternalIdToUseEmailOtp enabled does not bring it back while
	// the method is off for everyone.
	patchEmailMethod(t, s, tn, map[string]any{"allowExternalIdToUseEmailOtp": "enabled"}, http.StatusNoContent)
	if m = getEmailMethod(t, s, tn); m.State != "disabled" || m.Allow != "enabled" || m.Effective.Enabled {
		t.Fatalf("after allow enabled with state disabled: %+v", m)
	}
	wantRefused(t, g.Get(t, back.link), http.StatusForbidden, textOTPOff)

	s.Clock.Advance(time.Minute)
	patchEmailMethod(t, s, tn, map[string]any{"state": "enabled", "includeTargets": []map[string]any{
		{"id": "all_users", "targetType": "group", "isRegistrationRequired": false}}}, http.StatusNoContent)
	if m = getEmailMethod(t, s, tn); m.State != "enabled" || !m.Effective.Enabled || m.Effective.Reason != "allowExternalIdToUseEmailOtp is enabled" {
		t.Fatalf("after state enabled: %+v", m)
	}
	// The session ended when the method was turned off: a new code.
	redeemIn(t, s, g, back, 2, false)
	wantOneMailIdentity(t, user(t, s, tn, back.userID), back.email)

	for _, body := range []map[string]any{
		{"state": "off"},
		{"includeTargets": []map[string]any{{"id": "5b0b5e04-5f1e-4e6e-9a3e-000000000001", "targetType": "group"}}},
		{"excludeTargets": []map[string]any{{"id": "all_users", "targetType": "group"}}},
		{},
	} {
		if e := patchEmailMethod(t, s, tn, body, http.StatusBadRequest); e.Error.Code != "Request_BadRequest" || e.Error.Message == "" {
			t.Errorf("PATCH %v: error %+v", body, e)
		}
	}
	if m = getEmailMethod(t, s, tn); m.State != "enabled" || m.Allow != "enabled" {
		t.Errorf("refused PATCHes changed the policy: %+v", m)
	}
}

// TestOTPAutoEnableDate: "default" is off before the automatic
// enablement date and on from it, and the policy says which date (R20).
func TestOTPAutoEnableDate(t *testing.T) {
	t.Parallel()
	today := time.Now().UTC().Truncate(24 * time.Hour)
	for _, c := range []struct {
		day  time.Time
		on   bool
		want string
	}{
		{today.AddDate(0, 0, 2), false, "default: off until %s on the public profile"},
		{today.AddDate(0, 0, -1), true, "default: on from %s on the public profile"},
	} {
		s, tn := newFabrikam(t, withConfig(func(cfg *server.Config) { cfg.OTPAutoEnable = c.day }))
		m := getEmailMethod(t, s, tn)
		want := strings.Replace(c.want, "%s", c.day.Format(time.DateOnly), 1)
		if m.Effective.Enabled != c.on || m.Effective.Reason != want {
			t.Errorf("date %s: %+v, want enabled=%v with %q", c.day.Format(time.DateOnly), m.Effective, c.on, want)
		}
	}
}
