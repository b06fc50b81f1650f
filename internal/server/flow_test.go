package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// TestGuestRedeemsWithPasscode is the foundation story end to end: an
// operator creates a tenant, its admin script gets a token and invites a
// guest with an email, the guest opens the link from that email, asks for a
// code, mistypes it once, enters the right one, consents and lands at the
// redirect URL; the user is then Accepted with the mail identity.
func TestGuestRedeemsWithPasscode(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	inv := s.Invite(t, tn, "Alice@Contoso.com", map[string]any{
		"sendInvitationMessage":  true,
		"invitedUserDisplayName": "Alice Adams",
		"invitedUserMessageInfo": map[string]any{"customizedMessageBody": "Welcome to the project."},
	})
	if inv["status"] != "PendingAcceptance" {
		t.Fatalf("status = %v, want PendingAcceptance", inv["status"])
	}
	userID := inv["invitedUser"].(map[string]any)["id"].(string)

	mail := s.WaitMail(t, "Alice@contoso.com", 1, "Welcome to the project.")
	if !strings.Contains(mail.Subject, "Fabrikam") {
		t.Errorf("invitation subject %q does not name the organization", mail.Subject)
	}
	link := inv["inviteRedeemUrl"].(string)
	if !strings.Contains(mail.TextBody, link) {
		t.Fatalf("invitation mail does not contain the redeem link %s:\n%s", link, mail.TextBody)
	}

	g := s.NewGuest("en-US,en;q=0.9")
	opened := g.Get(t, link)
	if opened.Status != http.StatusSeeOther {
		t.Fatalf("open link: %d", opened.Status)
	}
	base := servertest.TenantBase(opened.Location)
	start := g.Follow(t, opened)
	if !strings.Contains(start.Body, "Alice@contoso.com") || !strings.Contains(start.Body, "Send code") {
		t.Fatalf("start page does not offer to send a code to the address:\n%s", start.Body)
	}
	if n := len(s.SMTP.Messages()); n != 1 {
		t.Fatalf("%d mails before Send code was pressed, want only the invitation (R21)", n)
	}
	sent := g.Post(t, base+"/signin/passcode", url.Values{})
	code := s.WaitCode(t, "Alice@contoso.com", 1)
	if len(code) != 8 {
		t.Fatalf("code %q is not 8 digits", code)
	}
	enter := g.Follow(t, sent)
	if !strings.Contains(enter.Body, `name="code"`) {
		t.Fatalf("Enter code page has no code field:\n%s", enter.Body)
	}
	wrong := g.Post(t, base+"/signin/code", url.Values{"code": {wrongCode(code)}})
	if wrong.Status != http.StatusBadRequest || !strings.Contains(wrong.Body, "didn&#39;t work") {
		t.Fatalf("wrong code: %d\n%s", wrong.Status, wrong.Body)
	}
	right := g.Post(t, base+"/signin/code", url.Values{"code": {code}})
	consent := g.Follow(t, right)
	if !strings.Contains(consent.Body, "Fabrikam") || !strings.Contains(consent.Body, "Alice Adams") {
		t.Fatalf("consent page does not name the organization and what it sees:\n%s", consent.Body)
	}
	landed := g.Post(t, base+"/signin/consent", url.Values{"action": {"accept"}})
	if landed.Status != http.StatusSeeOther || landed.Location != "https://app.example/welcome" {
		t.Fatalf("after consent: %d to %q, want the invite redirect URL", landed.Status, landed.Location)
	}

	status, u := s.Do(t, "GET", "/v1.0/users/"+userID+"?$select=externalUserState,identities,externalUserStateChangeDateTime", tn.Token, nil)
	if status != http.StatusOK || u["externalUserState"] != "Accepted" {
		t.Fatalf("user after redemption: %d %v", status, u)
	}
	ids := u["identities"].([]any)
	want := map[string]any{"signInType": "federated", "issuer": "mail", "issuerAssignedId": "Alice@contoso.com"}
	if len(ids) != 1 || !sameMap(ids[0].(map[string]any), want) {
		t.Fatalf("identities = %v, want [%v]", ids, want)
	}
	if u["externalUserStateChangeDateTime"] == "" {
		t.Error("externalUserStateChangeDateTime is empty")
	}
}

func wrongCode(code string) string {
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}

func sameMap(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
