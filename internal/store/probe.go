package store

import (
	"context"
	"time"
)

// Prober is implemented by stores that can show that writes work, for
// readiness checks: a database that answers reads may still refuse every
// write (a full disk, a lost write lock).
type Prober interface {
	// WriteProbe commits one write of one fixed row; at is recorded.
	WriteProbe(ctx context.Context, at time.Time) error
}
