package store

import (
	"context"
	"time"

	"guestlist/internal/core"
)

// Assignments is who may use an application that requires assignment
// (SPEC R7, R41): the service principal's appRoleAssignmentRequired and
// the application's side of its assignments. Embedded in Tx.
type Assignments interface {
	// SetAssignmentRequired writes the application's (client id)
	// appRoleAssignmentRequired; core.ErrNotFound if there is none.
	SetAssignmentRequired(ctx context.Context, tenantID, appID string, required bool) error
	// AppAssignments lists the assignments to the application (client
	// id), oldest first; none (no error) for an unknown application.
	AppAssignments(ctx context.Context, tenantID, appID string) ([]core.Assignment, error)
	// AppAssignmentsPage is one page of AppAssignments.
	AppAssignmentsPage(ctx context.Context, tenantID, appID string, p Page) ([]core.Assignment, error)
	// EndUnassignedAppAccess revokes the token families at the client
	// (client id) of every user not assigned to it: the application came
	// to require assignment. Idempotent.
	EndUnassignedAppAccess(ctx context.Context, tenantID, clientID string, at time.Time) error
}
