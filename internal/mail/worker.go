package mail

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"
	"unicode/utf8"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// WorkerOptions tune a Worker. Zero values take the defaults.
type WorkerOptions struct {
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Lease is how long a claimed message stays reserved for this process
	// (default 1m). When a process dies mid-send, another one claims the
	// message once the lease has expired.
	Lease time.Duration
	// MaxAttempts is the number of attempts before a temporarily failing
	// message is given up (default 8).
	MaxAttempts int
	// Backoff is the wait after the given failed attempt, counting from 1
	// (default DefaultBackoff).
	Backoff func(attempt int) time.Duration
	// PollInterval is how often the outbox is read without a Notify
	// (default 1s): it picks up other processes' mail, retries that have
	// come due and expired leases.
	PollInterval time.Duration
	// Concurrency bounds the sends in flight (default DefaultConcurrency).
	Concurrency int
	// SendTimeout bounds one send (default and maximum Lease/2, so the
	// outcome is recorded while the lease still holds).
	SendTimeout time.Duration
	// ShutdownTimeout is how long Run waits for sends in flight once its
	// context ends before cancelling them (default 10s).
	ShutdownTimeout time.Duration
	// Metrics, if set, counts outcomes.
	Metrics *Metrics
	// KeepBodies keeps the bodies of sensitive mail once sent: set for the
	// dev mailbox, which shows the outbox itself.
	KeepBodies bool
}

// DefaultConcurrency is the default bound on sends in flight: enough that
// a burst of sign-ins does not queue passcodes behind one another (at 4,
// three quarters of a sign-in's wait at 32 concurrent guests was the
// queue), few enough that one process holds few leases when it dies.
const DefaultConcurrency = 16

// markTimeout bounds recording one outcome in the store.
const markTimeout = 10 * time.Second

// maxReason bounds the failure text kept with a message.
const maxReason = 1000

// Worker delivers the outbox: it claims due messages with a lease, sends
// them through a Sender and records sent, retry or failed.
type Worker struct {
	st     store.Store
	sender Sender
	log    *slog.Logger
	opts   WorkerOptions
	wake   chan struct{}
}

// NewWorker returns a Worker that delivers st's outbox through s.
func NewWorker(st store.Store, s Sender, log *slog.Logger, opts WorkerOptions) *Worker {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Lease <= 0 {
		opts.Lease = time.Minute
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 8
	}
	if opts.Backoff == nil {
		opts.Backoff = DefaultBackoff
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.SendTimeout <= 0 || opts.SendTimeout > opts.Lease/2 {
		opts.SendTimeout = opts.Lease / 2
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 10 * time.Second
	}
	return &Worker{st: st, sender: s, log: log, opts: opts, wake: make(chan struct{}, 1)}
}

// DefaultBackoff waits 5s after the first failed attempt and four times
// longer after each further one, capped at 1h, with ±20% jitter so that
// processes do not retry in step. With 8 attempts a message rides out an
// SMTP outage of about two and a half hours before it is given up.
func DefaultBackoff(attempt int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 4
	}
	d = time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
	return min(d, time.Hour)
}

// Notify wakes the Worker to read the outbox now. It never blocks, and
// several calls before the Worker wakes count as one. Services call it
// after committing a transaction that enqueued mail.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers mail until ctx ends, then waits for the sends in flight
// (at most ShutdownTimeout, after which they are cancelled) and returns.
func (w *Worker) Run(ctx context.Context) {
	// Sends outlive ctx so that shutdown lets them finish and record
	// their outcome; drain cancels them if they take too long.
	sendCtx, stopSends := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSends()
	tick := time.NewTicker(w.opts.PollInterval)
	defer tick.Stop()
	done := make(chan struct{}, w.opts.Concurrency)
	busy, want := 0, true
	for {
		if free := w.opts.Concurrency - busy; want && free > 0 && ctx.Err() == nil {
			msgs, ok := w.claim(ctx, free)
			for _, m := range msgs {
				busy++
				go func() {
					defer func() { done <- struct{}{} }()
					w.deliver(sendCtx, m)
				}()
			}
			// A full batch means more may be due: claim again as soon
			// as a send finishes.
			want = ok && len(msgs) == free
		}
		select {
		case <-ctx.Done():
			w.drain(busy, done, stopSends)
			// End the sender's idle SMTP sessions politely (QUIT).
			if c, ok := w.sender.(interface{ Close() error }); ok {
				_ = c.Close()
			}
			return
		case <-w.wake:
			want = true
		case <-tick.C:
			want = true
		case <-done:
			busy--
		}
	}
}

// claim leases up to limit due messages; only as many as can be sent at
// once, so that no lease runs out while a message waits for a slot.
func (w *Worker) claim(ctx context.Context, limit int) ([]core.OutboxMessage, bool) {
	msgs, err := w.st.ClaimMail(ctx, w.opts.Now(), w.opts.Lease, limit)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Error("mail: claim outbox", "err", err)
		}
		return nil, false
	}
	return msgs, true
}

func (w *Worker) drain(busy int, done <-chan struct{}, stopSends context.CancelFunc) {
	if busy == 0 {
		return
	}
	timer := time.NewTimer(w.opts.ShutdownTimeout)
	defer timer.Stop()
	for busy > 0 {
		select {
		case <-done:
			busy--
		case <-timer.C:
			w.log.Warn("mail: shutdown timeout, cancelling sends", "inFlight", busy)
			stopSends()
			for ; busy > 0; busy-- {
				<-done
			}
		}
	}
}

// deliver sends one claimed message and records the outcome.
func (w *Worker) deliver(ctx context.Context, m core.OutboxMessage) {
	// ClaimMail counts the attempt it leases (so a crash mid-send counts).
	attempt := max(m.Attempts, 1)
	log := w.log.With("mail", m.ID, "tenant", m.TenantID, "kind", m.Kind, "attempt", attempt)

	sendCtx, cancel := context.WithTimeout(ctx, w.opts.SendTimeout)
	err := w.sender.Send(sendCtx, &m)
	cancel()

	mctx, mcancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer mcancel()
	now := w.opts.Now()
	switch {
	case err == nil:
		if err := w.st.MarkMailSent(mctx, m.ID, now, w.opts.KeepBodies); err != nil {
			// The lease will expire and the message go out again.
			log.Error("mail: record delivery", "err", err)
			return
		}
		w.opts.Metrics.outcome(outcomeSent)
		w.opts.Metrics.delivered(now.Sub(m.CreatedAt))
		log.Info("mail sent")
	case IsPermanent(err) || attempt >= w.opts.MaxAttempts:
		if err := w.st.MarkMailFailed(mctx, m.ID, reason(err)); err != nil {
			log.Error("mail: record failure", "err", err)
			return
		}
		w.opts.Metrics.outcome(outcomeFailed)
		log.Warn("mail failed", "err", err, "permanent", IsPermanent(err))
	default:
		next := now.Add(w.opts.Backoff(attempt))
		if ctx.Err() != nil {
			next = now // interrupted by shutdown: let another process take it
		}
		if err := w.st.MarkMailRetry(mctx, m.ID, next, reason(err)); err != nil {
			log.Error("mail: record retry", "err", err)
			return
		}
		w.opts.Metrics.outcome(outcomeRetry)
		log.Info("mail retry scheduled", "err", err, "next", next)
	}
}

// reason is the failure text kept with the message and shown to tenant
// admins: the sender's classification (no host, address or relay text; the
// full error goes to the log), bounded in length.
func reason(err error) string {
	s := publicReason(err)
	if len(s) <= maxReason {
		return s
	}
	s = s[:maxReason]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
