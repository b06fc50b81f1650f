package storetest

import (
	"context"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// flowExpires is when flow-1 of setupFlow expires.
func flowExpires() time.Time { return at(10 * time.Minute) }

// setupFlow is a store with tenants A and B and flow-1 in A.
func setupFlow(t *testing.T, newStore NewStore) (s store.Store, ctx context.Context, f *core.Flow) {
	s, ctx = newStore(t), t.Context()
	twoTenants(ctx, t, s)
	f = newFlow(tenantA, "flow-1", flowExpires())
	must(t, s.CreateFlow(ctx, f))
	return s, ctx, f
}

func testFlows(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore,
		subtest{"RoundTrip", testFlowsRoundTrip},
		subtest{"Expiry", testFlowsExpiry},
		subtest{"Conflict", testFlowsConflict},
		subtest{"NotFound", testFlowsNotFound},
		subtest{"SetStep", testFlowsSetStep},
		subtest{"WithUser", testFlowsWithUser},
		subtest{"Rekey", testFlowsRekey},
		subtest{"WithoutUser", testFlowsWithoutUser},
	)
}

// testFlowsWithUser: GetFlowUser returns the same flow as GetFlow and the
// flow's user, and nothing once either is gone, expired or of another
// tenant.
func testFlowsWithUser(t *testing.T, newStore NewStore) {
	s, ctx, f := setupFlow(t, newStore)
	_, _, err := s.GetFlowUser(ctx, tenantA, f.ID, t0)
	wantKind(t, err, core.ErrNotFound) // the flow's user does not exist yet
	u := newUser(tenantA, f.UserID, "guest@example.com")
	u.ExternalUserState, u.Method = core.StateAccepted, core.MethodOTP // the join reads the method too
	must(t, s.CreateUser(ctx, u))
	gotF, gotU, err := s.GetFlowUser(ctx, tenantA, f.ID, t0)
	must(t, err)
	diff(t, "GetFlowUser flow", f, gotF)
	diff(t, "GetFlowUser user", u, gotU)
	_, _, err = s.GetFlowUser(ctx, tenantB, f.ID, t0)
	wantKind(t, err, core.ErrNotFound)
	_, _, err = s.GetFlowUser(ctx, tenantA, f.ID, f.ExpiresAt)
	wantKind(t, err, core.ErrNotFound)
	must(t, s.DeleteUser(ctx, tenantA, u.ID))
	_, _, err = s.GetFlowUser(ctx, tenantA, f.ID, t0)
	wantKind(t, err, core.ErrNotFound)
}

func testFlowsRoundTrip(t *testing.T, newStore NewStore) {
	s, ctx, f := setupFlow(t, newStore)
	got, err := s.GetFlow(ctx, tenantA, f.ID, t0)
	must(t, err)
	diff(t, "GetFlow", f, got)
}

func testFlowsExpiry(t *testing.T, newStore NewStore) {
	expires := flowExpires()
	s, ctx, f := setupFlow(t, newStore)
	for _, tc := range []struct {
		name string
		now  time.Time
		live bool
	}{
		{"JustBefore", expires.Add(-time.Microsecond), true},
		{"AtExpiry", expires, false},
		{"After", expires.Add(time.Hour), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.GetFlow(ctx, tenantA, f.ID, tc.now)
			if !tc.live {
				wantKind(t, err, core.ErrNotFound)
				return
			}
			must(t, err)
			diff(t, "GetFlow", f, got)
		})
	}
}

func testFlowsConflict(t *testing.T, newStore NewStore) {
	expires := flowExpires()
	s, ctx, f := setupFlow(t, newStore)
	wantKind(t, s.CreateFlow(ctx, newFlow(tenantA, f.ID, expires)), core.ErrConflict)
}

func testFlowsNotFound(t *testing.T, newStore NewStore) {
	s, ctx, f := setupFlow(t, newStore)
	for _, tc := range []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"GetUnknown", func(ctx context.Context) error { _, err := s.GetFlow(ctx, tenantA, "nope", t0); return err }},
		{"GetOtherTenant", func(ctx context.Context) error { _, err := s.GetFlow(ctx, tenantB, f.ID, t0); return err }},
		{"StepUnknown", func(ctx context.Context) error {
			return s.SetFlowStep(ctx, tenantA, "nope", core.FlowStarted, core.FlowVerified)
		}},
		{"StepOtherTenant", func(ctx context.Context) error {
			return s.SetFlowStep(ctx, tenantB, f.ID, core.FlowStarted, core.FlowVerified)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { wantKind(t, tc.call(ctx), core.ErrNotFound) })
	}
}

