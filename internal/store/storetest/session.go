package storetest

import (
	"context"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

func testSessions(t *testing.T, newStore NewStore) {
	expires := at(time.Hour)
	setup := func(t *testing.T) (store.Store, context.Context, *core.Session) {
		s, ctx := newStore(t), t.Context()
		twoTenants(ctx, t, s)
		sess := newSession(tenantA, "sess-1", "user-a1", expires)
		must(t, s.CreateSession(ctx, sess))
		return s, ctx, sess
	}
	t.Run("RoundTrip", func(t *testing.T) {
		s, ctx, sess := setup(t)
		got, err := s.GetSession(ctx, tenantA, sess.ID, t0)
		must(t, err)
		diff(t, "GetSession", sess, got)
	})
	t.Run("Expiry", func(t *testing.T) {
		s, ctx, sess := setup(t)
		got, err := s.GetSession(ctx, tenantA, sess.ID, expires.Add(-time.Microsecond))
		must(t, err)
		diff(t, "GetSession", sess, got)
		_, err = s.GetSession(ctx, tenantA, sess.ID, expires)
		wantKind(t, err, core.ErrNotFound)
	})
	t.Run("Conflict", func(t *testing.T) {
		s, ctx, sess := setup(t)
		wantKind(t, s.CreateSession(ctx, sess), core.ErrConflict)
	})
	t.Run("NotFound", func(t *testing.T) {
		s, ctx, sess := setup(t)
		_, err := s.GetSession(ctx, tenantA, "nope", t0)
		wantKind(t, err, core.ErrNotFound)
		_, err = s.GetSession(ctx, tenantB, sess.ID, t0)
		wantKind(t, err, core.ErrNotFound)
	})
	t.Run("Revoke", func(t *testing.T) { testRevokeSessions(t, newStore) })
}

func testRevokeSessions(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	revoked := newSession(tenantA, "sess-revoked", "user-a1", at(time.Hour))
	revoked.RevokedAt = at(-time.Second)
	mine1 := newSession(tenantA, "sess-1", "user-a1", at(time.Hour))
	mine2 := newSession(tenantA, "sess-2", "user-a1", at(2*time.Hour))
	other := newSession(tenantA, "sess-3", "user-a2", at(time.Hour))
	sameUserInB := newSession(tenantB, "sess-4", "user-a1", at(time.Hour))
	for _, sess := range []*core.Session{revoked, mine1, mine2, other, sameUserInB} {
		must(t, s.CreateSession(ctx, sess))
	}
	_, err := s.GetSession(ctx, tenantA, revoked.ID, t0)
	wantKind(t, err, core.ErrNotFound)

	must(t, s.RevokeUserSessions(ctx, tenantA, "user-a1", t0))
	must(t, s.RevokeUserSessions(ctx, tenantA, "user-without-sessions", t0))
	for _, c := range []struct {
		tenant, id string
		live       bool
	}{
		{tenantA, mine1.ID, false},
		{tenantA, mine2.ID, false},
		{tenantA, other.ID, true},
		{tenantB, sameUserInB.ID, true},
	} {
		_, err := s.GetSession(ctx, c.tenant, c.id, t0)
		if c.live {
			must(t, err)
		} else {
			wantKind(t, err, core.ErrNotFound)
		}
	}
}

func testEvents(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	for _, e := range []struct {
		tenant, key string
		at          time.Time
	}{
		{tenantA, "k", at(-10 * time.Minute)},
		{tenantA, "k", at(-5 * time.Minute)},
		{tenantA, "k", at(-time.Minute)},
		{tenantA, "other", t0},
		{tenantB, "k", t0},
	} {
		must(t, s.RecordEvent(ctx, e.tenant, e.key, e.at))
	}
	for _, tc := range []struct {
		name        string
		tenant, key string
		since       time.Time
		n           int
		latest      time.Time
	}{
		{"All", tenantA, "k", time.Time{}, 3, at(-time.Minute)},
		{"SinceIsInclusive", tenantA, "k", at(-5 * time.Minute), 2, at(-time.Minute)},
		{"NoneSince", tenantA, "k", t0, 0, time.Time{}},
		{"OtherKey", tenantA, "other", time.Time{}, 1, t0},
		{"OtherTenant", tenantB, "k", time.Time{}, 1, t0},
		{"UnknownKey", tenantA, "nope", time.Time{}, 0, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, latest, err := s.CountEvents(ctx, tc.tenant, tc.key, tc.since)
			must(t, err)
			if n != tc.n {
				t.Errorf("count = %d, want %d", n, tc.n)
			}
			diff(t, "latest", tc.latest, latest)
		})
	}
}

