package server_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// Directory roles under /v1.0/roleManagement/directory: the three built-in
// role definitions, and assignments of them to the tenant's members.

const (
	globalAdmin = "62e90394-69f5-4237-9190-012177145e10"
	guestInv    = "95e79109-95c0-4d8e-aee3-d01accf2d47b"
	userAdmin   = "fe930be7-5e62-47db-91af-98c3a49a38b1"
)

type roleDefinition struct {
	Context         string `json:"@odata.context"`
	ID              string `json:"id"`
	DisplayName     string `json:"displayName"`
	Description     string `json:"description"`
	IsBuiltIn       bool   `json:"isBuiltIn"`
	IsEnabled       bool   `json:"isEnabled"`
	TemplateID      string `json:"templateId"`
	RolePermissions []struct {
		AllowedResourceActions []string `json:"allowedResourceActions"`
	} `json:"rolePermissions"`
}

type roleAssignment struct {
	Context          string `json:"@odata.context"`
	ID               string `json:"id"`
	RoleDefinitionID string `json:"roleDefinitionId"`
	PrincipalID      string `json:"principalId"`
	DirectoryScopeID string `json:"directoryScopeId"`
}

type roleAssignmentPage struct {
	Context string           `json:"@odata.context"`
	Value   []roleAssignment `json:"value"`
}

const roleAssignmentsURL = "/v1.0/roleManagement/directory/roleAssignments"

// roleMember is a member of Fabrikam named nick.
func roleMember(nick string) map[string]any {
	return memberBody(nick, nick+"@fabrikam.example", "xWwvJ]6NMw+bWH-d", true)
}

func assignRole(t *testing.T, s *servertest.Server, tn servertest.Tenant, role, principal string) roleAssignment {
	t.Helper()
	var a roleAssignment
	wantAPI(t, "assign "+role, s.DoJSON(t, "POST", roleAssignmentsURL, tn.Token,
		map[string]any{"roleDefinitionId": role, "principalId": principal, "directoryScopeId": "/"}, &a), http.StatusCreated)
	if a.ID == "" || a.RoleDefinitionID != role || a.PrincipalID != principal || a.DirectoryScopeID != "/" ||
		a.Context != s.URL+"/v1.0/$metadata#roleManagement/directory/roleAssignments/$entity" {
		t.Fatalf("assignment %+v", a)
	}
	return a
}

func listRoleAssignments(t *testing.T, s *servertest.Server, tn servertest.Tenant, filter string) []string {
	t.Helper()
	path := roleAssignmentsURL
	if filter != "" {
		path += "?$filter=" + url.QueryEscape(filter)
	}
	var p roleAssignmentPage
	wantAPI(t, "list "+filter, s.DoJSON(t, "GET", path, tn.Token, nil, &p), http.StatusOK)
	if p.Context != s.URL+"/v1.0/$metadata#roleManagement/directory/roleAssignments" {
		t.Errorf("@odata.context %q", p.Context)
	}
	var ids []string
	for _, a := range p.Value {
		ids = append(ids, a.ID)
	}
	return ids
}

// sameIDs: got and want hold the same ids (the test clock stands still,
// so assignments made in one test have one creation time).
func sameIDs(got []string, want ...string) bool {
	return slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want)))
}

// TestRoleDefinitions: the three built-in roles with Graph's template ids,
// one by one; an unknown id is 404.
func TestRoleDefinitions(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	var p struct {
		Context string           `json:"@odata.context"`
		Value   []roleDefinition `json:"value"`
	}
	wantAPI(t, "list", s.DoJSON(t, "GET", "/v1.0/roleManagement/directory/roleDefinitions", tn.Token, nil, &p), http.StatusOK)
	names := map[string]string{}
	for _, d := range p.Value {
		names[d.ID] = d.DisplayName
		if !d.IsBuiltIn || !d.IsEnabled || d.TemplateID != d.ID || d.Description == "" ||
			len(d.RolePermissions) != 1 || len(d.RolePermissions[0].AllowedResourceActions) == 0 {
			t.Errorf("definition %+v", d)
		}
	}
	want := map[string]string{globalAdmin: "Global Administrator", guestInv: "Guest Inviter", userAdmin: "User Administrator"}
	if len(names) != 3 || names[globalAdmin] != want[globalAdmin] || names[guestInv] != want[guestInv] || names[userAdmin] != want[userAdmin] {
		t.Errorf("definitions %v, want %v", names, want)
	}
	var d roleDefinition
	wantAPI(t, "get", s.DoJSON(t, "GET", "/v1.0/roleManagement/directory/roleDefinitions/"+guestInv, tn.Token, nil, &d), http.StatusOK)
	if d.DisplayName != "Guest Inviter" || d.Context != s.URL+"/v1.0/$metadata#roleManagement/directory/roleDefinitions/$entity" {
		t.Errorf("Guest Inviter %+v", d)
	}
	wantGraphError(t, call(t, s, "GET", "/v1.0/roleManagement/directory/roleDefinitions/nope", tn.Token, "", nil),
		http.StatusNotFound, "")
}