func testFlowsSetStep(t *testing.T, newStore NewStore) {
	s, ctx, f := setupFlow(t, newStore)
	must(t, s.SetFlowStep(ctx, tenantA, f.ID, core.FlowStarted, core.FlowVerified))
	wantKind(t, s.SetFlowStep(ctx, tenantA, f.ID, core.FlowStarted, core.FlowVerified), core.ErrConflict)
	wantKind(t, s.SetFlowStep(ctx, tenantA, f.ID, core.FlowStarted, core.FlowDone), core.ErrConflict)
	must(t, s.SetFlowStep(ctx, tenantA, f.ID, core.FlowVerified, core.FlowDone))
	want := *f
	want.Step = core.FlowDone
	got, err := s.GetFlow(ctx, tenantA, f.ID, t0)
	must(t, err)
	diff(t, "GetFlow", &want, got)
}

// passcodes creates, for flow-1 of tenant A: two live codes (p1 older),
// one expiring at t0, one used, plus a live code of another flow and one
// of tenant B's flow-1.
func passcodes(ctx context.Context, t *testing.T, s store.Store) (p1, p2 *core.Passcode) {
	t.Helper()
	twoTenants(ctx, t, s)
	p1 = newPasscode(tenantA, "code-1", "flow-1", at(-2*time.Minute), at(8*time.Minute))
	p2 = newPasscode(tenantA, "code-2", "flow-1", at(-time.Minute), at(9*time.Minute))
	p2.Attempts, p2.Seed = 0, []byte("another seed")
	expired := newPasscode(tenantA, "code-3", "flow-1", at(-10*time.Minute), t0)
	used := newPasscode(tenantA, "code-4", "flow-1", at(-30*time.Second), at(9*time.Minute))
	used.UsedAt = at(-10 * time.Second)
	otherFlow := newPasscode(tenantA, "code-5", "flow-2", t0, at(10*time.Minute))
	otherTenant := newPasscode(tenantB, "code-6", "flow-1", t0, at(10*time.Minute))
	for _, p := range []*core.Passcode{p1, p2, expired, used, otherFlow, otherTenant} {
		must(t, s.CreatePasscode(ctx, p))
	}
	return p1, p2
}

// wantLive checks LivePasscodes of tenant A's flow-1 at now.
func wantLive(t *testing.T, s store.Store, now time.Time, want ...core.Passcode) {
	t.Helper()
	got, err := s.LivePasscodes(t.Context(), tenantA, "flow-1", now)
	must(t, err)
	diff(t, "LivePasscodes", want, got)
}

func testPasscodes(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore,
		subtest{"Live", testPasscodesLive},
		subtest{"Conflict", testPasscodesConflict},
		subtest{"Attempts", testPasscodesAttempts},
		subtest{"Use", testPasscodesUse},
		subtest{"NotFound", testPasscodesNotFound},
	)
}

func testPasscodesLive(t *testing.T, newStore NewStore) {
	s := newStore(t)
	p1, p2 := passcodes(t.Context(), t, s)
	wantLive(t, s, t0, *p2, *p1)
	wantLive(t, s, p1.ExpiresAt.Add(-time.Microsecond), *p2, *p1)
	wantLive(t, s, p1.ExpiresAt, *p2)
	wantLive(t, s, p2.ExpiresAt)
}

func testPasscodesConflict(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	p1, _ := passcodes(ctx, t, s)
	wantKind(t, s.CreatePasscode(ctx, p1), core.ErrConflict)
}

func testPasscodesAttempts(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	p1, p2 := passcodes(ctx, t, s)
	must(t, s.AddPasscodeAttempts(ctx, tenantA, []string{p1.ID, p2.ID, "nope"}))
	must(t, s.AddPasscodeAttempts(ctx, tenantA, []string{p1.ID}))
	must(t, s.AddPasscodeAttempts(ctx, tenantB, []string{p1.ID, p2.ID}))
	must(t, s.AddPasscodeAttempts(ctx, tenantA, nil))
	w1, w2 := *p1, *p2
	w1.Attempts, w2.Attempts = p1.Attempts+2, p2.Attempts+1
	wantLive(t, s, t0, w2, w1)
}

func testPasscodesUse(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	p1, p2 := passcodes(ctx, t, s)
	must(t, s.UsePasscode(ctx, tenantA, p2.ID, t0))
	wantKind(t, s.UsePasscode(ctx, tenantA, p2.ID, at(time.Second)), core.ErrConflict)
	wantKind(t, s.UsePasscode(ctx, tenantA, "code-4", t0), core.ErrConflict) // used at creation
	wantLive(t, s, t0, *p1)
}

func testPasscodesNotFound(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	p1, p2 := passcodes(ctx, t, s)
	wantKind(t, s.UsePasscode(ctx, tenantA, "nope", t0), core.ErrNotFound)
	wantKind(t, s.UsePasscode(ctx, tenantB, p1.ID, t0), core.ErrNotFound)
	got, err := s.LivePasscodes(ctx, tenantB, "flow-2", t0)
	must(t, err)
	diff(t, "other tenant's flow-2", []core.Passcode(nil), got)
	wantLive(t, s, t0, *p2, *p1)
}
