package storetest

import (
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

func newAuthenticator(tenantID, userID, secret string, created time.Time) *core.Authenticator {
	return &core.Authenticator{TenantID: tenantID, UserID: userID, Secret: []byte(secret), CreatedAt: created}
}

// testMFA: an authenticator is pending until activated, replaced only
// while pending, accepts each time step once and only in order, and is
// never seen from another user or tenant; recovery codes are spent once,
// by their user only, replaced as a set, and go with the authenticator,
// the user and the tenant.
func testMFA(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	for _, u := range []*core.User{newUser(tenantA, "u1", "u1@example.com"),
		newUser(tenantA, "u2", "u2@example.com"), newUser(tenantB, "u1", "u1@example.com")} {
		must(t, s.CreateUser(ctx, u))
	}
	wantKind(t, s.PutAuthenticator(ctx, newAuthenticator(tenantA, "nobody", "s", t0)), core.ErrNotFound)
	wantKind(t, s.PutAuthenticator(ctx, newAuthenticator("no-such-tenant", "u1", "s", t0)), core.ErrNotFound)
	_, err := s.GetAuthenticator(ctx, tenantA, "u1")
	wantKind(t, err, core.ErrNotFound)

	// A pending authenticator is replaced by the next enrolment.
	must(t, s.PutAuthenticator(ctx, newAuthenticator(tenantA, "u1", "first", t0)))
	second := newAuthenticator(tenantA, "u1", "second", at(time.Minute))
	must(t, s.PutAuthenticator(ctx, second))
	got, err := s.GetAuthenticator(ctx, tenantA, "u1")
	must(t, err)
	diff(t, "pending authenticator", second, got)
	_, err = s.GetAuthenticator(ctx, tenantB, "u1")
	wantKind(t, err, core.ErrNotFound)
	wantKind(t, s.AdvanceStep(ctx, tenantA, "u1", 100), core.ErrConflict) // pending: no code accepted yet

	must(t, s.ActivateAuthenticator(ctx, tenantA, "u1", at(2*time.Minute), 100))
	wantKind(t, s.ActivateAuthenticator(ctx, tenantA, "u1", at(3*time.Minute), 101), core.ErrConflict)
	wantKind(t, s.ActivateAuthenticator(ctx, tenantB, "u1", at(3*time.Minute), 101), core.ErrConflict)
	wantKind(t, s.PutAuthenticator(ctx, newAuthenticator(tenantA, "u1", "third", at(4*time.Minute))), core.ErrConflict)
	second.ActivatedAt, second.LastStep = at(2*time.Minute), 100
	got, err = s.GetAuthenticator(ctx, tenantA, "u1")
	must(t, err)
	diff(t, "active authenticator", second, got)
	if !got.Active() {
		t.Error("activated authenticator is not Active")
	}

	// Steps only move forward.
	for _, c := range []struct {
		step int64
		kind error
	}{{100, core.ErrConflict}, {99, core.ErrConflict}, {101, nil}, {101, core.ErrConflict}, {103, nil}, {102, core.ErrConflict}} {
		err := s.AdvanceStep(ctx, tenantA, "u1", c.step)
		if c.kind == nil {
			must(t, err)
		} else {
			wantKind(t, err, c.kind)
		}
	}
	wantKind(t, s.AdvanceStep(ctx, tenantB, "u1", 200), core.ErrConflict)
	got, err = s.GetAuthenticator(ctx, tenantA, "u1")
	must(t, err)
	if got.LastStep != 103 {
		t.Errorf("LastStep = %d, want 103", got.LastStep)
	}

	// Recovery codes.
	codes := [][]byte{[]byte("h1"), []byte("h2"), []byte("h3")}
	must(t, s.SetRecoveryCodes(ctx, tenantA, "u1", codes, t0))
	must(t, s.SetRecoveryCodes(ctx, tenantB, "u1", codes[:1], t0))
	wantLeft := func(tenantID, userID string, want int) {
		t.Helper()
		n, err := s.RecoveryCodesLeft(ctx, tenantID, userID)
		must(t, err)
		if n != want {
			t.Errorf("RecoveryCodesLeft(%s, %s) = %d, want %d", tenantID, userID, n, want)
		}
	}
	wantLeft(tenantA, "u1", 3)
	wantLeft(tenantA, "u2", 0)
	must(t, s.UseRecoveryCode(ctx, tenantA, "u1", []byte("h2"), at(time.Hour)))
	wantKind(t, s.UseRecoveryCode(ctx, tenantA, "u1", []byte("h2"), at(time.Hour)), core.ErrNotFound)
	wantKind(t, s.UseRecoveryCode(ctx, tenantA, "u2", []byte("h1"), at(time.Hour)), core.ErrNotFound)
	wantKind(t, s.UseRecoveryCode(ctx, tenantB, "u1", []byte("h3"), at(time.Hour)), core.ErrNotFound)
	wantKind(t, s.UseRecoveryCode(ctx, tenantA, "u1", []byte("nope"), at(time.Hour)), core.ErrNotFound)
	wantLeft(tenantA, "u1", 2)
	wantLeft(tenantB, "u1", 1)
	// A new set replaces the old one, spent codes included.
	must(t, s.SetRecoveryCodes(ctx, tenantA, "u1", [][]byte{[]byte("h2"), []byte("h4")}, at(2*time.Hour)))
	wantLeft(tenantA, "u1", 2)
	wantKind(t, s.UseRecoveryCode(ctx, tenantA, "u1", []byte("h1"), at(3*time.Hour)), core.ErrNotFound)
	must(t, s.UseRecoveryCode(ctx, tenantA, "u1", []byte("h2"), at(3*time.Hour)))
	wantKind(t, s.SetRecoveryCodes(ctx, tenantA, "u2", [][]byte{[]byte("x"), []byte("x")}, t0), core.ErrConflict)

	// Deleting the authenticator deletes its codes, for its user only;
	// then the user may enrol again.
	wantKind(t, s.DeleteAuthenticator(ctx, tenantA, "u2"), core.ErrNotFound)
	must(t, s.DeleteAuthenticator(ctx, tenantA, "u1"))
	wantKind(t, s.DeleteAuthenticator(ctx, tenantA, "u1"), core.ErrNotFound)
	wantLeft(tenantA, "u1", 0)
	wantLeft(tenantB, "u1", 1)
	_, err = s.GetAuthenticator(ctx, tenantB, "u1")
	wantKind(t, err, core.ErrNotFound)
	must(t, s.PutAuthenticator(ctx, newAuthenticator(tenantA, "u1", "again", at(5*time.Hour))))

	// They go with their user and with their tenant.
	must(t, s.PutAuthenticator(ctx, newAuthenticator(tenantA, "u2", "u2", t0)))
	must(t, s.SetRecoveryCodes(ctx, tenantA, "u2", codes, t0))
	must(t, s.DeleteUser(ctx, tenantA, "u2"))
	_, err = s.GetAuthenticator(ctx, tenantA, "u2")
	wantKind(t, err, core.ErrNotFound)
	wantLeft(tenantA, "u2", 0)
	must(t, s.PutAuthenticator(ctx, newAuthenticator(tenantB, "u1", "b", t0)))
	must(t, s.DeleteTenant(ctx, tenantB))
	_, err = s.GetAuthenticator(ctx, tenantB, "u1")
	wantKind(t, err, core.ErrNotFound)
	wantLeft(tenantB, "u1", 0)
	_, err = s.GetAuthenticator(ctx, tenantA, "u1")
	must(t, err)
}

// testMFARaces: of many uses of one time step, or of one recovery code,
// exactly one succeeds, directly and inside InTx.
func testMFARaces(t *testing.T, newStore NewStore) {
	setup := func(t *testing.T) store.Store {
		s, ctx := newStore(t), t.Context()
		must(t, s.CreateTenant(ctx, newTenant(tenantA, "a")))
		must(t, s.CreateUser(ctx, newUser(tenantA, "u1", "u1@example.com")))
		must(t, s.PutAuthenticator(ctx, newAuthenticator(tenantA, "u1", "s", t0)))
		must(t, s.ActivateAuthenticator(ctx, tenantA, "u1", t0, 10))
		must(t, s.SetRecoveryCodes(ctx, tenantA, "u1", [][]byte{[]byte("h1")}, t0))
		return s
	}
	for _, tc := range []struct {
		name string
		lost error
		fn   func(tx store.Tx) error
	}{
		{"AdvanceStep", core.ErrConflict, func(tx store.Tx) error { return tx.AdvanceStep(t.Context(), tenantA, "u1", 11) }},
		{"UseRecoveryCode", core.ErrNotFound, func(tx store.Tx) error {
			return tx.UseRecoveryCode(t.Context(), tenantA, "u1", []byte("h1"), t0)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := setup(t)
			raceFor(t, tc.lost, func() error { return tc.fn(s) })
		})
		t.Run(tc.name+"InTx", func(t *testing.T) {
			s := setup(t)
			raceFor(t, tc.lost, func() error {
				return s.InTx(t.Context(), func(tx store.Tx) error { return tc.fn(tx) })
			})
		})
	}
}
