package graph

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/store"
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
// principal lists: only $filter=appId eq '…' (and $select, ignored), and
// the paging options $top and $skiptoken.
func parseAppIDQuery(q url.Values) (string, error) {
	for k := range q {
		if strings.HasPrefix(k, "$") && k != "$filter" && k != "$select" && k != "$top" && k != "$skiptoken" {
			return "", unsupported("query option %s is not supported", k)
		}
	}
	f := strings.TrimSpace(q.Get("$filter"))
	if f == "" {
		return "", nil
	}
	n, err := parseFilterExpr(f)
	if err != nil {
		return "", err
	}
	c, ok := n.(compareNode)
	if ok && !strings.EqualFold(c.prop, "appId") {
		return "", unsupported("filtering on %q is not supported (use appId)", c.prop)
	}
	if !ok || c.op != "eq" || c.val.kind != litString {
		return "", unsupported("this $filter is not supported (use appId eq '…')")
	}
	return strings.ToLower(c.val.s), nil
}

// applicationsMatching lists one page of the tenant's applications (the
// collection's), with the nextLink to the next, or only the one with the
// client id of a `$filter=appId eq '…'`, read on its own (an empty list
// when there is none, as Graph answers a filter; never a next page).
func (a *API) applicationsMatching(r *http.Request, t *core.Tenant, collection string) ([]core.Application, string, error) {
	appID, err := parseAppIDQuery(r.URL.Query())
	if err != nil {
		return nil, "", err
	}
	p, err := a.pageOf(r, t, collection)
	if err != nil {
		return nil, "", err
	}
	if appID != "" {
		app, err := a.st.GetApplication(r.Context(), t.ID, appID)
		if errors.Is(err, core.ErrNotFound) {
			return nil, "", nil
		} else if err != nil {
			return nil, "", err
		}
		return []core.Application{*app}, "", nil
	}
	list, err := a.st.ApplicationsPage(r.Context(), t.ID, p.page())
	if err != nil {
		return nil, "", err
	}
	list, next := cut(a, r, p, list, func(x *core.Application) store.Cursor {
		return store.Cursor{CreatedAt: x.CreatedAt, ID: x.AppID}
	})
	return list, next, nil
}

func (a *API) listServicePrincipals(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	list, next, err := a.applicationsMatching(r, t, "servicePrincipals")
	if err != nil {
		return err
	}
	out := make([]servicePrincipalJSON, 0, len(list))
	for i := range list {
		out = append(out, toServicePrincipal(&list[i]))
	}
	a.writeCollection(w, r, "servicePrincipals", next, out)
	return nil
}

func (a *API) getServicePrincipal(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	app, err := a.st.ApplicationByServicePrincipal(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	out := toServicePrincipal(app)
	out.Context = a.context(r, "servicePrincipals/$entity")
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
	p, err := a.pageOf(r, t, "servicePrincipals/"+spID+"/appRoleAssignedTo")
	if err != nil {
		return err
	}
	list, err := a.apps.AssignedTo(r.Context(), t.ID, spID, p.page())
	if err != nil {
		return err
	}
	a.writeAssignments(w, r, p, "servicePrincipals('"+spID+"')/appRoleAssignedTo", list)
	return nil
}
