package store

import (
	"context"
	"time"

	"guestlist/internal/core"
)

// MFA is members' authenticator apps and their recovery codes. The
// secret arrives sealed and codes arrive hashed: the store never sees
// either in clear. Embedded in Tx.
type MFA interface {
	// PutAuthenticator stores a as the user's pending authenticator,
	// replacing a pending one; core.ErrConflict if the user has an
	// active one, core.ErrNotFound if the tenant has no such user.
	PutAuthenticator(ctx context.Context, a *core.Authenticator) error
	// GetAuthenticator is the user's authenticator, pending or active;
	// core.ErrNotFound if they have none.
	GetAuthenticator(ctx context.Context, tenantID, userID string) (*core.Authenticator, error)
	// ActivateAuthenticator makes the user's pending authenticator active
	// at at, with step as its last accepted time step; core.ErrConflict
	// unless the user has a pending one (another confirmation won).
	ActivateAuthenticator(ctx context.Context, tenantID, userID string, at time.Time, step int64) error
	// AdvanceStep records step as the last accepted time step of the
	// user's active authenticator; core.ErrConflict unless step is later
	// than the stored one (a replayed code, or a race another use won).
	AdvanceStep(ctx context.Context, tenantID, userID string, step int64) error
	// DeleteAuthenticator removes the user's authenticator and recovery
	// codes; core.ErrNotFound if they have no authenticator.
	DeleteAuthenticator(ctx context.Context, tenantID, userID string) error
	// SetRecoveryCodes replaces the user's recovery codes with hashes.
	SetRecoveryCodes(ctx context.Context, tenantID, userID string, hashes [][]byte, at time.Time) error
	// UseRecoveryCode spends the user's unused code hash at at;
	// core.ErrNotFound if the user has no such unused code.
	UseRecoveryCode(ctx context.Context, tenantID, userID string, hash []byte, at time.Time) error
	// RecoveryCodesLeft counts the user's unused recovery codes.
	RecoveryCodesLeft(ctx context.Context, tenantID, userID string) (int, error)
}
