package graph

import (
	"net/http"
	"strings"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/roles"
	"guestlist/internal/store"
)

// A tenant's directory roles under /roleManagement/directory: the
// built-in role definitions (Graph's unifiedRoleDefinition) and who holds
// them (unifiedRoleAssignment). Only members of the tenant hold roles,
// and only at the tenant's scope "/".

type rolePermissionJSON struct {
	AllowedResourceActions []string `json:"allowedResourceActions"`
	Condition              *string  `json:"condition"`
}

type roleDefinitionJSON struct {
	Context         string               `json:"@odata.context,omitempty"`
	ID              string               `json:"id"`
	DisplayName     string               `json:"displayName"`
	Description     string               `json:"description"`
	IsBuiltIn       bool                 `json:"isBuiltIn"`
	IsEnabled       bool                 `json:"isEnabled"`
	TemplateID      string               `json:"templateId"`
	ResourceScopes  []string             `json:"resourceScopes"`
	RolePermissions []rolePermissionJSON `json:"rolePermissions"`
}

func toRoleDefinition(d roles.Definition) roleDefinitionJSON {
	return roleDefinitionJSON{ID: d.ID, DisplayName: d.DisplayName, Description: d.Description,
		IsBuiltIn: true, IsEnabled: true, TemplateID: d.ID, ResourceScopes: []string{roles.TenantScope},
		RolePermissions: []rolePermissionJSON{{AllowedResourceActions: d.Permissions}}}
}

type roleAssignmentJSON struct {
	Context          string `json:"@odata.context,omitempty"`
	ID               string `json:"id"`
	RoleDefinitionID string `json:"roleDefinitionId"`
	PrincipalID      string `json:"principalId"`
	DirectoryScopeID string `json:"directoryScopeId"`
}

func toRoleAssignment(x *core.RoleAssignment) roleAssignmentJSON {
	return roleAssignmentJSON{ID: x.ID, RoleDefinitionID: x.RoleDefinitionID, PrincipalID: x.PrincipalID,
		DirectoryScopeID: x.DirectoryScopeID}
}

const (
	roleDefinitionsPath = "roleManagement/directory/roleDefinitions"
	roleAssignmentsPath = "roleManagement/directory/roleAssignments"
)

func (a *API) listRoleDefinitions(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	defs := roles.Definitions()
	out := make([]roleDefinitionJSON, 0, len(defs))
	for _, d := range defs {
		out = append(out, toRoleDefinition(d))
	}
	a.writeCollection(w, r, roleDefinitionsPath, "", out)
	return nil
}

func (a *API) getRoleDefinition(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	d, ok := roles.Lookup(r.PathValue("id"))
	if !ok {
		return core.NotFoundf("the role definition %s does not exist", r.PathValue("id"))
	}
	j := toRoleDefinition(d)
	j.Context = a.context(r, roleDefinitionsPath+"/$entity")
	platform.WriteJSON(w, http.StatusOK, j)
	return nil
}

// createRoleAssignment: POST /roleManagement/directory/roleAssignments.
func (a *API) createRoleAssignment(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var req struct {
		Type             *string `json:"@odata.type"`
		RoleDefinitionID *string `json:"roleDefinitionId"`
		PrincipalID      *string `json:"principalId"`
		DirectoryScopeID *string `json:"directoryScopeId"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	switch {
	case req.RoleDefinitionID == nil || *req.RoleDefinitionID == "":
		return core.Invalidf("roleDefinitionId is required")
	case req.PrincipalID == nil || *req.PrincipalID == "":
		return core.Invalidf("principalId is required: the id of a member of the tenant")
	case req.DirectoryScopeID == nil:
		return core.Invalidf("directoryScopeId is required: %q (the whole tenant)", roles.TenantScope)
	}
	x, err := a.roles.Assign(r.Context(), t.ID, *req.RoleDefinitionID, *req.PrincipalID, *req.DirectoryScopeID)
	if err != nil {
		return err
	}
	j := toRoleAssignment(x)
	j.Context = a.context(r, roleAssignmentsPath+"/$entity")
	platform.WriteJSON(w, http.StatusCreated, j)
	return nil
}

// listRoleAssignments takes $filter=principalId eq '…' and
// roleDefinitionId eq '…', alone or joined with and.
func (a *API) listRoleAssignments(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	q := r.URL.Query()
	for k := range q {
		if strings.HasPrefix(k, "$") && k != "$filter" {
			return unsupported("query option %s is not supported", k)
		}
	}
	conds, err := parseFilter(q.Get("$filter"))
	if err != nil {
		return err
	}
	var f store.RoleFilter
	for prop, val := range conds {
		switch prop {
		case "principalid":
			f.PrincipalID = val
		case "roledefinitionid":
			f.RoleDefinitionID = val
		default:
			return unsupported("filtering on %q is not supported (use principalId or roleDefinitionId)", prop)
		}
	}
	list, err := a.roles.List(r.Context(), t.ID, f)
	if err != nil {
		return err
	}
	out := make([]roleAssignmentJSON, 0, len(list))
	for i := range list {
		out = append(out, toRoleAssignment(&list[i]))
	}
	a.writeCollection(w, r, roleAssignmentsPath, "", out)
	return nil
}

func (a *API) getRoleAssignment(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	x, err := a.roles.Get(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	j := toRoleAssignment(x)
	j.Context = a.context(r, roleAssignmentsPath+"/$entity")
	platform.WriteJSON(w, http.StatusOK, j)
	return nil
}

func (a *API) deleteRoleAssignment(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	if err := a.roles.Remove(r.Context(), t.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) roleRoutes() []route {
	const defs, asgs = "/roleManagement/directory/roleDefinitions", "/roleManagement/directory/roleAssignments"
	return []route{
		{"GET", defs, requires(a.listRoleDefinitions, roleRead, roleReadWrite)},
		{"GET", defs + "/{id}", requires(a.getRoleDefinition, roleRead, roleReadWrite)},
		{"POST", asgs, requires(a.createRoleAssignment, roleReadWrite)},
		{"GET", asgs, requires(a.listRoleAssignments, roleRead, roleReadWrite)},
		{"GET", asgs + "/{id}", requires(a.getRoleAssignment, roleRead, roleReadWrite)},
		{"DELETE", asgs + "/{id}", requires(a.deleteRoleAssignment, roleReadWrite)},
	}
}