func testSigningKeys(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	list, err := s.SigningKeys(ctx)
	must(t, err)
	diff(t, "SigningKeys of an empty store", []core.SigningKey(nil), list)
	k1 := &core.SigningKey{ID: "kid-1", Algorithm: "RS256", PrivateJWK: []byte(`{"kty":"RSA"}`), CreatedAt: at(-time.Hour)}
	k2 := &core.SigningKey{ID: "kid-2", Algorithm: "ES256", PrivateJWK: []byte(`{"kty":"EC"}`), CreatedAt: t0}
	must(t, s.CreateSigningKey(ctx, k1))
	must(t, s.CreateSigningKey(ctx, k2))
	wantKind(t, s.CreateSigningKey(ctx, k1), core.ErrConflict)
	list, err = s.SigningKeys(ctx)
	must(t, err)
	diff(t, "SigningKeys", []core.SigningKey{*k2, *k1}, list)
}

// testPrune: what expired by `before` goes, in every tenant; the rest
// stays. Reads use a `now` long before, where everything would be live.
func testPrune(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	early := at(-24 * time.Hour)
	for _, tenant := range []string{tenantA, tenantB} {
		for _, c := range []struct {
			id      string
			expires time.Time
		}{{"old", t0}, {"new", at(time.Microsecond)}} {
			must(t, s.CreateFlow(ctx, newFlow(tenant, "flow-"+c.id, c.expires)))
			must(t, s.CreatePasscode(ctx, newPasscode(tenant, "code-"+c.id, "flow-x", early, c.expires)))
			must(t, s.CreateSession(ctx, newSession(tenant, "sess-"+c.id, "user", c.expires)))
		}
	}
	// More events than one delete batch takes, to check Prune keeps going.
	must(t, s.InTx(ctx, func(tx store.Tx) error {
		for i := range 2500 {
			if err := tx.RecordEvent(ctx, tenantA, "k", at(-time.Duration(i+1)*time.Second)); err != nil {
				return err
			}
		}
		return tx.RecordEvent(ctx, tenantA, "k", t0)
	}))

	must(t, s.Prune(ctx, t0))

	for _, tenant := range []string{tenantA, tenantB} {
		for _, c := range []struct {
			id   string
			kept bool
		}{{"old", false}, {"new", true}} {
			_, errF := s.GetFlow(ctx, tenant, "flow-"+c.id, early)
			_, errS := s.GetSession(ctx, tenant, "sess-"+c.id, early)
			for _, err := range []error{errF, errS} {
				if c.kept {
					must(t, err)
				} else {
					wantKind(t, err, core.ErrNotFound)
				}
			}
		}
		codes, err := s.LivePasscodes(ctx, tenant, "flow-x", early)
		must(t, err)
		if len(codes) != 1 || codes[0].ID != "code-new" {
			t.Errorf("passcodes after prune = %v, want only code-new", codes)
		}
	}
	n, latest, err := s.CountEvents(ctx, tenantA, "k", time.Time{})
	must(t, err)
	if n != 1 || !latest.Equal(t0.Truncate(time.Microsecond)) {
		t.Errorf("events after prune: %d, latest %v; want 1 at %v", n, latest, t0)
	}
}
