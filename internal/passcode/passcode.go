package passcode

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"guestlist/internal/compose"
	"guestlist/internal/core"
	"guestlist/internal/mail"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// Config holds the passcode rules; zero fields take the SPEC R22/R23
// defaults. Every limit counts against who caused it — the flow (browser)
// or the requesting client — so that a stranger who knows only an address
// cannot lock its guest out (R23); the per-address ceiling only bounds how
// much mail an address receives.
type Config struct {
	TTL               time.Duration // how long a code works (30m)
	Digits            int           // code length (8)
	ResendInterval    time.Duration // least time between two sends in one flow (30s)
	ClientHourlySends int           // mails to one address per requesting client per hour (5)
	HourlySends       int           // mails to one address per tenant per hour, all clients together (30)
	MaxAttempts       int           // wrong attempts that void one code (5)
	FlowAttempts      int           // wrong attempts per flow per hour (10)
	ClientAttempts    int           // wrong attempts per client per tenant per hour (30)
	SameCodeWindow    time.Duration // a resend with this much left re-sends the same code (10m)
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
	defInt(&c.ClientHourlySends, 5)
	defInt(&c.HourlySends, 30)
	defInt(&c.MaxAttempts, 5)
	defInt(&c.FlowAttempts, 10)
	defInt(&c.ClientAttempts, 30)
}

// Service issues and verifies codes.
type Service struct {
	st      store.Store
	keys    *platform.Keyring
	now     platform.Clock
	mails   *compose.Composer
	cfg     Config
	notify  func()
	log     *slog.Logger
	metrics *Metrics
}

// New returns a Service; notify wakes the mail worker after a commit. log
// and m (which may be nil) report addresses that reach their ceiling.
func New(st store.Store, keys *platform.Keyring, now platform.Clock, mails *compose.Composer, cfg Config, notify func(), log *slog.Logger, m *Metrics) *Service {
	cfg.defaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{st: st, keys: keys, now: now, mails: mails, cfg: cfg, notify: notify, log: log, metrics: m}
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
	Reason     string // one of the Reason… constants
	RetryAfter time.Duration
}

func (t *Throttled) Error() string {
	return fmt.Sprintf("throttled (%s), retry after %s", t.Reason, t.RetryAfter)
}

// Unwrap makes errors.Is(err, core.ErrThrottled) true.
func (t *Throttled) Unwrap() error { return core.ErrThrottled }

// Send mails a code for flow to its address in lang (SPEC R21–R23). The
// throttles are counted first, before anything about the guest is looked
// at: the flow's resend interval, then this client's mails to the address,
// then the address's overall ceiling. clientIP is the requesting client.
// Errors: *Throttled.
//
// note, when not zero, mails the address that note instead of a code (an
// address with no invitation, R7; a guest whose method is not OTP, R26),
// with the same throttles, reads and writes as a code: the flow gets a
// code nobody knows, so its Enter code page answers exactly as for a code
// that was mailed (R25).
func (s *Service) Send(ctx context.Context, tenant *core.Tenant, flow *core.Flow, mailKey, lang, clientIP string, codeInSubject bool, note compose.NoteKind) (Outcome, error) {
	var outcome Outcome
	var ceiling bool
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		now := s.now()
		if err := tx.Lock(ctx, tenant.ID, "otp:"+mailKey); err != nil {
			return err
		}
		ceiling = false
		if err := s.sendAllowed(ctx, tx, tenant.ID, flow.ID, mailKey, clientIP, now); err != nil {
			var th *Throttled
			ceiling = errors.As(err, &th) && th.Reason == ReasonAddressSends
			return err
		}
		err := tx.RecordEvents(ctx, tenant.ID, now, flowSendKey(flow.ID), clientSendKey(mailKey, clientIP), addressSendKey(mailKey))
		if err != nil {
			return err
		}
		code, err := s.currentOrNew(ctx, tx, tenant.ID, flow, mailKey, now, note != 0, &outcome)
		if err != nil {
			return err
		}
		if note != 0 {
			return s.queueNote(ctx, tx, tenant, flow, lang, note, now)
		}
		return s.queue(ctx, tx, tenant, flow, lang, code, now, codeInSubject)
	})
	if ceiling {
		s.ceilingReached(tenant.ID, mailKey)
	}
	if err != nil {
		return 0, err
	}
	if s.notify != nil {
		s.notify()
	}
	return outcome, nil
}

