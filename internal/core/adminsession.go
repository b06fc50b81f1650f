package core

import "time"

// AdminSession is a member's signed-in visit to the admin console (R43),
// apart from any session the same person has as a guest or member of the
// tenant's applications: its own cookie, its own lifetimes, and it can be
// ended everywhere at once. Its ID is a keyed hash of the cookie's token:
// the token itself is never stored.
type AdminSession struct {
	TenantID string
	ID       string
	UserID   string
	// CreatedAt starts the absolute lifetime; SeenAt the idle one.
	CreatedAt time.Time
	SeenAt    time.Time
	// ExpiresAt is CreatedAt plus the absolute lifetime.
	ExpiresAt time.Time
	// Pending is true while the session waits for the second factor: it
	// opens no console page until the member's authenticator app code is
	// right.
	Pending bool
	// ClientIP and UserAgent are where the session was started, shown to
	// the member among their sessions.
	ClientIP  string
	UserAgent string
}
