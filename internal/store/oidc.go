package store

import (
	"context"
	"time"

	"guestlist/internal/core"
)

// OIDC is the storage of the OpenID provider: authorization requests,
// token families and refresh tokens (SPEC R32). Embedded in Tx.
type OIDC interface {
	CreateAuthRequest(ctx context.Context, r *core.AuthRequest) error
	// GetAuthRequest returns a request unless it expired at now.
	GetAuthRequest(ctx context.Context, tenantID, id string, now time.Time) (*core.AuthRequest, error)
	// CompleteAuthRequest records who signed in; core.ErrConflict if the
	// request is already done.
	CompleteAuthRequest(ctx context.Context, tenantID, id, userID string, authTime time.Time, amr []string) error
	// SetAuthCode stores the keyed hash of the code issued for a done
	// request, which from then on lives until expiresAt, the code's end
	// (SPEC R32: codes live at most 5 minutes); core.ErrConflict if the
	// request is not done or already has a code.
	SetAuthCode(ctx context.Context, tenantID, id string, codeHash []byte, expiresAt time.Time) error
	// AuthRequestByCode finds a live request by its code's hash, exchanged
	// or not (the caller refuses and revokes on a second exchange).
	AuthRequestByCode(ctx context.Context, tenantID string, codeHash []byte, now time.Time) (*core.AuthRequest, error)
	// ExchangeAuthRequest marks the code used and records the family its
	// tokens belong to; core.ErrConflict if it was already exchanged.
	ExchangeAuthRequest(ctx context.Context, tenantID, id, familyID string) error

	CreateTokenFamily(ctx context.Context, f *core.TokenFamily) error
	GetTokenFamily(ctx context.Context, tenantID, id string) (*core.TokenFamily, error)
	// RevokeTokenFamily ends every token of the family (idempotent).
	RevokeTokenFamily(ctx context.Context, tenantID, id string, at time.Time) error
	// RevokeUserTokens ends every family of the user, or of the user at one
	// client when clientID is not empty (logout, reset, deletion).
	RevokeUserTokens(ctx context.Context, tenantID, userID, clientID string, at time.Time) error

	CreateRefreshToken(ctx context.Context, t *core.RefreshToken) error
	// GetRefreshToken returns a token by its hash, used or not, unless it
	// expired at now.
	GetRefreshToken(ctx context.Context, tenantID, id string, now time.Time) (*core.RefreshToken, error)
	// UseRefreshToken marks a token used; core.ErrConflict if it already
	// was (reuse: the caller revokes the family).
	UseRefreshToken(ctx context.Context, tenantID, id string, at time.Time) error
}
