// Package audit writes the audit log (SPEC R41): each service calls Record
// once per change, in the change's transaction, so a change that rolls
// back leaves no record and one that commits always has its record. The
// actor is the one the request's context carries (core.WithActor).
package audit

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// Activities, named as Entra ID's audit log names them
// (activityDisplayName), so queries written for Graph find them.
const (
	InviteExternalUser    = "Invite external user"
	ResetRedemption       = "Reset user redemption"
	AddUser               = "Add user"
	UpdateUser            = "Update user"
	DisableAccount        = "Disable account"
	EnableAccount         = "Enable account"
	ResetPassword         = "Reset user password"
	RevokeSessions        = "Invalidate all refresh tokens for user"
	DeleteUser            = "Delete user"
	AddApplication        = "Add application"
	UpdateApplication     = "Update application"
	DeleteApplication     = "Delete application"
	UpdateSecrets         = "Update application – Certificates and secrets management"
	UpdateSP              = "Update service principal"
	AddAssignment         = "Add app role assignment grant to user"
	RemoveAssignment      = "Remove app role assignment from user"
	UpdateAuthMethods     = "Authentication Methods Policy Update"
	UpdateCrossTenantDflt = "Update the company default cross-tenant access setting"
	// guestlist's own activities, for what Entra ID has no such action.
	ResendInvitation       = "Resend invitation"
	RevokeInvitation       = "Revoke invitation"
	UpdateInvitationPolicy = "Update invitation policy"
	UpdateB2BPolicy        = "Update B2B management policy"
	UpdateAuthzPolicy      = "Update authorization policy"
	// The first administrator's set-password link (R43): mailed by the
	// operator, used by the administrator.
	SendPasswordLink    = "Send set-password link"
	SetPasswordWithLink = "Set password with link"
	// Identity providers (R41). Entra ID logs "Add identity provider",
	// "Update identity provider" and "Delete identity provider" for its
	// identityProviders; for a domain's SAML federation it logs "Set
	// domain authentication" and "Set federation settings on domain" —
	// the latter is used here for adding or removing a federated domain
	// (its category and service below are unverified guesses).
	AddIdentityProvider    = "Add identity provider"
	UpdateIdentityProvider = "Update identity provider"
	DeleteIdentityProvider = "Delete identity provider"
	SetDomainFederation    = "Set federation settings on domain"
	// Directory roles, as Entra ID logs them.
	AddMemberToRole      = "Add member to role"
	RemoveMemberFromRole = "Remove member from role"
	// Security info (a member's authenticator app and recovery codes),
	// as Entra ID's Authentication Methods service logs it. Entra ID has
	// no activity of its own for new recovery codes; "User updated
	// security info" is the nearest, and unverified.
	RegisterSecurityInfo    = "User registered security info"
	UpdateSecurityInfo      = "User updated security info"
	DeleteSecurityInfo      = "User deleted security info"
	AdminDeleteSecurityInfo = "Admin deleted security info"
	// guestlist's own: the setting that requires an authenticator app of
	// directory role holders.
	UpdateAdminMFAPolicy = "Update multifactor authentication policy for administrators"
	// Company branding: guestlist's own name for changes to the logo,
	// accent colour, sign-in text, privacy statement URL and the
	// passcode-in-subject setting (its category is an unverified guess).
	UpdateBranding = "Update company branding"
)

// Target types (Graph's targetResource type).
const (
	TypeUser             = "User"
	TypeApplication      = "Application"
	TypeServicePrincipal = "ServicePrincipal"
	TypePolicy           = "Policy"
	TypeIdentityProvider = "IdentityProvider"
	TypeRole             = "Role"
	TypeBranding         = "OrganizationalBranding"
)

// Record writes one successful change made by ctx's actor at at.
func Record(ctx context.Context, tx store.Tx, at time.Time, tenantID, activity string, targets ...core.AuditTarget) error {
	category, op, service := describe(activity)
	return tx.RecordAudit(ctx, &core.AuditRecord{
		TenantID: tenantID, ID: newID(), At: at, Category: category, Activity: activity,
		OperationType: op, Service: service, Result: core.ResultSuccess, Actor: core.ActorFrom(ctx),
		Targets: targets,
	})
}

