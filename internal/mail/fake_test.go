package mail

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// fakeStore implements the outbox methods of store.Store in memory, with
// the semantics the Worker relies on: ClaimMail takes pending messages
// that are due and not leased, counts the attempt and sets the lease.
// Calling any other store method panics (nil embedded interface).
type fakeStore struct {
	store.Store

	mu      sync.Mutex
	msgs    []*core.OutboxMessage
	claims  int           // ClaimMail calls
	changed chan struct{} // closed and replaced on every call
}

func newFakeStore() *fakeStore { return &fakeStore{changed: make(chan struct{})} }

// touch wakes waitUntil; callers hold mu.
func (f *fakeStore) touch() {
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *fakeStore) find(id string) *core.OutboxMessage {
	for _, m := range f.msgs {
		if m.ID == id {
			return m
		}
	}
	return nil
}

func (f *fakeStore) EnqueueMail(_ context.Context, m *core.OutboxMessage) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := *m
	c.Status, c.NextAttempt = core.MailPending, m.CreatedAt
	f.msgs = append(f.msgs, &c)
	f.touch()
	return nil
}

func (f *fakeStore) ClaimMail(_ context.Context, now time.Time, lease time.Duration, limit int) ([]core.OutboxMessage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.claims++
	defer f.touch()
	var out []core.OutboxMessage
	for _, m := range f.msgs {
		if len(out) == limit {
			break
		}
		if m.Status != core.MailPending || m.NextAttempt.After(now) || m.LeaseUntil.After(now) {
			continue
		}
		m.Attempts++
		m.LeaseUntil = now.Add(lease)
		out = append(out, *m)
	}
	return out, nil
}

func (f *fakeStore) update(id string, fn func(m *core.OutboxMessage)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.find(id)
	if m == nil {
		return core.ErrNotFound
	}
	fn(m)
	f.touch()
	return nil
}

func (f *fakeStore) MarkMailSent(_ context.Context, id string, at time.Time, _ bool) error {
	return f.update(id, func(m *core.OutboxMessage) {
		m.Status, m.SentAt, m.LeaseUntil, m.LastError = core.MailSent, at, time.Time{}, ""
		if m.Sensitive {
			m.TextBody, m.HTMLBody = "", ""
		}
	})
}

func (f *fakeStore) MarkMailRetry(_ context.Context, id string, next time.Time, reason string) error {
	return f.update(id, func(m *core.OutboxMessage) {
		m.NextAttempt, m.LeaseUntil, m.LastError = next, time.Time{}, reason
	})
}

func (f *fakeStore) MarkMailFailed(_ context.Context, id string, reason string) error {
	return f.update(id, func(m *core.OutboxMessage) {
		m.Status, m.LeaseUntil, m.LastError = core.MailFailed, time.Time{}, reason
	})
}

func (f *fakeStore) GetMail(_ context.Context, id string) (*core.OutboxMessage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.find(id)
	if m == nil {
		return nil, core.ErrNotFound
	}
	c := *m
	return &c, nil
}

func (f *fakeStore) ListMail(_ context.Context, limit int) ([]core.OutboxMessage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []core.OutboxMessage
	for _, m := range slices.Backward(f.msgs) {
		if len(out) == limit {
			break
		}
		out = append(out, *m)
	}
	return out, nil
}

// get returns a copy of message id; the test fails if there is none.
func (f *fakeStore) get(t *testing.T, id string) core.OutboxMessage {
	t.Helper()
	m, err := f.GetMail(t.Context(), id)
	if err != nil {
		t.Fatalf("GetMail(%s): %v", id, err)
	}
	return *m
}

func (f *fakeStore) claimCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.claims
}

// waitUntil blocks until cond, checked after every store call, holds.
// The deadline only turns a hang into a failure.
func (f *fakeStore) waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for {
		f.mu.Lock()
		changed := f.changed
		f.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

// waitStatus waits until message id has the status and attempt count.
func (f *fakeStore) waitStatus(t *testing.T, id, status string, attempts int) core.OutboxMessage {
	t.Helper()
	var m core.OutboxMessage
	f.waitUntil(t, id+" is "+status, func() bool {
		got, err := f.GetMail(t.Context(), id)
		if err != nil {
			return false
		}
		m = *got
		// A pending message counts once its lease is released.
		return m.Status == status && m.Attempts == attempts && m.LeaseUntil.IsZero()
	})
	return m
}

// clock is a manual clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// senderFunc adapts a function to Sender.
type senderFunc func(ctx context.Context, m *core.OutboxMessage) error

func (f senderFunc) Send(ctx context.Context, m *core.OutboxMessage) error { return f(ctx, m) }

// recorder is a Sender that records calls and answers from a script.
type recorder struct {
	mu     sync.Mutex
	calls  []string // message ids
	answer func(call int, m *core.OutboxMessage) error
}

func (r *recorder) Send(_ context.Context, m *core.OutboxMessage) error {
	r.mu.Lock()
	r.calls = append(r.calls, m.ID)
	n := len(r.calls)
	r.mu.Unlock()
	if r.answer == nil {
		return nil
	}
	return r.answer(n, m)
}

func (r *recorder) count(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.calls {
		if c == id {
			n++
		}
	}
	return n
}

// startWorker runs w until the test ends.
func startWorker(t *testing.T, w *Worker) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	stop = func() {
		cancel()
		<-done
	}
	t.Cleanup(stop)
	return stop
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// enqueue adds a message created at the clock's now.
func enqueue(t *testing.T, st *fakeStore, c *clock, id string) {
	t.Helper()
	m := &core.OutboxMessage{
		ID: id, TenantID: "t1", Kind: core.MailPasscode,
		To: []string{id + "@example.com"}, Subject: "Your code " + id,
		TextBody: "code for " + id, MessageID: id + "@guestlist.test",
		CreatedAt: c.Now(),
	}
	if err := st.EnqueueMail(t.Context(), m); err != nil {
		t.Fatal(err)
	}
}
