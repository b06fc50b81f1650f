package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

// redemptionPreview is the explainer's answer (R14).
type redemptionPreview struct {
	Context  string `json:"@odata.context"`
	Email    string `json:"email"`
	Method   string `json:"method"`
	Usable   bool   `json:"usable"`
	LockedIn bool   `json:"lockedIn"`
	Reason   string `json:"reason"`
	User     *struct {
		ID                string `json:"id"`
		UserType          string `json:"userType"`
		ExternalUserState string `json:"externalUserState"`
	} `json:"user"`
	Steps []struct {
		Method  string `json:"method"`
		Outcome string `json:"outcome"`
		Reason  string `json:"reason"`
	} `json:"steps"`
	Reasons map[string]string `json:"reasons"`
}

func preview(t *testing.T, s *servertest.Server, tn servertest.Tenant, email string) redemptionPreview {
	t.Helper()
	var p redemptionPreview
	if status := s.DoJSON(t, "GET", "/v1.0/invitations/redemptionPreview?email="+url.QueryEscape(email), tn.Token, nil, &p); status != http.StatusOK {
		t.Fatalf("preview %s: %d", email, status)
	}
	return p
}

func wantPreview(t *testing.T, p redemptionPreview, method string, usable, lockedIn bool) {
	t.Helper()
	if p.Method != method || p.Usable != usable || p.LockedIn != lockedIn {
		t.Errorf("preview of %s: method %q, usable %v, lockedIn %v; want %q, %v, %v (reason: %s)",
			p.Email, p.Method, p.Usable, p.LockedIn, method, usable, lockedIn, p.Reason)
	}
}

// wantSteps checks the steps as "method:outcome", in order, and that
// reasons repeats each step's reason.
func wantSteps(t *testing.T, p redemptionPreview, want ...string) {
	t.Helper()
	got := make([]string, 0, len(p.Steps))
	for _, st := range p.Steps {
		got = append(got, st.Method+":"+st.Outcome)
		if st.Reason == "" || p.Reasons[st.Method] != st.Reason {
			t.Errorf("step %s: reason %q, reasons[%s] %q", st.Method, st.Reason, st.Method, p.Reasons[st.Method])
		}
	}
	if len(p.Reasons) != len(p.Steps) {
		t.Errorf("reasons %v, want one per step", p.Reasons)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("steps of %s:\n got %v\nwant %v", p.Email, got, want)
	}
}

// stepReason is the reason of the step of method.
func stepReason(p redemptionPreview, method string) string {
	for _, st := range p.Steps {
		if st.Method == method {
			return st.Reason
		}
	}
	return ""
}

// unavailable are the steps before the passcode for an address of a
// domain no tenant verified, no federation serves and Google does not
// cover, with no personal account.
var unavailable = []string{"homeTenant:doesNotApply", "externalFederation:doesNotApply", "google:doesNotApply", "personalAccount:doesNotApply"}

// TestRedemptionPreview: the explainer (R14) tells an administrator which
// method an address gets in their tenant right now and why: a pending
// guest gets the passcode while it is on and, once it is off, is to sign
// up for a personal account (R10 step 6, R26); a
// guest who redeemed is locked to the passcode (R11), usable or not; an
// address with no guest is shown what an invitation would lead to.
func TestRedemptionPreview(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	pat := invite(t, s, tn, "pat@contoso.com")
	rob := invite(t, s, tn, "rob@contoso.com")
	redeemIn(t, s, s.NewGuest("en"), rob, 1, true)

	p := preview(t, s, tn, "Pat@Contoso.com")
	wantPreview(t, p, "emailOneTimePasscode", true, false)
	wantSteps(t, p, append(unavailable, "emailOneTimePasscode:applies")...)
	if r := stepReason(p, "emailOneTimePasscode"); r != "enabled (tenant setting: default; deployment profile public)" {
		t.Errorf("passcode reason %q", r)
	}
	if p.User == nil || p.User.ID != pat.userID || p.User.UserType != "Guest" || p.User.ExternalUserState != "PendingAcceptance" {
		t.Errorf("user %+v, want pat, a pending guest", p.User)
	}
	if !strings.HasSuffix(p.Context, "/v1.0/$metadata#invitations/redemptionPreview/$entity") || p.Email != "Pat@contoso.com" {
		t.Errorf("@odata.context %q, email %q", p.Context, p.Email)
	}

	p = preview(t, s, tn, rob.email)
	wantPreview(t, p, "emailOneTimePasscode", true, true)
	wantSteps(t, p, "homeTenant:notReached", "externalFederation:notReached", "google:notReached", "personalAccount:notReached", "emailOneTimePasscode:lockedIn")
	if p.User == nil || p.User.ExternalUserState != "Accepted" || !strings.Contains(p.Reason, "not consulted") {
		t.Errorf("redeemed guest: user %+v, reason %q", p.User, p.Reason)
	}

	p = preview(t, s, tn, "nobody@contoso.com")
	wantPreview(t, p, "emailOneTimePasscode", true, false)
	if p.User != nil || !strings.Contains(p.Reason, "what an invitation would lead to") {
		t.Errorf("no guest: user %+v, reason %q", p.User, p.Reason)
	}

	setEmailOTP(t, s, tn, "disabled")
	p = preview(t, s, tn, pat.email)
	wantPreview(t, p, "signUp", true, false)
	wantSteps(t, p, append(unavailable, "emailOneTimePasscode:doesNotApply")...)
	if r := stepReason(p, "emailOneTimePasscode"); r != "disabled (tenant setting: disabled; deployment profile public)" {
		t.Errorf("passcode reason %q", r)
	}
	p = preview(t, s, tn, rob.email)
	wantPreview(t, p, "emailOneTimePasscode", false, true)
	if !strings.Contains(p.Reason, "cannot be used now") {
		t.Errorf("locked to a method turned off: reason %q", p.Reason)
	}
}