// sendAllowed counts the send throttles in one read: the flow's resend
// interval, then this client's mails to the address, then the address's
// overall ceiling.
func (s *Service) sendAllowed(ctx context.Context, tx store.Tx, tenantID, flowID, mailKey, clientIP string, now time.Time) error {
	flowKey, clientKey, addressKey := flowSendKey(flowID), clientSendKey(mailKey, clientIP), addressSendKey(mailKey)
	held, err := tx.EventWindows(ctx, tenantID, now.Add(-time.Hour), flowKey, clientKey, addressKey)
	if err != nil {
		return err
	}
	if d := interval(now, held[flowKey].Last, s.cfg.ResendInterval); d > 0 {
		return &Throttled{Reason: ReasonWait, RetryAfter: d}
	}
	if err := limit(held[clientKey], window{s.cfg.ClientHourlySends, time.Hour}, now, ReasonClientSends); err != nil {
		return err
	}
	return limit(held[addressKey], window{s.cfg.HourlySends, time.Hour}, now, ReasonAddressSends)
}

// ceilingReached tells the operator that an address reached its overall
// ceiling — many clients asked for its mail within the hour, which is
// what someone flooding it from many addresses looks like (R23). The
// record names the address only by a keyed hash, so a log reader can
// correlate records but not recover the address.
func (s *Service) ceilingReached(tenantID, mailKey string) {
	s.log.Warn("passcode: address reached its hourly mail ceiling",
		"event", "otp_address_ceiling", "tenant", tenantID,
		"address_key", s.keys.HashID("throttle-log", mailKey), "limit", s.cfg.HourlySends)
	s.metrics.ceiling()
}

// currentOrNew re-sends the newest live code when it still has
// SameCodeWindow left and is not void, so slow mail never leaves the guest
// holding a dead code; otherwise it issues a new one. Older codes stay
// valid. A blind code (for a note) has a hash no code matches; a code
// that is to be mailed is never a blind one.
func (s *Service) currentOrNew(ctx context.Context, tx store.Tx, tenantID string, flow *core.Flow, mailKey string, now time.Time, blind bool, outcome *Outcome) (string, error) {
	live, err := tx.LivePasscodes(ctx, tenantID, flow.ID, now)
	if err != nil {
		return "", err
	}
	if len(live) > 0 && live[0].Attempts < s.cfg.MaxAttempts && live[0].ExpiresAt.Sub(now) >= s.cfg.SameCodeWindow {
		code := s.derive(live[0].Seed)
		if blind || hmac.Equal(live[0].CodeHash, s.codeHash(live[0].ID, code)) {
			*outcome = SentSame
			return code, nil
		}
	}
	p := core.Passcode{
		TenantID: tenantID, ID: uuid.NewString(), FlowID: flow.ID, MailKey: mailKey,
		Seed: make([]byte, 32), CreatedAt: now, ExpiresAt: now.Add(s.cfg.TTL),
	}
	rand.Read(p.Seed)
	code := s.derive(p.Seed)
	p.CodeHash = s.codeHash(p.ID, code)
	if blind {
		rand.Read(p.CodeHash) // the same work, and no code matches it
	}
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
	brand, err := tx.GetBranding(ctx, tenant.ID)
	if err != nil {
		return err
	}
	m, err := s.mails.Passcode(compose.Passcode{
		Lang: lang, Org: tenant.DisplayName, Code: code, Validity: s.cfg.TTL,
		RequestedAt: now, IP: flow.ClientIP, CodeInSubject: inSubject, Brand: compose.BrandOf(brand),
	})
	if err != nil {
		return err
	}
	return s.enqueue(ctx, tx, tenant.ID, flow, m, now)
}

// queueNote mails the address a note in place of a code (R7, R26).
func (s *Service) queueNote(ctx context.Context, tx store.Tx, tenant *core.Tenant, flow *core.Flow, lang string, kind compose.NoteKind, now time.Time) error {
	m, err := s.mails.Note(compose.Note{Lang: lang, Org: tenant.DisplayName, Kind: kind, RequestedAt: now, IP: flow.ClientIP})
	if err != nil {
		return err
	}
	return s.enqueue(ctx, tx, tenant.ID, flow, m, now)
}

