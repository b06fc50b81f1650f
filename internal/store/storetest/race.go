package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// racers is how many goroutines race for one row.
const racers = 16

// race runs fn in racers goroutines at once and checks that exactly one
// succeeds and every other one gets core.ErrConflict.
func race(t *testing.T, fn func() error) {
	t.Helper()
	raceFor(t, core.ErrConflict, fn)
}

// raceFor is race where the losers get the error kind lost.
func raceFor(t *testing.T, lost error, fn func() error) {
	t.Helper()
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
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, lost):
			t.Errorf("racer failed with %v, want success or %v", err, lost)
		}
	}
	if won != 1 {
		t.Errorf("%d racers succeeded, want exactly 1", won)
	}
}

func testRaces(t *testing.T, newStore NewStore) {
	// Every single-use update, called directly and inside InTx.
	for _, tc := range []struct {
		name string
		fn   func(tx store.Tx) error
	}{
		{"UsePasscode", func(tx store.Tx) error { return tx.UsePasscode(t.Context(), tenantA, "code-1", t0) }},
		{"CompleteInvitation", func(tx store.Tx) error {
			return tx.CompleteInvitation(t.Context(), tenantA, "inv-1", t0)
		}},
		{"AcceptUser", func(tx store.Tx) error { return tx.AcceptUser(t.Context(), tenantA, "user-1", core.MethodOTP, nil, t0) }},
		{"SetFlowStep", func(tx store.Tx) error {
			return tx.SetFlowStep(t.Context(), tenantA, "flow-1", core.FlowStarted, core.FlowVerified)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := raceRows(t, newStore)
			race(t, func() error { return tc.fn(s) })
		})
		t.Run(tc.name+"InTx", func(t *testing.T) {
			s := raceRows(t, newStore)
			race(t, func() error {
				return s.InTx(t.Context(), func(tx store.Tx) error { return tc.fn(tx) })
			})
		})
	}
	t.Run("Redemption", func(t *testing.T) {
		// The redemption's steps in one transaction: the loser's writes
		// are all rolled back.
		s := raceRows(t, newStore)
		race(t, func() error {
			return s.InTx(t.Context(), func(tx store.Tx) error {
				ctx := t.Context()
				if err := tx.SetFlowStep(ctx, tenantA, "flow-1", core.FlowStarted, core.FlowVerified); err != nil {
					return err
				}
				if err := tx.UsePasscode(ctx, tenantA, "code-1", t0); err != nil {
					return err
				}
				if err := tx.CompleteInvitation(ctx, tenantA, "inv-1", t0); err != nil {
					return err
				}
				return tx.AcceptUser(ctx, tenantA, "user-1", core.MethodOTP, nil, t0)
			})
		})
	})
	t.Run("ClaimMail", func(t *testing.T) { testClaimRace(t, newStore) })
}

// raceRows is a store with one row of each kind to race for.
func raceRows(t *testing.T, newStore NewStore) store.Store {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	must(t, s.CreatePasscode(ctx, newPasscode(tenantA, "code-1", "flow-1", t0, at(time.Hour))))
	must(t, s.CreateInvitation(ctx, newInvitation(tenantA, "inv-1", "user-1", "token-1")))
	must(t, s.CreateUser(ctx, newUser(tenantA, "user-1", "guest@example.com")))
	must(t, s.CreateFlow(ctx, newFlow(tenantA, "flow-1", at(time.Hour))))
	return s
}

// testClaimRace: workers claim until nothing is left; every message is
// claimed by exactly one of them.
func testClaimRace(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	const messages, workers = 60, 8
	var want []string
	for i := range messages {
		m := newMail(tenantA, fmt.Sprintf("mail-%02d", i), at(time.Duration(i)*time.Second))
		must(t, s.EnqueueMail(ctx, m))
		want = append(want, m.ID)
	}
	var (
		mu  sync.Mutex
		got []string
		wg  sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			// A worker that never runs dry is claiming leased mail again.
			for range messages + 1 {
				batch, err := s.ClaimMail(ctx, at(time.Hour), 5*time.Minute, 3)
				if err != nil {
					t.Errorf("ClaimMail: %v", err)
					return
				}
				if len(batch) == 0 {
					return
				}
				mu.Lock()
				for _, m := range batch {
					got = append(got, m.ID)
				}
				mu.Unlock()
			}
			t.Errorf("a worker was still claiming after %d rounds", messages+1)
		})
	}
	wg.Wait()
	slices.Sort(got)
	diff(t, "claimed ids (each once)", want, got)
}
