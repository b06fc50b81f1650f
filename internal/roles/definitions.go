package roles

import "slices"

// Role definition ids: Graph's directory role template ids, which are
// also the role definitions' ids in every tenant.
const (
	GlobalAdministrator = "62e90394-69f5-4237-9190-012177145e10"
	GuestInviter        = "95e79109-95c0-4d8e-aee3-d01accf2d47b"
	UserAdministrator   = "fe930be7-5e62-47db-91af-98c3a49a38b1"
)

// TenantScope is the only directory scope: the whole tenant.
const TenantScope = "/"

// Action is something the admin console lets a role holder do.
type Action string

// Actions.
const (
	Invite          Action = "invite"
	ReadGuests      Action = "readGuests"
	ManageUsers     Action = "manageUsers"
	ResetRedemption Action = "resetRedemption"
	ManagePolicies  Action = "managePolicies"
	ManageApps      Action = "manageApps"
	ReadAudit       Action = "readAudit"
)

// Definition is a built-in directory role (Graph's unifiedRoleDefinition).
type Definition struct {
	ID          string
	DisplayName string
	Description string
	// Permissions summarise what the role allows, as Graph's
	// rolePermissions allowedResourceActions.
	Permissions []string
	// Actions are what the role allows in guestlist.
	Actions []Action
}

var definitions = []Definition{
	{
		ID:          GlobalAdministrator,
		DisplayName: "Global Administrator",
		Description: "Can manage all aspects of the tenant.",
		Permissions: []string{"microsoft.directory/allEntities/allProperties/allTasks"},
		Actions:     []Action{Invite, ReadGuests, ManageUsers, ResetRedemption, ManagePolicies, ManageApps, ReadAudit},
	},
	{
		ID:          GuestInviter,
		DisplayName: "Guest Inviter",
		Description: "Can invite guest users independent of the 'members can invite guests' setting.",
		Permissions: []string{"microsoft.directory/users/inviteGuest", "microsoft.directory/users/standard/read"},
		Actions:     []Action{Invite, ReadGuests},
	},
	{
		ID:          UserAdministrator,
		DisplayName: "User Administrator",
		Description: "Can manage all aspects of users, including resetting their redemption.",
		Permissions: []string{"microsoft.directory/users/allProperties/allTasks", "microsoft.directory/users/inviteGuest"},
		Actions:     []Action{Invite, ReadGuests, ManageUsers, ResetRedemption},
	},
}

// Definitions are the built-in roles, in a stable order.
func Definitions() []Definition {
	out := make([]Definition, len(definitions))
	for i, d := range definitions {
		d.Permissions = slices.Clone(d.Permissions)
		d.Actions = slices.Clone(d.Actions)
		out[i] = d
	}
	return out
}

// Lookup is the role definition id; ok is false for an unknown id.
func Lookup(id string) (Definition, bool) {
	for _, d := range Definitions() {
		if d.ID == id {
			return d, true
		}
	}
	return Definition{}, false
}

// Can reports whether holding roles (role definition ids) allows action.
// Unknown roles allow nothing.
func Can(roles []string, action Action) bool {
	for _, r := range roles {
		for _, d := range definitions {
			if d.ID == r && slices.Contains(d.Actions, action) {
				return true
			}
		}
	}
	return false
}
