package store

import (
	"context"
	"time"

	"guestlist/internal/core"
)

// PasswordLinks are the one-time set-password links of members (SPEC
// R43). Embedded in Tx.
type PasswordLinks interface {
	// IssuePasswordLink stores l and deletes every other link of its user,
	// so only the newest link works.
	IssuePasswordLink(ctx context.Context, l *core.PasswordLink) error
	// PasswordLinkByHash is the tenant's link whose token hashes to hash,
	// used or not, expired or not; core.ErrNotFound if there is none.
	PasswordLinkByHash(ctx context.Context, tenantID string, hash []byte) (*core.PasswordLink, error)
	// UsePasswordLink marks the link used at at; core.ErrConflict if it
	// was used already, core.ErrNotFound if the tenant has no such link.
	UsePasswordLink(ctx context.Context, tenantID, id string, at time.Time) error
}
