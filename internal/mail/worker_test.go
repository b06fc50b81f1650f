package mail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"guestlist/internal/core"
)

// minutes is a deterministic backoff: attempt n waits n minutes.
func minutes(attempt int) time.Duration { return time.Duration(attempt) * time.Minute }

func newTestWorker(t *testing.T, st *fakeStore, s Sender, c *clock, opts WorkerOptions) *Worker {
	opts.Now = c.Now
	if opts.Backoff == nil {
		opts.Backoff = minutes
	}
	// No poll during a test: every read of the outbox follows Notify (or
	// the first one at start), so the test decides when the Worker looks.
	opts.PollInterval = time.Hour
	return NewWorker(st, s, testLogger(t), opts)
}

func TestWorkerDelivers(t *testing.T) {
	st, c := newFakeStore(), newClock()
	for i := range 3 {
		enqueue(t, st, c, fmt.Sprintf("m%d", i))
	}
	st.msgs[0].Sensitive = true
	c.Advance(2 * time.Second)
	reg := prometheus.NewPedanticRegistry()
	metrics, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	w := newTestWorker(t, st, rec, c, WorkerOptions{Metrics: metrics})
	stop := startWorker(t, w)

	for i := range 3 {
		id := fmt.Sprintf("m%d", i)
		m := st.waitStatus(t, id, core.MailSent, 1)
		if !m.SentAt.Equal(c.Now()) || rec.count(id) != 1 {
			t.Errorf("%s: sentAt %v, sends %d; want %v, 1", id, m.SentAt, rec.count(id), c.Now())
		}
	}
	if m := st.get(t, "m0"); m.TextBody != "" {
		t.Errorf("sensitive body kept after sending: %q", m.TextBody)
	}

	// Mail enqueued later goes out on Notify, without waiting for a poll.
	enqueue(t, st, c, "late")
	w.Notify()
	st.waitStatus(t, "late", core.MailSent, 1)

	stop() // the outcome is counted after it is recorded; let it finish
	if got := counter(t, reg, "guestlist_mail_deliveries_total", "sent"); got != 4 {
		t.Errorf("sent counter = %v, want 4", got)
	}
	if got := histogramCount(t, reg, "guestlist_mail_delivery_delay_seconds"); got != 4 {
		t.Errorf("delay observations = %v, want 4", got)
	}
}

func TestWorkerRetriesWithBackoff(t *testing.T) {
	st, c := newFakeStore(), newClock()
	enqueue(t, st, c, "m")
	rec := &recorder{answer: func(call int, _ *core.OutboxMessage) error {
		if call <= 2 {
			return errors.New("451 4.3.0 try again later")
		}
		return nil
	}}
	w := newTestWorker(t, st, rec, c, WorkerOptions{})
	startWorker(t, w)

	t0 := c.Now()
	m := st.waitStatus(t, "m", core.MailPending, 1)
	if !m.NextAttempt.Equal(t0.Add(time.Minute)) || !strings.Contains(m.LastError, "451") {
		t.Fatalf("after attempt 1: next %v, error %q; want %v and the 451 text", m.NextAttempt, m.LastError, t0.Add(time.Minute))
	}

	// Not due yet: a wake-up claims nothing.
	claims := st.claimCount()
	w.Notify()
	st.waitUntil(t, "another claim", func() bool { return st.claimCount() > claims })
	if n := rec.count("m"); n != 1 {
		t.Fatalf("sent %d times before the backoff ended, want 1", n)
	}

	c.Advance(time.Minute)
	w.Notify()
	m = st.waitStatus(t, "m", core.MailPending, 2)
	if want := c.Now().Add(2 * time.Minute); !m.NextAttempt.Equal(want) {
		t.Fatalf("after attempt 2: next %v, want %v", m.NextAttempt, want)
	}

	c.Advance(2 * time.Minute)
	w.Notify()
	m = st.waitStatus(t, "m", core.MailSent, 3)
	if rec.count("m") != 3 {
		t.Errorf("sends = %d, want 3", rec.count("m"))
	}
}

func TestWorkerPermanentFailure(t *testing.T) {
	st, c := newFakeStore(), newClock()
	enqueue(t, st, c, "m")
	rec := &recorder{answer: func(int, *core.OutboxMessage) error {
		return Permanent(errors.New("550 5.1.1 mailbox unknown"))
	}}
	startWorker(t, newTestWorker(t, st, rec, c, WorkerOptions{}))

	m := st.waitStatus(t, "m", core.MailFailed, 1)
	if m.LastError != "550 5.1.1 mailbox unknown" {
		t.Errorf("reason = %q", m.LastError)
	}
	if rec.count("m") != 1 {
		t.Errorf("sends = %d, want 1", rec.count("m"))
	}
}

func TestWorkerGivesUpAfterMaxAttempts(t *testing.T) {
	st, c := newFakeStore(), newClock()
	enqueue(t, st, c, "m")
	rec := &recorder{answer: func(call int, _ *core.OutboxMessage) error {
		return fmt.Errorf("dial tcp: connection refused (%d)", call)
	}}
	w := newTestWorker(t, st, rec, c, WorkerOptions{MaxAttempts: 3})
	startWorker(t, w)

	for attempt := 1; attempt < 3; attempt++ {
		st.waitStatus(t, "m", core.MailPending, attempt)
		c.Advance(minutes(attempt))
		w.Notify()
	}
	m := st.waitStatus(t, "m", core.MailFailed, 3)
	if m.LastError != "dial tcp: connection refused (3)" || rec.count("m") != 3 {
		t.Errorf("reason %q after %d sends; want the third error after 3", m.LastError, rec.count("m"))
	}
}