// describe is an activity's category, operation type and logging service
// as Entra ID reports them.
func describe(activity string) (category, op, service string) {
	switch activity {
	case InviteExternalUser, ResetRedemption:
		return "UserManagement", "Add", "Invited Users"
	case AddUser, AddAssignment:
		return "UserManagement", "Add", "Core Directory"
	case DeleteUser:
		return "UserManagement", "Delete", "Core Directory"
	case RemoveAssignment:
		return "UserManagement", "Delete", "Core Directory"
	case AddApplication:
		return "ApplicationManagement", "Add", "Core Directory"
	case DeleteApplication:
		return "ApplicationManagement", "Delete", "Core Directory"
	case UpdateApplication, UpdateSecrets, UpdateSP:
		return "ApplicationManagement", "Update", "Core Directory"
	case UpdateAuthMethods:
		return "Policy", "Update", "Authentication Methods"
	case UpdateInvitationPolicy, UpdateB2BPolicy, UpdateAuthzPolicy:
		return "Policy", "Update", "Core Directory"
	case ResendInvitation, RevokeInvitation:
		return "UserManagement", "Update", "Invited Users"
	case UpdateCrossTenantDflt:
		return "CrossTenantAccessSettings", "Update", "Core Directory"
	case AddIdentityProvider:
		return "DirectoryManagement", "Add", "Core Directory"
	case UpdateIdentityProvider, SetDomainFederation:
		return "DirectoryManagement", "Update", "Core Directory"
	case DeleteIdentityProvider:
		return "DirectoryManagement", "Delete", "Core Directory"
	case AddMemberToRole:
		return "RoleManagement", "Assign", "Core Directory"
	case RemoveMemberFromRole:
		return "RoleManagement", "Unassign", "Core Directory"
	case RegisterSecurityInfo:
		return "UserManagement", "Add", "Authentication Methods"
	case UpdateSecurityInfo:
		return "UserManagement", "Update", "Authentication Methods"
	case DeleteSecurityInfo, AdminDeleteSecurityInfo:
		return "UserManagement", "Delete", "Authentication Methods"
	case UpdateAdminMFAPolicy:
		return "Policy", "Update", "Authentication Methods"
	case UpdateBranding:
		return "DirectoryManagement", "Update", "Core Directory"
	}
	return "UserManagement", "Update", "Core Directory"
}

// User is a user as a target, with what the change set.
func User(u *core.User, modified ...core.ModifiedProperty) core.AuditTarget {
	return core.AuditTarget{ID: u.ID, DisplayName: u.DisplayName, Type: TypeUser,
		UserPrincipalName: u.UserPrincipalName, Modified: modified}
}

// UserID is a user known only by id (the change did not read it).
func UserID(id string, modified ...core.ModifiedProperty) core.AuditTarget {
	return core.AuditTarget{ID: id, Type: TypeUser, Modified: modified}
}

// App is an application as a target.
func App(a *core.Application, modified ...core.ModifiedProperty) core.AuditTarget {
	return core.AuditTarget{ID: a.ID, DisplayName: a.DisplayName, Type: TypeApplication, Modified: modified}
}

// ServicePrincipal is an application's service principal as a target.
func ServicePrincipal(a *core.Application, modified ...core.ModifiedProperty) core.AuditTarget {
	return core.AuditTarget{ID: a.ServicePrincipalID, DisplayName: a.DisplayName, Type: TypeServicePrincipal, Modified: modified}
}

// Policy is a tenant policy as a target.
func Policy(id, name string, modified ...core.ModifiedProperty) core.AuditTarget {
	return core.AuditTarget{ID: id, DisplayName: name, Type: TypePolicy, Modified: modified}
}

// Branding is a tenant's company branding as a target.
func Branding(tenantID, org string, modified ...core.ModifiedProperty) core.AuditTarget {
	return core.AuditTarget{ID: tenantID, DisplayName: org, Type: TypeBranding, Modified: modified}
}

// Set is a property the change set, old and new values as JSON text (as
// Graph shows them). Never pass a secret: name the property with nil
// values instead.
func Set(name string, old, new any) core.ModifiedProperty {
	return core.ModifiedProperty{DisplayName: name, OldValue: jsonValue(old), NewValue: jsonValue(new)}
}

func jsonValue(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// newID is a time-ordered id (UUIDv7): records made in the same
// microsecond still list in the order they were made.
func newID() string {
	if id, err := uuid.NewV7(); err == nil {
		return id.String()
	}
	return uuid.NewString()
}
