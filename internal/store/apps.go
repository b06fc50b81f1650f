package store

import (
	"context"
	"time"

	"guestlist/internal/core"
)

// Apps is the storage of applications, their secrets and their assignments
// to users (SPEC R32, R41). Embedded in Tx. CreateApplication and
// GetApplication (by client id) are in Tx itself.
//
// Application ids: AppID is the client id, ID the Graph object id and
// ServicePrincipalID the id assignments name; each is unique per tenant.
// Tx.DeleteUser also removes the user's assignments, and DeleteTenant
// everything here.
type Apps interface {
	// ApplicationByID finds an application by its Graph object id;
	// core.ErrNotFound if the tenant has none with it.
	ApplicationByID(ctx context.Context, tenantID, objectID string) (*core.Application, error)
	// ApplicationByServicePrincipal finds an application by its service
	// principal id; core.ErrNotFound if the tenant has none with it.
	ApplicationByServicePrincipal(ctx context.Context, tenantID, spID string) (*core.Application, error)
	// ApplicationsByClientID finds the applications with client id appID
	// in every tenant, oldest first (none, no error, when there is none).
	ApplicationsByClientID(ctx context.Context, appID string) ([]core.Application, error)
	// ListApplications lists the tenant's applications, the admin
	// application included, oldest first.
	ListApplications(ctx context.Context, tenantID string) ([]core.Application, error)
	// ApplicationsPage is one page of ListApplications; the cursor's ID
	// is the application's client id (AppID).
	ApplicationsPage(ctx context.Context, tenantID string, p Page) ([]core.Application, error)
	// UpdateApplication writes a's display name, redirect URIs, home
	// page and sign-in audience; core.ErrNotFound if there is no application a.AppID.
	UpdateApplication(ctx context.Context, a *core.Application) error
	// DeleteApplication removes the application (by client id) with its
	// secrets and assignments; core.ErrNotFound if there is none.
	DeleteApplication(ctx context.Context, tenantID, appID string) error

	// AddAppSecret stores a secret; core.ErrNotFound if its application
	// does not exist, core.ErrConflict if it has a secret with that key id.
	AddAppSecret(ctx context.Context, s *core.AppSecret) error
	// AppSecrets lists an application's secrets, expired ones included,
	// oldest first; none (no error) for an unknown application.
	AppSecrets(ctx context.Context, tenantID, appID string) ([]core.AppSecret, error)
	// RemoveAppSecret deletes one secret; core.ErrNotFound if the
	// application has no secret keyID.
	RemoveAppSecret(ctx context.Context, tenantID, appID, keyID string) error

	// CreateAssignment gives a user access to an application.
	// core.ErrConflict if the user already has it (or the id is taken),
	// core.ErrNotFound if the user or the application does not exist.
	CreateAssignment(ctx context.Context, a *core.Assignment) error
	// DeleteAssignment removes the user's assignment id; core.ErrNotFound
	// if the user has no such assignment.
	DeleteAssignment(ctx context.Context, tenantID, userID, id string) error
	// UserAssignments lists the user's assignments, oldest first.
	UserAssignments(ctx context.Context, tenantID, userID string) ([]core.Assignment, error)
	// UserAssignmentsPage is one page of UserAssignments.
	UserAssignmentsPage(ctx context.Context, tenantID, userID string, p Page) ([]core.Assignment, error)
	// IsAssigned reports whether the user is assigned to the application
	// (client id).
	IsAssigned(ctx context.Context, tenantID, userID, appID string) (bool, error)

	// SetLastSignIn records the user's latest sign-in
	// (signInActivity.lastSignInDateTime); core.ErrNotFound if there is no
	// such user.
	SetLastSignIn(ctx context.Context, tenantID, userID string, at time.Time) error
}