// A process that claimed a message and died holds a lease; once it has
// expired, the message is claimed and sent again (at least once).
func TestWorkerReclaimsExpiredLease(t *testing.T) {
	st, c := newFakeStore(), newClock()
	enqueue(t, st, c, "m")
	if got, _ := st.ClaimMail(t.Context(), c.Now(), time.Minute, 10); len(got) != 1 {
		t.Fatalf("crashed process claimed %d messages, want 1", len(got))
	}
	rec := &recorder{}
	w := newTestWorker(t, st, rec, c, WorkerOptions{Lease: time.Minute})
	startWorker(t, w)

	st.waitUntil(t, "the worker's first claim", func() bool { return st.claimCount() >= 2 })
	if rec.count("m") != 0 {
		t.Fatal("sent while another process held the lease")
	}

	c.Advance(time.Minute)
	w.Notify()
	st.waitStatus(t, "m", core.MailSent, 2)
	if rec.count("m") != 1 {
		t.Errorf("sends = %d, want 1", rec.count("m"))
	}
}

// Only as many messages are leased as can be sent at once, so no lease
// runs out while a message waits for a free slot.
func TestWorkerBoundsConcurrency(t *testing.T) {
	st, c := newFakeStore(), newClock()
	for i := range 5 {
		enqueue(t, st, c, fmt.Sprintf("m%d", i))
	}
	release := make(chan struct{})
	started := make(chan string, 5)
	s := senderFunc(func(ctx context.Context, m *core.OutboxMessage) error {
		started <- m.ID
		<-release
		return nil
	})
	startWorker(t, newTestWorker(t, st, s, c, WorkerOptions{Concurrency: 2}))

	<-started
	<-started
	st.mu.Lock()
	leased := 0
	for _, m := range st.msgs {
		if !m.LeaseUntil.IsZero() {
			leased++
		}
	}
	st.mu.Unlock()
	if leased != 2 {
		t.Fatalf("%d messages leased with 2 sends in flight, want 2", leased)
	}
	close(release)
	for i := range 5 {
		st.waitStatus(t, fmt.Sprintf("m%d", i), core.MailSent, 1)
	}
}

// On shutdown the sends in flight finish and their outcome is recorded.
func TestWorkerShutdownFinishesSends(t *testing.T) {
	st, c := newFakeStore(), newClock()
	enqueue(t, st, c, "m")
	started, release := make(chan struct{}), make(chan struct{})
	s := senderFunc(func(ctx context.Context, m *core.OutboxMessage) error {
		close(started)
		<-release
		return ctx.Err()
	})
	w := newTestWorker(t, st, s, c, WorkerOptions{ShutdownTimeout: time.Hour})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	<-started
	cancel()
	select {
	case <-done:
		t.Fatal("Run returned with a send in flight")
	default:
	}
	close(release)
	<-done
	if m := st.get(t, "m"); m.Status != core.MailSent {
		t.Errorf("status after shutdown = %s, want sent", m.Status)
	}
}

// A send that outlasts the shutdown timeout is cancelled and handed back
// at once for another process to take.
func TestWorkerShutdownTimeoutCancelsSends(t *testing.T) {
	st, c := newFakeStore(), newClock()
	enqueue(t, st, c, "m")
	started := make(chan struct{})
	s := senderFunc(func(ctx context.Context, m *core.OutboxMessage) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	})
	w := newTestWorker(t, st, s, c, WorkerOptions{ShutdownTimeout: time.Millisecond})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	<-started
	cancel()
	<-done
	m := st.get(t, "m")
	if m.Status != core.MailPending || !m.LeaseUntil.IsZero() || !m.NextAttempt.Equal(c.Now()) {
		t.Errorf("after cancelled send: status %s, lease %v, next %v; want pending, released, due now",
			m.Status, m.LeaseUntil, m.NextAttempt)
	}
}

func TestDefaultBackoff(t *testing.T) {
	for _, tc := range []struct {
		attempt  int
		min, max time.Duration
	}{
		{1, 4 * time.Second, 6 * time.Second},
		{2, 16 * time.Second, 24 * time.Second},
		{4, 256 * time.Second, 384 * time.Second},
		{7, 48 * time.Minute, time.Hour},
		{1000, 48 * time.Minute, time.Hour},
	} {
		for range 50 {
			if d := DefaultBackoff(tc.attempt); d < tc.min || d > tc.max {
				t.Fatalf("DefaultBackoff(%d) = %v, want in [%v, %v]", tc.attempt, d, tc.min, tc.max)
			}
		}
	}
}

func TestReasonIsBounded(t *testing.T) {
	long := strings.Repeat("é", maxReason)
	r := reason(errors.New(long))
	if len(r) > maxReason || !strings.HasPrefix(long, r) {
		t.Errorf("reason of %d bytes: %d bytes, prefix %v", len(long), len(r), strings.HasPrefix(long, r))
	}
}
