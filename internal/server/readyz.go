package server

import (
	"context"
	"sync"
	"time"

	"guestlist/internal/store"
)

// writeProbe runs at most one write probe at a time and answers within
// the caller's deadline even when the database does not: SQLite waits out
// its busy timeout (10 s) without looking at the context, and a readiness
// check must not. A check that comes while a probe is in flight waits for
// that probe instead of starting another, so stuck writes cannot pile up
// probes.
type writeProbe struct {
	mu     sync.Mutex
	flight *probeFlight
}

type probeFlight struct {
	done chan struct{}
	err  error // set before done is closed
}

func (w *writeProbe) run(ctx context.Context, p store.Prober, now time.Time) error {
	w.mu.Lock()
	f := w.flight
	if f == nil {
		f = &probeFlight{done: make(chan struct{})}
		w.flight = f
		go func() {
			// Not ctx: the probe may outlive the check that started it.
			probeCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
			f.err = p.WriteProbe(probeCtx, now)
			cancel()
			w.mu.Lock()
			w.flight = nil
			w.mu.Unlock()
			close(f.done)
		}()
	}
	w.mu.Unlock()
	select {
	case <-f.done:
		return f.err
	case <-ctx.Done():
		return ctx.Err()
	}
}
