package passcode

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"guestlist/internal/compose"
	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// Config holds the passcode rules; zero fields take the SPEC R22/R23
// defaults.
type Config struct {
	TTL            time.Duration // how long a code works (30m)
	Digits         int           // code length (8)
	ResendInterval time.Duration // least time between two sends (30s)
	HourlySends    int           // sends per address and tenant per hour (10)
	MaxAttempts    int           // wrong attempts that void one code (5)
	HourlyAttempts int           // wrong attempts per address and tenant per hour (15)
	SameCodeWindow time.Duration // a resend with this much left re-sends the same code (10m)
}

func (c *Config) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	defInt := func(d *int, v int) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.TTL, 30*time.Minute)
	def(&c.ResendInterval, 30*time.Second)
	def(&c.SameCodeWindow, 10*time.Minute)
	defInt(&c.Digits, 8)
	defInt(&c.HourlySends, 10)
	defInt(&c.MaxAttempts, 5)
	defInt(&c.HourlyAttempts, 15)
}

// Service issues and verifies codes.
type Service struct {
	st     store.Store
	keys   *platform.Keyring
	now    platform.Clock
	mails  *compose.Composer
	cfg    Config
	notify func()
}

// New returns a Service; notify wakes the mail worker after a commit.
func New(st store.Store, keys *platform.Keyring, now platform.Clock, mails *compose.Composer, cfg Config, notify func()) *Service {
	cfg.defaults()
	return &Service{st: st, keys: keys, now: now, mails: mails, cfg: cfg, notify: notify}
}

// Config returns the effective configuration.
func (s *Service) Config() Config { return s.cfg }

// Outcome of Send.
type Outcome int

const (
	SentNew  Outcome = iota + 1 // a new code was mailed
	SentSame                    // the current code was mailed again (R23)
)

// Throttled is returned (wrapping core.ErrThrottled) when a send or an
// attempt is refused; RetryAfter says when to try again.
type Throttled struct {
	Reason     string // "wait", "hourly" or "locked"
	RetryAfter time.Duration
}

func (t *Throttled) Error() string {
	return fmt.Sprintf("throttled (%s), retry after %s", t.Reason, t.RetryAfter)
}

// Unwrap makes errors.Is(err, core.ErrThrottled) true.
func (t *Throttled) Unwrap() error { return core.ErrThrottled }

func sendKey(mailKey string) string    { return "otp-send:" + mailKey }
func attemptKey(mailKey string) string { return "otp-attempt:" + mailKey }

// Send mails a code for flow to its address in lang (SPEC R21–R23). The
// throttle is counted first, before anything about the guest is looked at.
// Errors: *Throttled.
func (s *Service) Send(ctx context.Context, tenant *core.Tenant, flow *core.Flow, mailKey, lang string, codeInSubject bool) (Outcome, error) {
	var outcome Outcome
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		now := s.now()
		if err := tx.Lock(ctx, tenant.ID, "otp:"+mailKey); err != nil {
			return err
		}
		n, last, err := tx.CountEvents(ctx, tenant.ID, sendKey(mailKey), now.Add(-time.Hour))
		if err != nil {
			return err
		}
		if !last.IsZero() && now.Sub(last) < s.cfg.ResendInterval {
			return &Throttled{Reason: "wait", RetryAfter: s.cfg.ResendInterval - now.Sub(last)}
		}
		if n >= s.cfg.HourlySends {
			return &Throttled{Reason: "hourly", RetryAfter: time.Hour}
		}
		if err := tx.RecordEvent(ctx, tenant.ID, sendKey(mailKey), now); err != nil {
			return err
		}
		code, err := s.currentOrNew(ctx, tx, tenant.ID, flow, mailKey, now, &outcome)
		if err != nil {
			return err
		}
		return s.queue(ctx, tx, tenant, flow, lang, code, now, codeInSubject)
	})
	if err != nil {
		return 0, err
	}
	if s.notify != nil {
		s.notify()
	}
	return outcome, nil
}