// TestRoleAssignmentLifecycle: each role assigned to a member, listed and
// filtered, read, refused twice, removed; the audit log names each change.
func TestRoleAssignmentLifecycle(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	adele := createMember(t, s, tn, roleMember("AdeleV"))
	megan := createMember(t, s, tn, roleMember("MeganB"))
	ga := assignRole(t, s, tn, globalAdmin, adele.ID)
	gi := assignRole(t, s, tn, guestInv, megan.ID)
	ua := assignRole(t, s, tn, userAdmin, adele.ID)

	for filter, want := range map[string][]string{
		"":                                       {ga.ID, gi.ID, ua.ID},
		"principalId eq '" + adele.ID + "'":      {ga.ID, ua.ID},
		"roleDefinitionId eq '" + guestInv + "'": {gi.ID},
		"principalId eq '" + megan.ID + "' and roleDefinitionId eq '" + userAdmin + "'": nil,
	} {
		if got := listRoleAssignments(t, s, tn, filter); !sameIDs(got, want...) {
			t.Errorf("$filter=%s: %v, want %v", filter, got, want)
		}
	}
	wantGraphError(t, call(t, s, "GET", roleAssignmentsURL+"?$filter="+url.QueryEscape("appScopeId eq '/'"), tn.Token, "", nil),
		http.StatusBadRequest, "Request_UnsupportedQuery")

	var got roleAssignment
	wantAPI(t, "get", s.DoJSON(t, "GET", roleAssignmentsURL+"/"+gi.ID, tn.Token, nil, &got), http.StatusOK)
	if got != gi {
		t.Errorf("GET %+v, want %+v", got, gi)
	}

	dup := callJSON(t, s, "POST", roleAssignmentsURL, tn.Token,
		map[string]any{"roleDefinitionId": guestInv, "principalId": megan.ID, "directoryScopeId": "/"})
	wantGraphError(t, dup, http.StatusConflict, "")

	wantAPI(t, "delete", s.DoJSON(t, "DELETE", roleAssignmentsURL+"/"+gi.ID, tn.Token, nil, nil), http.StatusNoContent)
	wantGraphError(t, call(t, s, "GET", roleAssignmentsURL+"/"+gi.ID, tn.Token, "", nil), http.StatusNotFound, "")
	wantGraphError(t, call(t, s, "DELETE", roleAssignmentsURL+"/"+gi.ID, tn.Token, "", nil), http.StatusNotFound, "")
	if got := listRoleAssignments(t, s, tn, ""); !sameIDs(got, ga.ID, ua.ID) {
		t.Errorf("after delete: %v", got)
	}

	var adds, removes int
	for _, a := range audits(t, s, tn, "") {
		switch a.ActivityDisplayName {
		case "Add member to role":
			adds++
			if len(a.TargetResources) != 2 || a.TargetResources[0].Type != "User" || a.TargetResources[1].Type != "Role" {
				t.Errorf("addition record %+v", a)
			}
		case "Remove member from role":
			removes++
			if len(a.TargetResources) != 2 || a.TargetResources[0].ID != megan.ID || a.TargetResources[1].ID != guestInv ||
				a.InitiatedBy.App == nil {
				t.Errorf("removal record %+v", a)
			}
		}
	}
	if adds != 3 || removes != 1 {
		t.Errorf("%d additions and %d removals in the audit log, want 3 and 1", adds, removes)
	}
}

