package server_test

import (
	"net/http"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// TestDirectoryAuditsRecordAppsAndPolicies: application, secret,
// service principal, assignment, member and policy changes are each in
// the audit log under Entra's name, and no secret (client secret, member
// password) is in it.
func TestDirectoryAuditsRecordAppsAndPolicies(t *testing.T) {
	s, tn := newFabrikam(t, servertest.Options{})
	app := createApp(t, s, tn, map[string]any{"displayName": "Wiki"})
	id, appID := app["id"].(string), app["appId"].(string)
	wantAPI(t, "PATCH application", s.DoJSON(t, "PATCH", "/v1.0/applications/"+id, tn.Token, map[string]any{"displayName": "Team wiki"}, nil), http.StatusNoContent)
	var added struct {
		KeyID      string `json:"keyId"`
		SecretText string `json:"secretText"`
	}
	wantAPI(t, "addPassword", s.DoJSON(t, "POST", "/v1.0/applications/"+id+"/addPassword", tn.Token,
		map[string]any{"passwordCredential": map[string]any{"displayName": "ci"}}, &added), http.StatusOK)
	wantAPI(t, "removePassword", s.DoJSON(t, "POST", "/v1.0/applications/"+id+"/removePassword", tn.Token,
		map[string]any{"keyId": added.KeyID}, nil), http.StatusNoContent)
	requireAssignment(t, s, tn, appID, true)
	guest := userID(s.Invite(t, tn, "carol@partner.example", nil))
	sp := servicePrincipal(t, s, tn, appID)["id"].(string)
	var assignment struct {
		ID string `json:"id"`
	}
	wantAPI(t, "assign", s.DoJSON(t, "POST", "/v1.0/users/"+guest+"/appRoleAssignments", tn.Token,
		map[string]any{"principalId": guest, "resourceId": sp, "appRoleId": defaultRole}, &assignment), http.StatusCreated)
	wantAPI(t, "unassign", s.DoJSON(t, "DELETE", "/v1.0/users/"+guest+"/appRoleAssignments/"+assignment.ID, tn.Token, nil, nil), http.StatusNoContent)
	wantAPI(t, "revoke", s.DoJSON(t, "POST", "/v1.0/users/"+guest+"/revokeSignInSessions", tn.Token, nil, nil), http.StatusOK)
	member := createMember(t, s, tn, adeleBody())
	wantAPI(t, "new password", s.DoJSON(t, "PATCH", "/v1.0/users/"+member.ID, tn.Token,
		map[string]any{"passwordProfile": map[string]any{"password": "Qz7!vLp#4rTe-Wx9"}}, nil), http.StatusNoContent)
	setEmailOTP(t, s, tn, "disabled")
	setRedemption(t, s, tn, map[string]any{"primaryIdentityProviderPrecedenceOrder": []string{"azureActiveDirectory"}})
	wantAPI(t, "DELETE application", s.DoJSON(t, "DELETE", "/v1.0/applications/"+id, tn.Token, nil, nil), http.StatusNoContent)

	got := activities(audits(t, s, tn, ""))
	want := []string{
		"Delete application", "Update the company default cross-tenant access setting", "Authentication Methods Policy Update",
		"Reset user password", "Add user", "Invalidate all refresh tokens for user", "Remove app role assignment from user",
		"Add app role assignment grant to user", "Invite external user", "Update service principal",
		"Update application – Certificates and secrets management", "Update application – Certificates and secrets management",
		"Update application", "Add application",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("activities = %q,\nwant %q", got, want)
	}
	if n := len(audits(t, s, tn, "?$filter=category%20eq%20'ApplicationManagement'")); n != 6 {
		t.Errorf("%d ApplicationManagement records, want 6", n)
	}
	r := call(t, s, "GET", "/v1.0/auditLogs/directoryAudits", tn.Token, "", nil)
	body := string(r.Body)
	for what, secret := range map[string]string{"client secret": added.SecretText, "member's first password": "xWwvJ]6NMw+bWH-d", "new password": "Qz7!vLp#4rTe-Wx9"} {
		if secret == "" || strings.Contains(body, secret) {
			t.Errorf("the %s is in the audit log (or empty)", what)
		}
	}
	if !strings.Contains(body, added.KeyID) {
		t.Error("the secret's key id is not in the audit log")
	}
}

// TestDirectoryAuditsRecordInvitationsAndGuestPolicies: resending and
// revoking an invitation, the tenant's invitation expiry, its guest domain
// list and who may invite are audited with the change, each naming what
// changed.
func TestDirectoryAuditsRecordInvitationsAndGuestPolicies(t *testing.T) {
	s, tn := newFabrikam(t, servertest.Options{})
	inv := s.Invite(t, tn, "dana@partner.example", map[string]any{"sendInvitationMessage": true})
	invID := inv["id"].(string)
	wantAPI(t, "resend", s.DoJSON(t, "POST", "/v1.0/invitations/"+invID+"/resend", tn.Token, nil, nil), http.StatusOK)
	wantAPI(t, "revoke", s.DoJSON(t, "POST", "/v1.0/invitations/"+invID+"/revoke", tn.Token, nil, nil), http.StatusOK)
	wantAPI(t, "invitation policy", s.DoJSON(t, "PATCH", "/v1.0/policies/invitationPolicy", tn.Token,
		map[string]any{"invitationExpiryDays": 30}, nil), http.StatusNoContent)
	wantAPI(t, "b2b policy", s.DoJSON(t, "PUT", "/v1.0/policies/b2bManagementPolicy", tn.Token, map[string]any{
		"B2BManagementPolicy": map[string]any{"InvitationsAllowedAndBlockedDomainsPolicy": map[string]any{"BlockedDomains": []string{"spam.example"}}},
	}, nil), http.StatusOK)
	wantAPI(t, "authorization policy", s.DoJSON(t, "PATCH", "/v1.0/policies/authorizationPolicy", tn.Token,
		map[string]any{"allowInvitesFrom": "adminsAndGuestInviters"}, nil), http.StatusNoContent)

	got := activities(audits(t, s, tn, ""))
	want := []string{"Update authorization policy", "Update B2B management policy", "Update invitation policy",
		"Revoke invitation", "Resend invitation", "Invite external user"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("activities = %q,\nwant %q", got, want)
	}
	body := string(call(t, s, "GET", "/v1.0/auditLogs/directoryAudits", tn.Token, "", nil).Body)
	for _, named := range []string{"spam.example", "adminsAndGuestInviters", invID} {
		if !strings.Contains(body, named) {
			t.Errorf("the audit log does not name %q", named)
		}
	}
}
