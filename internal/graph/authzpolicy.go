package graph

import (
	"net/http"

	"guestlist/internal/core"
	"guestlist/internal/platform"
)

// authorizationPolicyJSON is Graph's authorizationPolicy. guestlist keeps
// allowInvitesFrom; the other properties are Graph's defaults for a new
// tenant, shown so that clients reading them find what Entra would say,
// and cannot be changed.
type authorizationPolicyJSON struct {
	Context                                   string         `json:"@odata.context,omitempty"`
	ID                                        string         `json:"id"`
	DisplayName                               string         `json:"displayName"`
	Description                               string         `json:"description"`
	AllowInvitesFrom                          string         `json:"allowInvitesFrom"`
	AllowedToSignUpEmailBasedSubscriptions    bool           `json:"allowedToSignUpEmailBasedSubscriptions"`
	AllowedToUseSSPR                          bool           `json:"allowedToUseSSPR"`
	AllowEmailVerifiedUsersToJoinOrganization bool           `json:"allowEmailVerifiedUsersToJoinOrganization"`
	BlockMsolPowerShell                       bool           `json:"blockMsolPowerShell"`
	GuestUserRoleID                           string         `json:"guestUserRoleId"`
	DefaultUserRolePermissions                userRolePermsJ `json:"defaultUserRolePermissions"`
}

// userRolePermsJ is Graph's defaultUserRolePermissions, at its defaults.
type userRolePermsJ struct {
	AllowedToCreateApps           bool `json:"allowedToCreateApps"`
	AllowedToCreateSecurityGroups bool `json:"allowedToCreateSecurityGroups"`
	AllowedToCreateTenants        bool `json:"allowedToCreateTenants"`
	AllowedToReadOtherUsers       bool `json:"allowedToReadOtherUsers"`
}

// guestUserRole is Entra's "Guest User" role, the default guestUserRoleId.
const guestUserRole = "10dae51f-b6af-4016-8d66-8c2a99b929b3"

func (a *API) getAuthorizationPolicy(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	platform.WriteJSON(w, http.StatusOK, authorizationPolicyJSON{
		Context: a.context(r, "policies/authorizationPolicy/$entity"),
		ID:      "authorizationPolicy", DisplayName: "Authorization Policy",
		Description:                            "Used to manage authorization related settings across the company.",
		AllowInvitesFrom:                       t.InvitesFrom(),
		AllowedToSignUpEmailBasedSubscriptions: true, AllowedToUseSSPR: true,
		GuestUserRoleID: guestUserRole,
		DefaultUserRolePermissions: userRolePermsJ{AllowedToCreateApps: true, AllowedToCreateSecurityGroups: true,
			AllowedToCreateTenants: true, AllowedToReadOtherUsers: true},
	})
	return nil
}

// patchAuthorizationPolicy sets allowInvitesFrom; every other property
// is refused by name (decode), as guestlist does not apply it.
func (a *API) patchAuthorizationPolicy(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var req struct {
		OdataType        string  `json:"@odata.type"`
		ID               string  `json:"id"`
		AllowInvitesFrom *string `json:"allowInvitesFrom"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.AllowInvitesFrom == nil {
		return core.Invalidf("allowInvitesFrom is required: it is the only property guestlist changes")
	}
	if err := a.invites.SetInvitesFrom(r.Context(), t.ID, *req.AllowInvitesFrom); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