// TestRoleAssignmentRefusals: a guest, an unknown user, an unknown role,
// another scope and missing properties are 400 with a message that says
// what is wrong; nothing is assigned.
func TestRoleAssignmentRefusals(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	adele := createMember(t, s, tn, roleMember("AdeleV"))
	guest := invite(t, s, tn, "bob@contoso.example")
	body := func(role, principal, scope any) map[string]any {
		b := map[string]any{"roleDefinitionId": role, "principalId": principal, "directoryScopeId": scope}
		for k, v := range b {
			if v == nil {
				delete(b, k)
			}
		}
		return b
	}
	for name, c := range map[string]struct {
		body map[string]any
		says string
	}{
		"guest":         {body(guestInv, guest.userID, "/"), "guest"},
		"unknown user":  {body(guestInv, "00000000-0000-4000-8000-000000000001", "/"), "not a user of this tenant"},
		"unknown role":  {body("00000000-0000-4000-8000-000000000002", adele.ID, "/"), "roleDefinitionId"},
		"other scope":   {body(guestInv, adele.ID, "/administrativeUnits/1"), "directoryScopeId"},
		"no scope":      {body(guestInv, adele.ID, nil), "directoryScopeId"},
		"no role":       {body(nil, adele.ID, "/"), "roleDefinitionId"},
		"no principal":  {body(guestInv, nil, "/"), "principalId"},
		"unknown field": {map[string]any{"roleDefinitionId": guestInv, "principalId": adele.ID, "directoryScopeId": "/", "x": 1}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			msg := wantGraphError(t, callJSON(t, s, "POST", roleAssignmentsURL, tn.Token, c.body), http.StatusBadRequest, "")
			if !strings.Contains(strings.ToLower(msg), strings.ToLower(c.says)) {
				t.Errorf("message %q does not say %q", msg, c.says)
			}
		})
	}
	if got := listRoleAssignments(t, s, tn, ""); len(got) != 0 {
		t.Errorf("assignments after refusals: %v", got)
	}
}

// TestRoleAssignmentsCrossTenant: another tenant neither sees nor removes
// an assignment, nor assigns a role to a member it does not have.
func TestRoleAssignmentsCrossTenant(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	other := s.CreateTenant(t, "Contoso", "contoso.example")
	adele := createMember(t, s, tn, roleMember("AdeleV"))
	a := assignRole(t, s, tn, userAdmin, adele.ID)
	wantGraphError(t, call(t, s, "GET", roleAssignmentsURL+"/"+a.ID, other.Token, "", nil), http.StatusNotFound, "")
	wantGraphError(t, call(t, s, "DELETE", roleAssignmentsURL+"/"+a.ID, other.Token, "", nil), http.StatusNotFound, "")
	if got := listRoleAssignments(t, s, other, ""); len(got) != 0 {
		t.Errorf("the other tenant lists %v", got)
	}
	wantGraphError(t, callJSON(t, s, "POST", roleAssignmentsURL, other.Token,
		map[string]any{"roleDefinitionId": userAdmin, "principalId": adele.ID, "directoryScopeId": "/"}), http.StatusBadRequest, "")
	if got := listRoleAssignments(t, s, tn, ""); !sameIDs(got, a.ID) {
		t.Errorf("own tenant lists %v after the other's attempts", got)
	}
}

// TestDeleteUserRemovesRoles: deleting a member removes their role
// assignments, and no one else's.
func TestDeleteUserRemovesRoles(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	adele := createMember(t, s, tn, roleMember("AdeleV"))
	megan := createMember(t, s, tn, roleMember("MeganB"))
	assignRole(t, s, tn, globalAdmin, adele.ID)
	assignRole(t, s, tn, guestInv, adele.ID)
	keep := assignRole(t, s, tn, guestInv, megan.ID)
	wantAPI(t, "delete user", s.DoJSON(t, "DELETE", "/v1.0/users/"+adele.ID, tn.Token, nil, nil), http.StatusNoContent)
	if got := listRoleAssignments(t, s, tn, ""); !sameIDs(got, keep.ID) {
		t.Errorf("after deleting the user: %v, want only %s", got, keep.ID)
	}
	if got := listRoleAssignments(t, s, tn, "principalId eq '"+adele.ID+"'"); len(got) != 0 {
		t.Errorf("the deleted user still holds %v", got)
	}
}
