package graph

import (
	"net/http"

	"guestlist/internal/apps"
	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// appRoleAssignmentJSON is Graph's appRoleAssignment of a user: the user
// (principal) may use the application (resource, its service principal)
// with the default role.
type appRoleAssignmentJSON struct {
	Context              string `json:"@odata.context,omitempty"`
	ID                   string `json:"id"`
	AppRoleID            string `json:"appRoleId"`
	CreatedDateTime      string `json:"createdDateTime"`
	PrincipalID          string `json:"principalId"`
	PrincipalDisplayName string `json:"principalDisplayName"`
	PrincipalType        string `json:"principalType"`
	ResourceID           string `json:"resourceId"`
	ResourceDisplayName  string `json:"resourceDisplayName"`
}

func toAssignment(x *apps.Assignment) appRoleAssignmentJSON {
	name := x.User.DisplayName
	if name == "" {
		name = x.User.Mail
	}
	return appRoleAssignmentJSON{
		ID: x.ID, AppRoleID: apps.DefaultRole, CreatedDateTime: graphTime(x.CreatedAt),
		PrincipalID: x.UserID, PrincipalDisplayName: name, PrincipalType: "User",
		ResourceID: x.App.ServicePrincipalID, ResourceDisplayName: x.App.DisplayName,
	}
}

// createAssignment: POST /users/{id}/appRoleAssignments. Pending guests
// can be assigned too: the application is theirs once they redeem.
func (a *API) createAssignment(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var req struct {
		PrincipalID *string `json:"principalId"`
		ResourceID  *string `json:"resourceId"`
		AppRoleID   *string `json:"appRoleId"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	userID := r.PathValue("id")
	switch {
	case req.PrincipalID == nil || *req.PrincipalID == "":
		return core.Invalidf("principalId is required: the id of the user in the URL")
	case *req.PrincipalID != userID:
		return core.Invalidf("principalId must be the id of the user in the URL (%s)", userID)
	case req.ResourceID == nil || *req.ResourceID == "":
		return core.Invalidf("resourceId is required: the id of the application's service principal")
	case req.AppRoleID != nil && *req.AppRoleID != apps.DefaultRole:
		return core.Invalidf("appRoleId must be %s (default access): applications define no other roles", apps.DefaultRole)
	}
	x, err := a.apps.Assign(r.Context(), t.ID, userID, *req.ResourceID)
	if err != nil {
		return err
	}
	out := toAssignment(x)
	out.Context = a.context(r, "users('"+userID+"')/appRoleAssignments/$entity")
	platform.WriteJSON(w, http.StatusCreated, out)
	return nil
}

func (a *API) listAssignments(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	userID := r.PathValue("id")
	p, err := a.pageOf(r, t, "users/"+userID+"/appRoleAssignments")
	if err != nil {
		return err
	}
	_, list, err := a.apps.Assignments(r.Context(), t.ID, userID, p.page())
	if err != nil {
		return err
	}
	a.writeAssignments(w, r, p, "users('"+userID+"')/appRoleAssignments", list)
	return nil
}

// writeAssignments answers a page of a collection of assignments (a
// user's, or an application's) under its OData context. list was read
// with p.page().
func (a *API) writeAssignments(w http.ResponseWriter, r *http.Request, p *pager, context string, list []apps.Assignment) {
	list, next := cut(a, r, p, list, func(x *apps.Assignment) store.Cursor {
		return store.Cursor{CreatedAt: x.CreatedAt, ID: x.ID}
	})
	out := make([]appRoleAssignmentJSON, 0, len(list))
	for i := range list {
		out = append(out, toAssignment(&list[i]))
	}
	a.writeCollection(w, r, context, next, out)
}

func (a *API) deleteAssignment(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	if err := a.apps.Unassign(r.Context(), t.ID, r.PathValue("id"), r.PathValue("assignmentId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
