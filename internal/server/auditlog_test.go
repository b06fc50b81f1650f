package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"guestlist/internal/servertest"
)

// The audit and sign-in logs (SPEC R41) as a Graph client reads them.

type auditPage struct {
	Context  string           `json:"@odata.context"`
	NextLink string           `json:"@odata.nextLink"`
	Value    []directoryAudit `json:"value"`
}

type directoryAudit struct {
	ID                  string `json:"id"`
	Category            string `json:"category"`
	Result              string `json:"result"`
	ActivityDisplayName string `json:"activityDisplayName"`
	ActivityDateTime    string `json:"activityDateTime"`
	LoggedByService     string `json:"loggedByService"`
	OperationType       string `json:"operationType"`
	InitiatedBy         struct {
		App *struct {
			AppID              string `json:"appId"`
			DisplayName        string `json:"displayName"`
			ServicePrincipalID string `json:"servicePrincipalId"`
		} `json:"app"`
		User *struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"initiatedBy"`
	TargetResources []struct {
		ID                 string  `json:"id"`
		DisplayName        *string `json:"displayName"`
		Type               string  `json:"type"`
		UserPrincipalName  *string `json:"userPrincipalName"`
		ModifiedProperties []struct {
			DisplayName string `json:"displayName"`
			OldValue    string `json:"oldValue"`
			NewValue    string `json:"newValue"`
		} `json:"modifiedProperties"`
	} `json:"targetResources"`
}

type signInPage struct {
	NextLink string   `json:"@odata.nextLink"`
	Value    []signIn `json:"value"`
}

type signIn struct {
	ID                string  `json:"id"`
	CreatedDateTime   string  `json:"createdDateTime"`
	UserID            string  `json:"userId"`
	UserPrincipalName string  `json:"userPrincipalName"`
	UserDisplayName   *string `json:"userDisplayName"`
	AppID             *string `json:"appId"`
	IPAddress         string  `json:"ipAddress"`
	Status            struct {
		ErrorCode     int     `json:"errorCode"`
		FailureReason *string `json:"failureReason"`
	} `json:"status"`
	AuthenticationMethodsUsed []string `json:"authenticationMethodsUsed"`
	AuthenticationDetails     []struct {
		AuthenticationMethod string `json:"authenticationMethod"`
		Succeeded            bool   `json:"succeeded"`
	} `json:"authenticationDetails"`
	CrossTenantAccessType string `json:"crossTenantAccessType"`
	ResourceTenantID      string `json:"resourceTenantId"`
}

// audits reads the whole audit log of tn that query selects.
func audits(t *testing.T, s *servertest.Server, tn servertest.Tenant, query string) []directoryAudit {
	t.Helper()
	var p auditPage
	if status := s.DoJSON(t, "GET", "/v1.0/auditLogs/directoryAudits"+query, tn.Token, nil, &p); status != http.StatusOK {
		t.Fatalf("GET directoryAudits%s: %d", query, status)
	}
	return p.Value
}

func signIns(t *testing.T, s *servertest.Server, tn servertest.Tenant, query string) []signIn {
	t.Helper()
	var p signInPage
	if status := s.DoJSON(t, "GET", "/v1.0/auditLogs/signIns"+query, tn.Token, nil, &p); status != http.StatusOK {
		t.Fatalf("GET signIns%s: %d", query, status)
	}
	return p.Value
}

func activities(list []directoryAudit) []string {
	var out []string
	for _, a := range list {
		out = append(out, a.ActivityDisplayName)
	}
	return out
}

func filter(f string) string { return "?$filter=" + url.QueryEscape(f) }

// TestDirectoryAuditsRecordAdminChanges: each change through the admin API
// is in the audit log, newest first, with the admin application as who
// made it and the user it changed; a change refused inside its
// transaction leaves nothing; another tenant sees none of it.
func TestDirectoryAuditsRecordAdminChanges(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	other := s.CreateTenant(t, "Contoso", "contoso.example")
	alice := userID(s.Invite(t, tn, "alice@partner.example", map[string]any{"invitedUserDisplayName": "Alice"}))
	bob := userID(s.Invite(t, tn, "bob@partner.example", nil))
	s.Clock.Advance(time.Hour)
	wantAPI(t, "PATCH user", s.DoJSON(t, "PATCH", "/v1.0/users/"+alice, tn.Token, map[string]any{"displayName": "Alice Adams"}, nil), http.StatusNoContent)
	wantAPI(t, "block", s.DoJSON(t, "PATCH", "/v1.0/users/"+alice, tn.Token, map[string]any{"accountEnabled": false}, nil), http.StatusNoContent)
	before := audits(t, s, tn, "")
	// Moving bob to alice's address conflicts inside the transaction.
	status, _ := s.Do(t, "POST", "/v1.0/invitations", tn.Token, map[string]any{
		"invitedUserEmailAddress": "alice@partner.example", "inviteRedirectUrl": "https://app.example/",
		"resetRedemption": true, "invitedUser": map[string]any{"id": bob},
	})
	wantAPI(t, "reset to a taken address", status, http.StatusConflict)
	if after := audits(t, s, tn, ""); len(after) != len(before) {
		t.Fatalf("a refused reset left a record: %v", activities(after))
	}
	wantAPI(t, "DELETE user", s.DoJSON(t, "DELETE", "/v1.0/users/"+bob, tn.Token, nil, nil), http.StatusNoContent)

	got := audits(t, s, tn, "")
	want := []string{"Delete user", "Disable account", "Update user", "Invite external user", "Invite external user"}
	if strings.Join(activities(got), "|") != strings.Join(want, "|") {
		t.Fatalf("activities = %q, want %q (newest first)", activities(got), want)
	}
	for _, a := range got {
		if a.InitiatedBy.App == nil || a.InitiatedBy.App.AppID != tn.AppID || a.InitiatedBy.App.ServicePrincipalID == "" || a.InitiatedBy.User != nil {
			t.Errorf("%s initiated by %+v, want the admin application %s", a.ActivityDisplayName, a.InitiatedBy, tn.AppID)
		}
		if a.Result != "success" || a.ID == "" || a.ActivityDateTime == "" || len(a.TargetResources) == 0 || a.TargetResources[0].Type != "User" {
			t.Errorf("%s: %+v", a.ActivityDisplayName, a)
		}
	}
	invite := got[4]
	if invite.Category != "UserManagement" || invite.LoggedByService != "Invited Users" || invite.OperationType != "Add" ||
		invite.TargetResources[0].ID != alice || invite.TargetResources[0].UserPrincipalName == nil {
		t.Errorf("invitation record: %+v", invite)
	}
	update := got[2].TargetResources[0]
	if len(update.ModifiedProperties) != 1 || update.ModifiedProperties[0].DisplayName != "DisplayName" || update.ModifiedProperties[0].NewValue != `"Alice Adams"` {
		t.Errorf("Update user's modified properties = %+v", update.ModifiedProperties)
	}
	if n := len(audits(t, s, other, "")); n != 0 {
		t.Errorf("the other tenant sees %d records", n)
	}

	since := s.Clock.Now().Add(-30 * time.Minute).Format(time.RFC3339)
	if got := activities(audits(t, s, tn, filter("activityDateTime ge "+since))); len(got) != 3 {
		t.Errorf("since %s: %q, want the 3 changes after the invitations", since, got)
	}
	if got := activities(audits(t, s, tn, filter("targetResources/any(t: t/id eq '"+bob+"')"))); strings.Join(got, "|") != "Delete user|Invite external user" {
		t.Errorf("bob's records: %q", got)
	}
	if n := len(audits(t, s, tn, filter("initiatedBy/app/appId eq '"+tn.AppID+"'"))); n != 5 {
		t.Errorf("by the admin application: %d records, want 5", n)
	}
	if n := len(audits(t, s, tn, filter("initiatedBy/app/appId eq '00000000-0000-4000-8000-000000000000'"))); n != 0 {
		t.Errorf("by another application: %d records, want 0", n)
	}
	wantGraphError(t, call(t, s, "GET", "/v1.0/auditLogs/directoryAudits"+filter("result eq 'success'"), tn.Token, "", nil), http.StatusBadRequest, "Request_UnsupportedQuery")
}

// TestDirectoryAuditsPage: the log pages by $top with a nextLink, newest
// first, each record once, also while new records are written.
func TestDirectoryAuditsPage(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	for _, who := range []string{"a", "b", "c", "d", "e"} {
		s.Invite(t, tn, who+"@partner.example", nil)
		s.Clock.Advance(time.Second)
	}
	var seen []string
	next := "/v1.0/auditLogs/directoryAudits?$top=2"
	for pages := 0; next != ""; pages++ {
		if pages > 3 {
			t.Fatal("more than 3 pages of 2 for 5 records")
		}
		var p auditPage
		wantAPI(t, "page", s.DoJSON(t, "GET", next, tn.Token, nil, &p), http.StatusOK)
		if len(p.Value) > 2 {
			t.Fatalf("page of %d, want at most 2", len(p.Value))
		}
		for _, a := range p.Value {
			seen = append(seen, (*a.TargetResources[0].UserPrincipalName)[:1])
		}
		if pages == 0 {
			s.Invite(t, tn, "late@partner.example", nil) // newer than the walk: not in it
		}
		next = strings.TrimPrefix(p.NextLink, s.URL)
	}
	want := "e|d|c|b|a"
	if strings.Join(seen, "|") != want {
		t.Errorf("walk = %q, want %q", seen, want)
	}
}
