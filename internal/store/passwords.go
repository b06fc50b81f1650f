package store

import (
	"context"

	"guestlist/internal/core"
)

// Passwords are the passwords of members and personal accounts (SPEC R10
// steps 1, 4 and 6), stored as Argon2id PHC strings. Embedded in Tx.
type Passwords interface {
	// SetPassword stores p as the user's password, replacing any;
	// core.ErrNotFound if the tenant has no such user.
	SetPassword(ctx context.Context, p *core.Password) error
	// GetPassword is the user's password; core.ErrNotFound if they have
	// none.
	GetPassword(ctx context.Context, tenantID, userID string) (*core.Password, error)
	// PasswordByMail is the user with the address key mailKey and their
	// password, in one read; core.ErrNotFound unless both exist.
	PasswordByMail(ctx context.Context, tenantID, mailKey string) (*core.User, *core.Password, error)
}