// enqueue writes a code or a note to the outbox as a passcode mail: both
// are sensitive (the body is cleared once sent) and count alike, so an
// onlooker cannot tell them apart by what happens to them (R25).
func (s *Service) enqueue(ctx context.Context, tx store.Tx, tenantID string, flow *core.Flow, m compose.Mail, now time.Time) error {
	return tx.EnqueueMail(ctx, mail.NewOutbox(core.OutboxMessage{
		TenantID: tenantID, Kind: core.MailPasscode, To: []string{flow.Email},
		Subject: m.Subject, TextBody: m.Text, HTMLBody: m.HTML, Sensitive: true,
	}, now))
}

// Verification failures, each wrapping a core kind.
var (
	ErrMalformed = core.Errorf(core.ErrInvalid, "Request_BadRequest", "malformed code")
	ErrWrong     = core.Errorf(core.ErrInvalid, "Request_BadRequest", "wrong code")
	ErrExpired   = core.Errorf(core.ErrNotFound, "Request_ResourceNotFound", "no live code")
)

// Proof is one typed code for a flow, checked and spent by Check inside
// the transaction of the sign-in engine, so that a code is never spent
// without its effect (a session) being written, nor the reverse.
type Proof struct {
	s                               *Service
	tenantID, flowID, mailKey, code string
	clientIP                        string
}

// Proof returns the attempt of code for flow, typed from clientIP. Only
// its shape is checked here, before any transaction. Errors: ErrMalformed.
func (s *Service) Proof(tenantID string, flow *core.Flow, mailKey, code, clientIP string) (*Proof, error) {
	code = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.TrimSpace(code))
	if len(code) != s.cfg.Digits || strings.Trim(code, "0123456789") != "" {
		return nil, ErrMalformed
	}
	return &Proof{s: s, tenantID: tenantID, flowID: flow.ID, mailKey: mailKey, code: code, clientIP: clientIP}, nil
}

// Method is what a code proves: control of the address (SPEC R21–R24).
func (p *Proof) Method() core.Method { return core.MethodOTP }

// Subject is "": a passcode proves the address itself.
func (p *Proof) Subject() string { return "" }

// MustChange is false: there is no password to change.
func (p *Proof) MustChange() bool { return false }

// Check compares the code with the flow's live codes in tx and, on a
// match, spends it. A wrong attempt counts against the code, the flow and
// the client that made it (never against the address, R23); it comes back
// as rejected with a nil err, so that the caller commits the count before
// it answers. Rejections: ErrWrong, ErrExpired, *Throttled.
func (p *Proof) Check(ctx context.Context, tx store.Tx) (rejected, err error) {
	s, now := p.s, p.s.now()
	if err := tx.Lock(ctx, p.tenantID, "otp:"+p.mailKey); err != nil {
		return nil, err
	}
	if err := s.attemptAllowed(ctx, tx, p.tenantID, p.flowID, p.clientIP, now); err != nil {
		var th *Throttled
		if errors.As(err, &th) {
			return th, nil
		}
		return nil, err
	}
	live, err := tx.LivePasscodes(ctx, p.tenantID, p.flowID, now)
	if err != nil {
		return nil, err
	}
	var usable []string
	for _, c := range live {
		if c.Attempts >= s.cfg.MaxAttempts {
			continue // void after too many wrong attempts (R23)
		}
		if hmac.Equal(c.CodeHash, s.codeHash(c.ID, p.code)) {
			return nil, tx.UsePasscode(ctx, p.tenantID, c.ID, now)
		}
		usable = append(usable, c.ID)
	}
	if len(usable) == 0 {
		return ErrExpired, nil
	}
	if err := tx.AddPasscodeAttempts(ctx, p.tenantID, usable); err != nil {
		return nil, err
	}
	return ErrWrong, tx.RecordEvents(ctx, p.tenantID, now, flowAttemptKey(p.flowID), clientAttemptKey(p.clientIP))
}

// attemptAllowed counts the wrong-attempt throttles of the flow and of the
// client, in one read. The address has none: wrong codes typed in a
// stranger's browser must not stop the guest's own (R23).
func (s *Service) attemptAllowed(ctx context.Context, tx store.Tx, tenantID, flowID, clientIP string, now time.Time) error {
	flowKey, clientKey := flowAttemptKey(flowID), clientAttemptKey(clientIP)
	held, err := tx.EventWindows(ctx, tenantID, now.Add(-time.Hour), flowKey, clientKey)
	if err != nil {
		return err
	}
	if err := limit(held[flowKey], window{s.cfg.FlowAttempts, time.Hour}, now, ReasonFlowAttempts); err != nil {
		return err
	}
	return limit(held[clientKey], window{s.cfg.ClientAttempts, time.Hour}, now, ReasonClientAttempt)
}
