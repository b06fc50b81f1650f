package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"guestlist/internal/servertest"
)

// TestSignInsRecordPasscodeAttempts: a guest's wrong code and their
// passcode sign-in are in the sign-in log, newest first, with the status,
// the method and the guest's cross-tenant access; a blocked guest's
// attempt too. The log filters by user, time and application.
func TestSignInsRecordPasscodeAttempts(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	inv := s.Invite(t, tn, "alice@partner.example", map[string]any{"invitedUserDisplayName": "Alice"})
	alice := userID(inv)
	if n := len(signIns(t, s, tn, "")); n != 0 {
		t.Fatalf("%d sign-ins before any", n)
	}
	g := s.NewGuest("en")
	opened := g.Get(t, inv["inviteRedeemUrl"].(string))
	base := servertest.TenantBase(opened.Location)
	g.Follow(t, opened)
	g.Post(t, base+"/signin/passcode", url.Values{})
	code := s.WaitCode(t, "alice@partner.example", 1)
	if wrong := g.Post(t, base+"/signin/code", url.Values{"code": {wrongCode(code)}}); wrong.Status != http.StatusBadRequest {
		t.Fatalf("wrong code: %d", wrong.Status)
	}
	s.Clock.Advance(time.Minute)
	if right := g.Post(t, base+"/signin/code", url.Values{"code": {code}}); right.Status != http.StatusSeeOther {
		t.Fatalf("right code: %d", right.Status)
	}

	got := signIns(t, s, tn, "")
	if len(got) != 2 {
		t.Fatalf("%d sign-ins, want the wrong code and the sign-in: %+v", len(got), got)
	}
	ok, failed := got[0], got[1]
	if ok.Status.ErrorCode != 0 || ok.Status.FailureReason != nil || ok.UserID != alice ||
		ok.UserDisplayName == nil || *ok.UserDisplayName != "Alice" || !strings.Contains(ok.UserPrincipalName, "#EXT#") {
		t.Errorf("sign-in: %+v", ok)
	}
	if failed.Status.ErrorCode != 50181 || failed.Status.FailureReason == nil || failed.UserID != alice {
		t.Errorf("wrong code: %+v", failed)
	}
	for _, r := range got {
		if r.CrossTenantAccessType != "b2bCollaboration" || r.ResourceTenantID != tn.ID || r.IPAddress == "" ||
			len(r.AuthenticationMethodsUsed) != 1 || r.AuthenticationMethodsUsed[0] != "Email OTP" ||
			len(r.AuthenticationDetails) != 1 || r.AuthenticationDetails[0].Succeeded != (r.Status.ErrorCode == 0) {
			t.Errorf("sign-in record %+v", r)
		}
		if strings.Contains(r.ID+r.UserPrincipalName, code) {
			t.Errorf("the code is in the sign-in log: %+v", r)
		}
	}

	since := s.Clock.Now().Add(-30 * time.Second).Format(time.RFC3339)
	if got := signIns(t, s, tn, filter("createdDateTime ge "+since)); len(got) != 1 || got[0].ID != ok.ID {
		t.Errorf("since %s: %+v, want only the sign-in", since, got)
	}
	if got := signIns(t, s, tn, filter("userId eq '"+alice+"' and status/errorCode ne 0")); len(got) != 1 || got[0].ID != failed.ID {
		t.Errorf("alice's failures: %+v", got)
	}
	if got := signIns(t, s, tn, filter("userId eq '00000000-0000-4000-8000-000000000000'")); len(got) != 0 {
		t.Errorf("another user's: %+v", got)
	}
	if got := signIns(t, s, tn, filter("appId eq '"+tn.AppID+"'")); len(got) != 0 {
		t.Errorf("sign-ins at the admin application: %+v, want none", got)
	}
	var p signInPage
	wantAPI(t, "page of 1", s.DoJSON(t, "GET", "/v1.0/auditLogs/signIns?$top=1", tn.Token, nil, &p), http.StatusOK)
	if len(p.Value) != 1 || p.Value[0].ID != ok.ID || p.NextLink == "" {
		t.Fatalf("first page: %+v", p)
	}
	var rest signInPage
	wantAPI(t, "next page", s.DoJSON(t, "GET", strings.TrimPrefix(p.NextLink, s.URL), tn.Token, nil, &rest), http.StatusOK)
	if len(rest.Value) != 1 || rest.Value[0].ID != failed.ID || rest.NextLink != "" {
		t.Fatalf("second page: %+v", rest)
	}
}

// TestSignInsRecordRefusals: Send code refused before any code is mailed
// (a blocked guest, an address nobody invited) is a failed sign-in with
// its reason; the page answers both alike (R25), the log tells the admin.
func TestSignInsRecordRefusals(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	bob := userID(s.Invite(t, tn, "bob@partner.example", nil))
	wantAPI(t, "block", s.DoJSON(t, "PATCH", "/v1.0/users/"+bob, tn.Token, map[string]any{"accountEnabled": false}, nil), http.StatusNoContent)
	for _, email := range []string{"bob@partner.example", "nobody@elsewhere.example"} {
		g := s.NewGuest("en")
		typed := g.Post(t, "/"+tn.ID+"/signin", url.Values{"email": {email}})
		if typed.Status != http.StatusSeeOther {
			t.Fatalf("type %s: %d", email, typed.Status)
		}
		g.Follow(t, typed)
		if sent := g.Post(t, "/"+tn.ID+"/signin/passcode", url.Values{}); sent.Status != http.StatusSeeOther {
			t.Fatalf("send code to %s: %d", email, sent.Status)
		}
		s.Clock.Advance(time.Second)
	}
	got := signIns(t, s, tn, "")
	if len(got) != 2 {
		t.Fatalf("%d sign-ins, want the two refusals: %+v", len(got), got)
	}
	stranger, blocked := got[0], got[1]
	if blocked.Status.ErrorCode != 50057 || blocked.UserID != bob || blocked.Status.FailureReason == nil {
		t.Errorf("blocked guest's attempt: %+v", blocked)
	}
	if stranger.Status.ErrorCode != 90072 || stranger.UserID != "" || stranger.UserPrincipalName != "nobody@elsewhere.example" ||
		stranger.CrossTenantAccessType != "none" {
		t.Errorf("stranger's attempt: %+v", stranger)
	}
}
