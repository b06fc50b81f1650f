package graph

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"guestlist/internal/core"
	"guestlist/internal/platform"
)

// servicePrincipalJSON is Graph's servicePrincipal: an application's
// presence in the tenant, the resource that users are assigned to.
type servicePrincipalJSON struct {
	Context              string `json:"@odata.context,omitempty"`
	ID                   string `json:"id"`
	AppID                string `json:"appId"`
	DisplayName          string `json:"displayName"`
	ServicePrincipalType string `json:"servicePrincipalType"`
	// AppRoleAssignmentRequired: only assigned users may sign in (default
	// false, as in Entra).
	AppRoleAssignmentRequired bool `json:"appRoleAssignmentRequired"`
}

func toServicePrincipal(a *core.Application) servicePrincipalJSON {
	return servicePrincipalJSON{ID: a.ServicePrincipalID, AppID: a.AppID, DisplayName: a.DisplayName,
		ServicePrincipalType: "Application", AppRoleAssignmentRequired: a.AssignmentRequired}
}

// parseAppIDQuery reads the OData options of the application and service
// principal lists: only $filter=appId eq '…' (and $select, ignored).
func parseAppIDQuery(q url.Values) (string, error) {
	for k := range q {
		if strings.HasPrefix(k, "$") && k != "$filter" && k != "$select" {
			return "", unsupported("query option %s is not supported", k)
		}
	}
	conds, err := parseFilter(q.Get("$filter"))
	if err != nil {
		return "", err
	}
	appID := ""
	for prop, val := range conds {
		if prop != "appid" {
			return "", unsupported("filtering on %q is not supported (use appId)", prop)
		}
		appID = strings.ToLower(val)
	}
	return appID, nil
}

// applicationsMatching lists the tenant's applications, or only the one
// with the client id of a `$filter=appId eq '…'`, read on its own (an empty
// list when there is none, as Graph answers a filter).
func (a *API) applicationsMatching(ctx context.Context, t *core.Tenant, q url.Values) ([]core.Application, error) {
	appID, err := parseAppIDQuery(q)
	if err != nil {
		return nil, err
	}
	if appID == "" {
		return a.st.ListApplications(ctx, t.ID)
	}
	app, err := a.st.GetApplication(ctx, t.ID, appID)
	if errors.Is(err, core.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return []core.Application{*app}, nil
}

func (a *API) listServicePrincipals(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	list, err := a.applicationsMatching(r.Context(), t, r.URL.Query())
	if err != nil {
		return err
	}
	out := make([]servicePrincipalJSON, 0, len(list))
	for i := range list {
		out = append(out, toServicePrincipal(&list[i]))
	}
	platform.WriteJSON(w, http.StatusOK, map[string]any{"@odata.context": a.context("servicePrincipals"), "value": out})
	return nil
}

func (a *API) getServicePrincipal(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	app, err := a.st.ApplicationByServicePrincipal(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	out := toServicePrincipal(app)
	out.Context = a.context("servicePrincipals/$entity")
	platform.WriteJSON(w, http.StatusOK, out)
	return nil
}

// patchServicePrincipal: only appRoleAssignmentRequired can be set; 204
// No Content as Graph answers.
func (a *API) patchServicePrincipal(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var req struct {
		OdataType                 string `json:"@odata.type"`
		AppRoleAssignmentRequired *bool  `json:"appRoleAssignmentRequired"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.AppRoleAssignmentRequired == nil {
		return core.Invalidf("property appRoleAssignmentRequired (boolean) is the one property that can be set")
	}
	if _, err := a.apps.SetAssignmentRequired(r.Context(), t.ID, r.PathValue("id"), *req.AppRoleAssignmentRequired); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// appRoleAssignedTo lists the assignments of users to the application.
func (a *API) appRoleAssignedTo(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	spID := r.PathValue("id")
	list, err := a.apps.AssignedTo(r.Context(), t.ID, spID)
	if err != nil {
		return err
	}
	a.writeAssignments(w, "servicePrincipals('"+spID+"')/appRoleAssignedTo", list)
	return nil
}