// TestRedemptionPreviewGovernment: on the government profile "default"
// leaves the passcode off and no personal accounts are offered (R40): a
// pending guest has no method, and the explainer says why.
func TestRedemptionPreviewGovernment(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, withConfig(func(c *server.Config) { c.Profile = "government" }))
	pat := invite(t, s, tn, "pat@contoso.com")
	p := preview(t, s, tn, pat.email)
	wantPreview(t, p, "none", false, false)
	wantSteps(t, p, "homeTenant:doesNotApply", "externalFederation:doesNotApply", "google:doesNotApply",
		"personalAccount:notAvailable", "emailOneTimePasscode:doesNotApply")
	if r := stepReason(p, "emailOneTimePasscode"); !strings.Contains(r, "default means off (R40)") {
		t.Errorf("passcode reason %q", r)
	}
	if !strings.Contains(p.Reason, "government profile (R40)") {
		t.Errorf("reason %q", p.Reason)
	}
}

// TestRedemptionPreviewRequests: email is required and must be an
// address (Graph's 400); the literal path does not shadow, nor is shadowed
// by, GET /invitations/{id}; only the tenant's administrators may ask.
func TestRedemptionPreviewRequests(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	inv := s.Invite(t, tn, "pat@contoso.com", nil)
	for _, q := range []string{"", "?email=", "?email=%20", "?mail=pat@contoso.com", "?email=not-an-address", "?email=pat@"} {
		var e graphErrorBody
		status := s.DoJSON(t, "GET", "/v1.0/invitations/redemptionPreview"+q, tn.Token, nil, &e)
		if status != http.StatusBadRequest || e.Error.Code != "Request_BadRequest" || !strings.Contains(e.Error.Message, "email") {
			t.Errorf("preview%s: %d %+v, want 400 about email", q, status, e.Error)
		}
	}
	var got struct {
		ID                      string `json:"id"`
		InvitedUserEmailAddress string `json:"invitedUserEmailAddress"`
	}
	if status := s.DoJSON(t, "GET", "/v1.0/invitations/"+inv["id"].(string), tn.Token, nil, &got); status != http.StatusOK || got.InvitedUserEmailAddress != "pat@contoso.com" {
		t.Errorf("GET the invitation beside the preview: %d %+v", status, got)
	}
	var beta redemptionPreview
	if status := s.DoJSON(t, "GET", "/beta/invitations/redemptionPreview?email=pat@contoso.com", tn.Token, nil, &beta); status != http.StatusOK || beta.Method != "emailOneTimePasscode" {
		t.Errorf("beta preview: %d %+v", status, beta)
	}
	if status := s.DoJSON(t, "POST", "/v1.0/invitations/redemptionPreview?email=pat@contoso.com", tn.Token, map[string]any{}, nil); status != http.StatusMethodNotAllowed {
		t.Errorf("POST preview: %d, want 405", status)
	}
	if status := s.DoJSON(t, "GET", "/v1.0/invitations/redemptionPreview?email=pat@contoso.com", "", nil, nil); status != http.StatusUnauthorized {
		t.Errorf("preview without a token: %d, want 401", status)
	}
	// Another tenant's administrator learns nothing of Fabrikam's guest.
	other := s.CreateTenant(t, "Contoso", "contoso.example")
	if p := preview(t, s, other, "pat@contoso.com"); p.User != nil {
		t.Errorf("Contoso's preview shows Fabrikam's user %+v", p.User)
	}
}
