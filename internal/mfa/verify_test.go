package mfa

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
	"guestlist/internal/store/pgtest"
)

// TestVerifyWindow: which codes Verify takes, moving the clock, each
// accepted once and never after a later one.
func TestVerifyWindow(t *testing.T) {
	step := period * time.Second
	for name, c := range map[string]struct {
		codeAt  time.Duration // when the app made the code, from the enrolment
		checkAt time.Duration // when it is checked
		ok      bool
	}{
		"next step":            {step, step, true},
		"typed a step late":    {step, 2 * step, true},
		"two steps late":       {step, 3 * step, false},
		"app a step ahead":     {2 * step, step, true},
		"app two steps ahead":  {3 * step, step, false},
		"the enrolment's step": {0, step, false}, // spent by the confirmation
		"an hour old":          {step, time.Hour, false},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			start := f.clock.now()
			secret, _ := f.enrol(t, tenantA, "alice")
			f.clock.add(c.checkAt)
			_, err := f.s.Verify(t.Context(), tenantA, "alice", code(t, secret, start.Add(c.codeAt)))
			if c.ok {
				must(t, err)
			} else {
				wantKind(t, name, err, core.ErrUnauthenticated)
			}
		})
	}
}

// TestReplay: a code is taken once, and after a later step's code no
// earlier code is taken, though still within the window.
func TestReplay(t *testing.T) {
	f, ctx := newFixture(t), t.Context()
	secret, _ := f.enrol(t, tenantA, "alice")
	f.clock.add(period * time.Second)
	now := f.clock.now()
	current := code(t, secret, now)
	_, err := f.s.Verify(ctx, tenantA, "alice", current)
	must(t, err)
	_, err = f.s.Verify(ctx, tenantA, "alice", current)
	wantKind(t, "the same code again", err, core.ErrUnauthenticated)
	// The app a step ahead: its code is taken, and then the current
	// step's is refused though it would be in the window.
	f.clock.add(period * time.Second)
	ahead := code(t, secret, f.clock.now().Add(period*time.Second))
	_, err = f.s.Verify(ctx, tenantA, "alice", ahead)
	must(t, err)
	_, err = f.s.Verify(ctx, tenantA, "alice", code(t, secret, f.clock.now()))
	wantKind(t, "an earlier step after a later one", err, core.ErrUnauthenticated)
	// Spaces are ignored, as people type them.
	f.clock.add(2 * period * time.Second)
	c := code(t, secret, f.clock.now())
	_, err = f.s.Verify(ctx, tenantA, "alice", " "+c[:3]+" "+c[3:])
	must(t, err)
}

// TestRecoveryCodes: each is spent once, typed in any case and with or
// without its hyphen; new codes void the old ones.
func TestRecoveryCodes(t *testing.T) {
	f, ctx := newFixture(t), t.Context()
	_, codes := f.enrol(t, tenantA, "alice")
	for i, typed := range []string{codes[0], strings.ToLower(codes[1]), strings.ReplaceAll(codes[2], "-", "")} {
		v, err := f.s.Verify(ctx, tenantA, "alice", typed)
		must(t, err)
		if !v.RecoveryCode || v.RecoveryCodesLeft != RecoveryCodeCount-1-i {
			t.Errorf("Verify(%q) = %+v", typed, v)
		}
	}
	_, err := f.s.Verify(ctx, tenantA, "alice", codes[0])
	wantKind(t, "a spent code", err, core.ErrUnauthenticated)
	if n, err := f.s.RecoveryCodesLeft(ctx, tenantA, "alice"); err != nil || n != RecoveryCodeCount-3 {
		t.Errorf("RecoveryCodesLeft = %d, %v", n, err)
	}
	fresh, err := f.s.RegenerateRecoveryCodes(ctx, tenantA, "alice")
	must(t, err)
	if n, err := f.s.RecoveryCodesLeft(ctx, tenantA, "alice"); err != nil || n != RecoveryCodeCount {
		t.Errorf("RecoveryCodesLeft after regenerating = %d, %v", n, err)
	}
	_, err = f.s.Verify(ctx, tenantA, "alice", codes[3])
	wantKind(t, "an old unspent code", err, core.ErrUnauthenticated)
	_, err = f.s.Verify(ctx, tenantA, "alice", string(fresh[9]))
	must(t, err)
	recs, err := f.st.ListAudit(ctx, tenantA, store.AuditFilter{})
	must(t, err)
	if len(recs) != 2 || recs[0].Activity != "User updated security info" {
		t.Errorf("audit: %+v", recs)
	}
}

