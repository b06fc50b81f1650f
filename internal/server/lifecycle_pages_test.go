package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"guestlist/internal/servertest"
)

// What the guest pages say of a withdrawn or expired invitation
// (internal/i18n/locales).
const (
	textRevokedEN = "Fabrikam has withdrawn this invitation"
	textRevokedDE = "Fabrikam hat diese Einladung zurückgezogen"
	textExpiredEN = "This invitation to Fabrikam has expired"
	textExpiredNL = "Deze uitnodiging van Fabrikam is verlopen"
)

// userState is the guest's externalUserState, asked for by $select.
func userState(t *testing.T, s *servertest.Server, tn servertest.Tenant, id string) (int, string) {
	t.Helper()
	var u struct {
		ID                string `json:"id"`
		ExternalUserState string `json:"externalUserState"`
	}
	st := s.DoJSON(t, "GET", "/v1.0/users/"+id+"?$select=id,externalUserState", tn.Token, nil, &u)
	return st, u.ExternalUserState
}

// wantPage checks a guest page's status and that it says text.
func wantPage(t *testing.T, what string, p servertest.Page, status int, text string) {
	t.Helper()
	if p.Status != status || !strings.Contains(p.Body, text) {
		t.Errorf("%s: %d, want %d saying %q\n%.600s", what, p.Status, status, text, p.Body)
	}
}

// TestRevokeInvitation: a revoked link shows, in the guest's language,
// that the invitation was withdrawn; a sign-in begun from it before the
// revocation cannot redeem it at consent; the guest stays pending until the
// administrator deletes them; revoking again changes nothing; a redeemed
// invitation cannot be revoked.
func TestRevokeInvitation(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	const email = "ann@contoso.example"
	inv := lcInvite(t, s, tn, email, nil)
	early := s.NewGuest("en")
	base := redeemToConsent(t, early, inv.InviteRedeemURL, email, 1)

	got := lcMust(t, s, tn, "POST", "/v1.0/invitations/"+inv.ID+"/revoke")
	if got.Status != "Revoked" || got.RevokedDateTime == "" {
		t.Errorf("revoked invitation: status %q, revokedDateTime %q", got.Status, got.RevokedDateTime)
	}
	wantPage(t, "consent begun before the revocation", accept(t, early, base), http.StatusGone, textRevokedEN)
	wantPage(t, "the link in English", s.NewGuest("en").Get(t, inv.InviteRedeemURL), http.StatusGone, textRevokedEN)
	wantPage(t, "the link in German", s.NewGuest("de").Get(t, inv.InviteRedeemURL), http.StatusGone, textRevokedDE)
	if st, state := userState(t, s, tn, inv.InvitedUser.ID); st != http.StatusOK || state != "PendingAcceptance" {
		t.Errorf("guest after the revocation: %d %q, want still PendingAcceptance", st, state)
	}
	again := lcMust(t, s, tn, "POST", "/v1.0/invitations/"+inv.ID+"/revoke")
	if again.Status != "Revoked" || again.RevokedDateTime != got.RevokedDateTime {
		t.Errorf("revoked again: %q at %q, want unchanged %q", again.Status, again.RevokedDateTime, got.RevokedDateTime)
	}
	if st := s.DoJSON(t, "DELETE", "/v1.0/users/"+inv.InvitedUser.ID, tn.Token, nil, nil); st != http.StatusNoContent {
		t.Errorf("delete the pending guest: %d", st)
	}
	if st, _ := userState(t, s, tn, inv.InvitedUser.ID); st != http.StatusNotFound {
		t.Errorf("deleted guest: %d", st)
	}

	redeemed := lcInvite(t, s, tn, "bob@contoso.example", nil)
	g := s.NewGuest("en")
	if p := accept(t, g, redeemToConsent(t, g, redeemed.InviteRedeemURL, "bob@contoso.example", 1)); p.Status != http.StatusSeeOther {
		t.Fatalf("consent: %d", p.Status)
	}
	st, a := lcDo(t, s, tn, "POST", "/v1.0/invitations/"+redeemed.ID+"/revoke")
	if st != http.StatusBadRequest || !strings.Contains(a.Error.Message, "redeemed") {
		t.Errorf("revoke a redeemed invitation: %d %+v, want 400 saying why", st, a.Error)
	}
	if got := lcMust(t, s, tn, "GET", "/v1.0/invitations/"+redeemed.ID); got.Status != "Completed" {
		t.Errorf("redeemed invitation after a refused revocation: %q", got.Status)
	}
}

