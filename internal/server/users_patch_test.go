package server_test

import (
	"net/http"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// PATCH /v1.0/users/{id} (SPEC R41, R43): Graph's user properties, 204 No
// Content, stored and shown on GET; unknown, read-only and ill-typed
// properties get Graph's 400 naming the property.

func patchUser(t testing.TB, s *servertest.Server, tn servertest.Tenant, id string, body any) int {
	t.Helper()
	return s.DoJSON(t, "PATCH", "/v1.0/users/"+id, tn.Token, body, nil)
}

func TestPatchUserProperties(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	inv := invite(t, s, tn, "alice@contoso.example")
	u := getUser(t, s, tn, inv.userID)
	if u.AccountEnabled == nil || !*u.AccountEnabled || u.BusinessPhones == nil || len(u.BusinessPhones) != 0 || u.JobTitle != nil {
		t.Errorf("a new guest: accountEnabled %v, businessPhones %v, jobTitle %v; want true, [], null", u.AccountEnabled, u.BusinessPhones, u.JobTitle)
	}

	wantAPI(t, "patch every property", patchUser(t, s, tn, inv.userID, map[string]any{
		"@odata.type": "#microsoft.graph.user", "displayName": "  Alice Andersson ", "userType": "Member",
		"preferredLanguage": "sv-SE", "givenName": "Alice", "surname": "Andersson", "jobTitle": "Buyer",
		"officeLocation": "Floor 3", "mobilePhone": "+46 70 123 45 67", "businessPhones": []string{"+46 8 123 456"},
	}), http.StatusNoContent)
	u = getUser(t, s, tn, inv.userID)
	str := func(p *string) string {
		if p == nil {
			return "<null>"
		}
		return *p
	}
	got := []string{u.DisplayName, u.UserType, str(u.PreferredLanguage), str(u.GivenName), str(u.Surname),
		str(u.JobTitle), str(u.OfficeLocation), str(u.MobilePhone), strings.Join(u.BusinessPhones, ",")}
	want := []string{"Alice Andersson", "Member", "sv-SE", "Alice", "Andersson", "Buyer", "Floor 3", "+46 70 123 45 67", "+46 8 123 456"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("after the patch:\n got %q\nwant %q", got, want)
	}
	if u.Mail != inv.email || u.ExternalUserState != "PendingAcceptance" || !*u.AccountEnabled {
		t.Errorf("the patch changed what it did not name: %+v", u)
	}

	// One property; null clears; back to Guest.
	wantAPI(t, "patch one property", patchUser(t, s, tn, inv.userID, map[string]any{
		"jobTitle": nil, "businessPhones": []string{}, "userType": "Guest",
	}), http.StatusNoContent)
	u = getUser(t, s, tn, inv.userID)
	if u.JobTitle != nil || len(u.BusinessPhones) != 0 || u.UserType != "Guest" || str(u.GivenName) != "Alice" || u.DisplayName != "Alice Andersson" {
		t.Errorf("after clearing: %+v", u)
	}
	wantAPI(t, "empty patch", patchUser(t, s, tn, inv.userID, map[string]any{}), http.StatusNoContent)
}

func TestPatchUserRefusals(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	inv := invite(t, s, tn, "alice@contoso.example")
	long := strings.Repeat("x", 257)
	tests := []struct {
		name    string
		body    any
		status  int
		mention string
	}{
		{"unknown property", map[string]any{"favouriteColour": "blue"}, 400, "favouriteColour"},
		{"id", map[string]any{"id": "00000000-0000-4000-8000-000000000001"}, 400, "id"},
		{"mail", map[string]any{"mail": "mallory@evil.example"}, 400, "mail"},
		{"userPrincipalName", map[string]any{"userPrincipalName": "x"}, 400, "userPrincipalName"},
		{"identities", map[string]any{"identities": []any{}}, 400, "identities"},
		{"externalUserState", map[string]any{"externalUserState": "Accepted"}, 400, "externalUserState"},
		{"creationType", map[string]any{"creationType": "Invitation"}, 400, "creationType"},
		{"accountEnabled not boolean", map[string]any{"accountEnabled": "false"}, 400, "accountEnabled"},
		{"accountEnabled null", map[string]any{"accountEnabled": nil}, 400, "accountEnabled"},
		{"displayName not string", map[string]any{"displayName": 5}, 400, "displayName"},
		{"displayName empty", map[string]any{"displayName": "  "}, 400, "displayName"},
		{"displayName null", map[string]any{"displayName": nil}, 400, "displayName"},
		{"displayName too long", map[string]any{"displayName": long}, 400, "displayName"},
		{"displayName two lines", map[string]any{"displayName": "Alice\r\nBcc: x@y.example"}, 400, "displayName"},
		{"userType unknown", map[string]any{"userType": "Administrator"}, 400, "userType"},
		{"preferredLanguage not a tag", map[string]any{"preferredLanguage": "not a language!"}, 400, "preferredLanguage"},
		{"businessPhones not array", map[string]any{"businessPhones": "+1 555"}, 400, "businessPhones"},
		{"businessPhones two", map[string]any{"businessPhones": []string{"1", "2"}}, 400, "businessPhones"},
		{"jobTitle too long", map[string]any{"jobTitle": long}, 400, "jobTitle"},
		{"wrong @odata.type", map[string]any{"@odata.type": "#microsoft.graph.group"}, 400, "@odata.type"},
		{"not an object", `["accountEnabled"]`, 400, ""},
		{"null", `null`, 400, ""},
		{"not JSON", `{"accountEnabled": fals`, 400, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var e graphError
			if status := s.DoJSON(t, "PATCH", "/v1.0/users/"+inv.userID, tn.Token, tc.body, &e); status != tc.status {
				t.Fatalf("status %d, want %d (%+v)", status, tc.status, e)
			}
			if e.Error.Code != "Request_BadRequest" || !strings.Contains(e.Error.Message, tc.mention) {
				t.Errorf("error %+v, want Request_BadRequest naming %q", e.Error, tc.mention)
			}
		})
	}
	// Nothing of it was written, not even the valid part of a refused body.
	wantAPI(t, "valid and invalid together", patchUser(t, s, tn, inv.userID, map[string]any{"jobTitle": "Buyer", "mail": "x@y.example"}), http.StatusBadRequest)
	if u := getUser(t, s, tn, inv.userID); u.JobTitle != nil || u.DisplayName != "alice" || !*u.AccountEnabled {
		t.Errorf("a refused patch changed the user: %+v", u)
	}
	var e graphError
	if status := s.DoJSON(t, "PATCH", "/v1.0/users/00000000-0000-4000-8000-000000000001", tn.Token, map[string]any{"jobTitle": "x"}, &e); status != http.StatusNotFound || e.Error.Code != "Request_ResourceNotFound" {
		t.Errorf("patch of an unknown user: %d %+v", status, e)
	}
	if status := s.DoJSON(t, "PATCH", "/v1.0/users/"+inv.userID, "", map[string]any{"jobTitle": "x"}, nil); status != http.StatusUnauthorized {
		t.Errorf("patch without a token: %d", status)
	}
}
