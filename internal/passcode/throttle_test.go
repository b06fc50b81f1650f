package passcode

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func TestWindowRetry(t *testing.T) {
	hourly5 := window{max: 5, per: time.Hour}
	for _, tc := range []struct {
		name  string
		w     window
		n     int
		first time.Time
		want  time.Duration
	}{
		{"empty window", hourly5, 0, time.Time{}, 0},
		{"one slot left", hourly5, 4, t0.Add(-50 * time.Minute), 0},
		{"full: the earliest leaves in 10m", hourly5, 5, t0.Add(-50 * time.Minute), 10 * time.Minute},
		{"full since just now: a whole hour", hourly5, 5, t0, time.Hour},
		{"full, earliest on the window's edge", hourly5, 5, t0.Add(-time.Hour), time.Second},
		{"over full after a lowered limit", window{max: 3, per: time.Hour}, 5, t0.Add(-30 * time.Minute), 30 * time.Minute},
		{"ceiling of 30", window{max: 30, per: time.Hour}, 30, t0.Add(-59*time.Minute - 30*time.Second), 30 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.w.retry(t0, tc.n, tc.first); got != tc.want {
				t.Errorf("retry = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestInterval(t *testing.T) {
	for _, tc := range []struct {
		name string
		last time.Time
		want time.Duration
	}{
		{"never sent", time.Time{}, 0},
		{"just sent", t0, 30 * time.Second},
		{"3s ago", t0.Add(-3 * time.Second), 27 * time.Second},
		{"exactly 30s ago", t0.Add(-30 * time.Second), 0},
		{"long ago", t0.Add(-time.Hour), 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := interval(t0, tc.last, 30*time.Second); got != tc.want {
				t.Errorf("interval = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestKeysCountWhoCausedIt: per-client keys group an IPv6 client by its
// /64 and keep IPv4 clients apart; no key holds anything but the address
// key, the flow id or the client.
func TestKeysCountWhoCausedIt(t *testing.T) {
	const mk = "alice@contoso.com"
	for _, tc := range []struct {
		name string
		a, b string
		same bool
	}{
		{"same IPv6 /64", clientSendKey(mk, "2001:db8:1:2::1"), clientSendKey(mk, "2001:db8:1:2:ffff::9"), true},
		{"other IPv6 /64", clientSendKey(mk, "2001:db8:1:2::1"), clientSendKey(mk, "2001:db8:1:3::1"), false},
		{"other IPv4", clientAttemptKey("203.0.113.1"), clientAttemptKey("203.0.113.2"), false},
		{"mapped IPv4", clientAttemptKey("::ffff:203.0.113.1"), clientAttemptKey("203.0.113.1"), true},
		{"client sends per address", clientSendKey(mk, "203.0.113.1"), clientSendKey("bob@contoso.com", "203.0.113.1"), false},
		{"flows apart", flowAttemptKey("f1"), flowAttemptKey("f2"), false},
		{"sends and attempts apart", flowSendKey("f1"), flowAttemptKey("f1"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if (tc.a == tc.b) != tc.same {
				t.Errorf("%q vs %q: same = %v, want %v", tc.a, tc.b, tc.a == tc.b, tc.same)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	var c Config
	c.defaults()
	want := Config{TTL: 30 * time.Minute, Digits: 8, ResendInterval: 30 * time.Second, ClientHourlySends: 5,
		HourlySends: 30, MaxAttempts: 5, FlowAttempts: 10, ClientAttempts: 30, SameCodeWindow: 10 * time.Minute}
	if c != want {
		t.Errorf("defaults = %+v, want %+v (R23)", c, want)
	}
}