// TestInvitationExpiry: an invitation with expirationDateTime works until
// then; after it, its link shows in the guest's language that it expired,
// a sign-in begun before cannot redeem it, and it lists as Expired; a
// resend renews it for as long as it was valid. A date in the past is 400.
func TestInvitationExpiry(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	const email = "ann@contoso.example"
	until := s.Clock.Now().Add(10 * time.Minute)
	inv := lcInvite(t, s, tn, email, map[string]any{
		"sendInvitationMessage": true, "expirationDateTime": until.Format(time.RFC3339)})
	if inv.ExpirationDateTime != until.UTC().Format(time.RFC3339) {
		t.Errorf("expirationDateTime %q, want %s", inv.ExpirationDateTime, until.UTC().Format(time.RFC3339))
	}
	early := s.NewGuest("en")
	base := redeemToConsent(t, early, inv.InviteRedeemURL, email, 1)

	s.Clock.Advance(10 * time.Minute)
	if got := lcMust(t, s, tn, "GET", "/v1.0/invitations/"+inv.ID); got.Status != "Expired" {
		t.Errorf("at its expiry the invitation reads %q", got.Status)
	}
	wantPage(t, "consent begun before the expiry", accept(t, early, base), http.StatusGone, textExpiredEN)
	wantPage(t, "the link in Dutch", s.NewGuest("nl").Get(t, inv.InviteRedeemURL), http.StatusGone, textExpiredNL)
	if ids, _ := lcList(t, s, tn, statusFilter("Expired")); len(ids) != 1 || ids[0] != inv.ID {
		t.Errorf("expired list: %v", ids)
	}

	s.Clock.Advance(time.Hour)
	tn.Token = s.AdminToken(t, tn) // the earlier token has expired by now
	renewed := lcMust(t, s, tn, "POST", "/v1.0/invitations/"+inv.ID+"/resend")
	if want := s.Clock.Now().Add(10 * time.Minute).UTC().Format(time.RFC3339); renewed.Status != "PendingAcceptance" || renewed.ExpirationDateTime != want {
		t.Errorf("resent: %q until %q, want PendingAcceptance until %s", renewed.Status, renewed.ExpirationDateTime, want)
	}
	s.WaitMail(t, email, 2, inv.InviteRedeemURL)
	g := s.NewGuest("en")
	if p := accept(t, g, redeemToConsent(t, g, inv.InviteRedeemURL, email, 2)); p.Status != http.StatusSeeOther {
		t.Errorf("consent after the resend: %d %.300s", p.Status, p.Body)
	}

	past := s.Clock.Now().Add(-time.Minute).Format(time.RFC3339)
	for _, v := range []any{past, "tomorrow", 5} {
		body := map[string]any{"invitedUserEmailAddress": "bob@contoso.example", "inviteRedirectUrl": redirectURL, "expirationDateTime": v}
		var a lcAnswer
		if st := s.DoJSON(t, "POST", "/v1.0/invitations", tn.Token, body, &a); st != http.StatusBadRequest {
			t.Errorf("expirationDateTime %v: %d, want 400", v, st)
		}
	}
}

// invitationPolicy is guestlist's own /policies/invitationPolicy.
type invitationPolicy struct {
	ID                   string `json:"id"`
	InvitationExpiryDays *int   `json:"invitationExpiryDays"`
}

// TestTenantInvitationExpiry: no expiry by default (as Entra); a tenant's
// invitationExpiryDays gives new invitations that validity (an
// invitation's own expirationDateTime wins), and null turns it off again;
// values out of range are 400.
func TestTenantInvitationExpiry(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	const path = "/v1.0/policies/invitationPolicy"
	var pol invitationPolicy
	if st := s.DoJSON(t, "GET", path, tn.Token, nil, &pol); st != http.StatusOK || pol.InvitationExpiryDays != nil || pol.ID != "invitationPolicy" {
		t.Fatalf("default policy: %d %+v", st, pol)
	}
	if inv := lcInvite(t, s, tn, "plain@contoso.example", nil); inv.ExpirationDateTime != "" {
		t.Errorf("an invitation expires by default: %q", inv.ExpirationDateTime)
	}

	if st := s.DoJSON(t, "PATCH", path, tn.Token, map[string]any{"invitationExpiryDays": 7}, nil); st != http.StatusNoContent {
		t.Fatalf("PATCH 7 days: %d", st)
	}
	if st := s.DoJSON(t, "GET", "/beta/policies/invitationPolicy", tn.Token, nil, &pol); st != http.StatusOK || pol.InvitationExpiryDays == nil || *pol.InvitationExpiryDays != 7 {
		t.Fatalf("policy after PATCH: %d %+v", st, pol)
	}
	week := lcInvite(t, s, tn, "week@contoso.example", nil)
	if want := s.Clock.Now().Add(7 * 24 * time.Hour).UTC().Format(time.RFC3339); week.ExpirationDateTime != want {
		t.Errorf("expirationDateTime %q, want %s", week.ExpirationDateTime, want)
	}
	own := s.Clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	if inv := lcInvite(t, s, tn, "own@contoso.example", map[string]any{"expirationDateTime": own}); inv.ExpirationDateTime != own {
		t.Errorf("an invitation's own expiry: %q, want %s", inv.ExpirationDateTime, own)
	}
	s.Clock.Advance(7 * 24 * time.Hour)
	tn.Token = s.AdminToken(t, tn) // the earlier token has expired by now
	wantPage(t, "a week-old link", s.NewGuest("en").Get(t, week.InviteRedeemURL), http.StatusGone, textExpiredEN)
	if ids, _ := lcList(t, s, tn, ""); len(ids) != 1 {
		t.Errorf("pending after a week: %v, want only the invitation without expiry", ids)
	}

	for _, body := range []string{`{}`, `{"invitationExpiryDays":0}`, `{"invitationExpiryDays":-1}`, `{"invitationExpiryDays":366}`, `{"invitationExpiryDays":"7"}`, `{"invitationExpiryDays":1.5}`} {
		if st := s.DoJSON(t, "PATCH", path, tn.Token, body, nil); st != http.StatusBadRequest {
			t.Errorf("PATCH %s: %d, want 400", body, st)
		}
	}
	if st := s.DoJSON(t, "PATCH", path, tn.Token, `{"invitationExpiryDays":null}`, nil); st != http.StatusNoContent {
		t.Fatalf("PATCH null: %d", st)
	}
	if inv := lcInvite(t, s, tn, "later@contoso.example", nil); inv.ExpirationDateTime != "" {
		t.Errorf("expiry after turning it off: %q", inv.ExpirationDateTime)
	}
}
