package core

import (
	"context"
	"time"
)

// Actor is who makes a change (SPEC R41): an application signed in with
// client credentials (the Graph surface), or a member of the tenant (the
// console). Services read it from the request's context (WithActor), so
// that every change site records it without each service taking it as a
// parameter.
type Actor struct {
	AppID              string
	AppDisplayName     string
	ServicePrincipalID string
	UserID             string
	UserPrincipalName  string
}

type actorKey struct{}

// WithActor returns ctx carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom is the actor ctx carries; the zero Actor (the system: a
// command-line operator, a background task) if none.
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// Audit results (Graph's operationResult).
const (
	ResultSuccess = "success"
	ResultFailure = "failure"
)

// AuditRecord is one change to a tenant's directory (Graph's
// directoryAudit, SPEC R41), written in the transaction of the change.
type AuditRecord struct {
	TenantID      string
	ID            string
	At            time.Time
	Category      string // UserManagement, ApplicationManagement, Policy
	Activity      string // Graph's activityDisplayName, e.g. "Invite external user"
	OperationType string // Add, Update, Delete
	Service       string // loggedByService: "Invited Users", "Core Directory"
	Result        string
	ResultReason  string
	Actor         Actor
	Targets       []AuditTarget
}

// AuditTarget is one object a change touched (Graph's targetResource).
type AuditTarget struct {
	ID                string             `json:"id"`
	DisplayName       string             `json:"displayName,omitempty"`
	Type              string             `json:"type"` // User, Application, ServicePrincipal, Policy
	UserPrincipalName string             `json:"userPrincipalName,omitempty"`
	Modified          []ModifiedProperty `json:"modifiedProperties,omitempty"`
}

// ModifiedProperty is one property a change set, old and new values as
// Graph shows them (JSON text); never a secret.
type ModifiedProperty struct {
	DisplayName string `json:"displayName"`
	OldValue    string `json:"oldValue,omitempty"`
	NewValue    string `json:"newValue,omitempty"`
}

// Cross-tenant access types of a sign-in (Graph's signIn).
const (
	AccessB2BCollaboration = "b2bCollaboration"
	AccessNone             = "none"
)

// SignInRecord is one interactive sign-in attempt (Graph's signIn, SPEC
// R41): ErrorCode 0 on success, else a Graph-like code with the reason.
type SignInRecord struct {
	TenantID          string
	ID                string
	At                time.Time
	UserID            string
	UserPrincipalName string
	UserDisplayName   string
	UserType          string
	AppID             string
	AppDisplayName    string
	IPAddress         string
	Method            Method
	ErrorCode         int
	FailureReason     string
	CrossTenantAccess string
	HomeTenantID      string
}