// currentOrNew re-sends the newest live code when it still has
// SameCodeWindow left and is not void, so slow mail never leaves the guest
// holding a dead code; otherwise it issues a new one. Older codes stay valid.
func (s *Service) currentOrNew(ctx context.Context, tx store.Tx, tenantID string, flow *core.Flow, mailKey string, now time.Time, outcome *Outcome) (string, error) {
	live, err := tx.LivePasscodes(ctx, tenantID, flow.ID, now)
	if err != nil {
		return "", err
	}
	if len(live) > 0 && live[0].Attempts < s.cfg.MaxAttempts && live[0].ExpiresAt.Sub(now) >= s.cfg.SameCodeWindow {
		*outcome = SentSame
		return s.derive(live[0].Seed), nil
	}
	p := core.Passcode{
		TenantID: tenantID, ID: uuid.NewString(), FlowID: flow.ID, MailKey: mailKey,
		Seed: make([]byte, 32), CreatedAt: now, ExpiresAt: now.Add(s.cfg.TTL),
	}
	rand.Read(p.Seed)
	code := s.derive(p.Seed)
	p.CodeHash = s.codeHash(p.ID, code)
	*outcome = SentNew
	return code, tx.CreatePasscode(ctx, &p)
}

// derive turns a random seed into the code with the server key. The code
// itself is never stored: a copy of the database without the key cannot
// recover it, yet the same code can be mailed again (R23).
func (s *Service) derive(seed []byte) string {
	sum := s.keys.Hash("passcode-derive", string(seed))
	n := binary.BigEndian.Uint64(sum[:8])
	mod := uint64(1)
	for range s.cfg.Digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", s.cfg.Digits, n%mod)
}

func (s *Service) codeHash(id, code string) []byte {
	return s.keys.Hash("passcode", id+":"+code)
}

func (s *Service) queue(ctx context.Context, tx store.Tx, tenant *core.Tenant, flow *core.Flow, lang, code string, now time.Time, inSubject bool) error {
	m, err := s.mails.Passcode(compose.Passcode{
		Lang: lang, Org: tenant.DisplayName, Code: code, Validity: s.cfg.TTL,
		RequestedAt: now, IP: flow.ClientIP, CodeInSubject: inSubject,
	})
	if err != nil {
		return err
	}
	msg := &core.OutboxMessage{
		ID: uuid.NewString(), TenantID: tenant.ID, Kind: core.MailPasscode,
		To: []string{flow.Email}, Subject: m.Subject, TextBody: m.Text, HTMLBody: m.HTML,
		Sensitive: true, Status: core.MailPending, NextAttempt: now, CreatedAt: now,
	}
	msg.MessageID = "<" + msg.ID + "@guestlist>"
	return tx.EnqueueMail(ctx, msg)
}

// Verification failures, each wrapping a core kind.
var (
	ErrMalformed = core.Errorf(core.ErrInvalid, "Request_BadRequest", "malformed code")
	ErrWrong     = core.Errorf(core.ErrInvalid, "Request_BadRequest", "wrong code")
	ErrExpired   = core.Errorf(core.ErrNotFound, "Request_ResourceNotFound", "no live code")
)

// Verify checks code against the flow's live codes. On a match the code is
// used and onSuccess runs in the same transaction, so a code is never spent
// without its effect (a session) being written, nor the reverse. A wrong
// attempt is recorded (and committed) before the error returns. Errors:
// ErrMalformed, ErrWrong, ErrExpired, *Throttled (reason "locked").
func (s *Service) Verify(ctx context.Context, tenantID string, flow *core.Flow, mailKey, code string, onSuccess func(tx store.Tx) error) error {
	code = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.TrimSpace(code))
	if len(code) != s.cfg.Digits || strings.Trim(code, "0123456789") != "" {
		return ErrMalformed
	}
	var verdict error
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		now := s.now()
		if err := tx.Lock(ctx, tenantID, "otp:"+mailKey); err != nil {
			return err
		}
		wrong, _, err := tx.CountEvents(ctx, tenantID, attemptKey(mailKey), now.Add(-time.Hour))
		if err != nil {
			return err
		}
		if wrong >= s.cfg.HourlyAttempts {
			verdict = &Throttled{Reason: "locked", RetryAfter: time.Hour}
			return nil
		}
		live, err := tx.LivePasscodes(ctx, tenantID, flow.ID, now)
		if err != nil {
			return err
		}
		var usable []string
		for _, p := range live {
			if p.Attempts >= s.cfg.MaxAttempts {
				continue // void after too many wrong attempts (R23)
			}
			if hmac.Equal(p.CodeHash, s.codeHash(p.ID, code)) {
				if err := tx.UsePasscode(ctx, tenantID, p.ID, now); err != nil {
					return err
				}
				return onSuccess(tx)
			}
			usable = append(usable, p.ID)
		}
		if len(usable) == 0 {
			verdict = ErrExpired
			return nil
		}
		verdict = ErrWrong
		if err := tx.AddPasscodeAttempts(ctx, tenantID, usable); err != nil {
			return err
		}
		return tx.RecordEvent(ctx, tenantID, attemptKey(mailKey), now)
	})
	if err != nil {
		return err
	}
	return verdict
}
