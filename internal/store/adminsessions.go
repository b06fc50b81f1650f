package store

import (
	"context"
	"time"

	"guestlist/internal/core"
)

// AdminSessions are the admin console's sessions (R43). Embedded in Tx.
type AdminSessions interface {
	// CreateAdminSession stores s.
	CreateAdminSession(ctx context.Context, s *core.AdminSession) error
	// AdminSession reads the tenant's session by id; core.ErrNotFound if
	// there is none.
	AdminSession(ctx context.Context, tenantID, id string) (*core.AdminSession, error)
	// TouchAdminSession records that the session was used at seen.
	TouchAdminSession(ctx context.Context, tenantID, id string, seen time.Time) error
	// PassAdminSecondFactor marks the pending session as complete, to end
	// at expires; core.ErrNotFound if there is no such pending session.
	PassAdminSecondFactor(ctx context.Context, tenantID, id string, expires time.Time) error
	// DeleteAdminSession ends one session (sign-out); no error if it was
	// already gone.
	DeleteAdminSession(ctx context.Context, tenantID, id string) error
	// DeleteAdminSessionsOf ends every console session of the tenant's
	// user ("sign out everywhere") and says how many there were.
	DeleteAdminSessionsOf(ctx context.Context, tenantID, userID string) (int, error)
}