// TestThrottle: FailureLimit wrong codes in FailureWindow refuse every
// code, a right one too, until the first of them leaves the window; the
// daily cap holds however the failures are spread.
func TestThrottle(t *testing.T) {
	f, ctx := newFixture(t), t.Context()
	secret, codes := f.enrol(t, tenantA, "alice")
	f.enrol(t, tenantA, "bob")
	wrong := func() error {
		_, err := f.s.Verify(ctx, tenantA, "alice", "000000")
		return err
	}
	for i := range FailureLimit {
		wantKind(t, "wrong code", wrong(), core.ErrUnauthenticated)
		if i == 0 {
			f.clock.add(time.Minute) // the first failure leaves the window a minute before the others
		}
	}
	f.clock.add(period * time.Second)
	_, err := f.s.Verify(ctx, tenantA, "alice", code(t, secret, f.clock.now()))
	wantKind(t, "a right code while throttled", err, core.ErrThrottled)
	var rl *core.RetryLater
	if !errors.As(err, &rl) || rl.After != FailureWindow-time.Minute-period*time.Second {
		t.Errorf("RetryLater = %+v", rl)
	}
	_, err = f.s.Verify(ctx, tenantA, "alice", codes[0])
	wantKind(t, "a recovery code while throttled", err, core.ErrThrottled)
	// Another member is not throttled.
	_, err = f.s.Verify(ctx, tenantA, "bob", "000000")
	wantKind(t, "another member's wrong code", err, core.ErrUnauthenticated)

	f.clock.add(rl.After)
	_, err = f.s.Verify(ctx, tenantA, "alice", code(t, secret, f.clock.now()))
	must(t, err)
	wantKind(t, "one more wrong code", wrong(), core.ErrUnauthenticated)
	wantKind(t, "then throttled again", wrong(), core.ErrThrottled)

	// The daily cap: FailureLimit-1 failures per window until DailyLimit.
	g := newFixture(t)
	secret, _ = g.enrol(t, tenantA, "alice")
	for n := 0; n < DailyLimit; n++ {
		if n > 0 && n%(FailureLimit-1) == 0 {
			g.clock.add(FailureWindow)
		}
		_, err := g.s.Verify(ctx, tenantA, "alice", "000000")
		wantKind(t, "spread wrong code", err, core.ErrUnauthenticated)
	}
	g.clock.add(FailureWindow)
	_, err = g.s.Verify(ctx, tenantA, "alice", code(t, secret, g.clock.now()))
	wantKind(t, "after DailyLimit failures", err, core.ErrThrottled)
	if !errors.As(err, &rl) || rl.After <= FailureWindow {
		t.Errorf("daily RetryAfter = %+v", rl)
	}
	g.clock.add(rl.After)
	_, err = g.s.Verify(ctx, tenantA, "alice", code(t, secret, g.clock.now()))
	must(t, err)
}

// TestVerifyRace: of many checks of one code at once, one succeeds; the
// others count as wrong codes, so some of them may find the member
// throttled. Many wrong codes at once count no more than FailureLimit
// before the throttle refuses the rest. On both databases: on
// PostgreSQL the checks run on separate connections.
func TestVerifyRace(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) { testVerifyRace(t, newFixture(t)) })
	t.Run("PostgreSQL", func(t *testing.T) { testVerifyRace(t, newFixtureOn(t, pgtest.Schema(t))) })
}

func testVerifyRace(t *testing.T, f *fixture) {
	ctx := t.Context()
	secret, codes := f.enrol(t, tenantA, "alice")
	for _, recovery := range []bool{false, true} {
		f.clock.add(FailureWindow) // past the last round's failures
		c := code(t, secret, f.clock.now())
		if recovery {
			c = codes[0]
		}
		won := 0
		for _, err := range parallel(8, func() error {
			_, err := f.s.Verify(ctx, tenantA, "alice", c)
			return err
		}) {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, core.ErrUnauthenticated) && !errors.Is(err, core.ErrThrottled):
				t.Errorf("racer: %v", err)
			}
		}
		if won != 1 {
			t.Errorf("%d checks of one code succeeded", won)
		}
	}
	// Parallel guesses: the throttle counts them one after another.
	f.clock.add(FailureWindow)
	wrong := 0
	for _, err := range parallel(3*FailureLimit, func() error {
		_, err := f.s.Verify(ctx, tenantA, "alice", "000000")
		return err
	}) {
		switch {
		case errors.Is(err, core.ErrUnauthenticated):
			wrong++
		case !errors.Is(err, core.ErrThrottled):
			t.Errorf("guess: %v", err)
		}
	}
	if wrong != FailureLimit {
		t.Errorf("%d parallel guesses were checked, want %d", wrong, FailureLimit)
	}
}

// parallel runs fn racers times at once and returns the errors.
func parallel(racers int, fn func() error) []error {
	errs := make([]error, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			<-start
			errs[i] = fn()
		})
	}
	close(start)
	wg.Wait()
	return errs
}
