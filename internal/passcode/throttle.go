package passcode

import (
	"time"

	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// Why a send or an attempt was refused (Throttled.Reason). Each tells the
// page what helps the person in front of it (R23).
const (
	ReasonWait          = "wait"           // this flow asked less than ResendInterval ago
	ReasonClientSends   = "client-sends"   // this client asked for this address too often
	ReasonAddressSends  = "address-sends"  // the address reached its overall ceiling
	ReasonFlowAttempts  = "flow-attempts"  // too many wrong codes in this flow: start again
	ReasonClientAttempt = "client-attempt" // too many wrong codes from this client
)

// window is a sliding-window rule: at most max events per per.
type window struct {
	max int
	per time.Duration
}

// retry is how long until the window admits another event, given n events
// in the window of which the earliest was at first; 0 means now. Refused
// events are not recorded, so n reaches max and stops there; the slot
// frees when the earliest of them leaves the window.
func (w window) retry(now time.Time, n int, first time.Time) time.Duration {
	if n < w.max {
		return 0
	}
	if d := first.Add(w.per).Sub(now); d > 0 {
		return d
	}
	return time.Second // the clock moved under us: the next try decides
}

// interval is how long until the gap since last reaches min; 0 means now.
func interval(now, last time.Time, min time.Duration) time.Duration {
	if last.IsZero() {
		return 0
	}
	if d := min - now.Sub(last); d > 0 {
		return d
	}
	return 0
}

// Throttle keys. Per-address keys hold the address key (the normalised
// address), never the address as typed; per-client keys hold
// platform.ThrottleKey, so an IPv6 client counts by its /64.
func flowSendKey(flowID string) string { return "otp-send-flow:" + flowID }
func clientSendKey(mailKey, ip string) string {
	return "otp-send-client:" + platform.ThrottleKey(ip) + ":" + mailKey
}
func addressSendKey(mailKey string) string { return "otp-send:" + mailKey }
func flowAttemptKey(flowID string) string  { return "otp-attempt-flow:" + flowID }
func clientAttemptKey(ip string) string    { return "otp-attempt-client:" + platform.ThrottleKey(ip) }

// limit applies one window rule to what the store holds of its key. It
// returns a *Throttled with the given reason when the window is full.
func limit(held store.EventWindow, w window, now time.Time, reason string) error {
	if held.Count < w.max {
		return nil
	}
	return &Throttled{Reason: reason, RetryAfter: w.retry(now, held.Count, held.First)}
}
