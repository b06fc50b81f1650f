package storetest

import (
	"context"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// setupSession is a store with tenants A and B and sess-1 in A, live
// until an hour after t0.
func setupSession(t *testing.T, newStore NewStore) (store.Store, context.Context, *core.Session) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	sess := newSession(tenantA, "sess-1", "user-a1", at(time.Hour))
	must(t, s.CreateSession(ctx, sess))
	return s, ctx, sess
}

func testSessions(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore,
		subtest{"RoundTrip", testSessionsRoundTrip},
		subtest{"Expiry", testSessionsExpiry},
		subtest{"Conflict", testSessionsConflict},
		subtest{"NotFound", testSessionsNotFound},
		subtest{"Revoke", testRevokeSessions},
	)
}

func testSessionsRoundTrip(t *testing.T, newStore NewStore) {
	s, ctx, sess := setupSession(t, newStore)
	got, err := s.GetSession(ctx, tenantA, sess.ID, t0)
	must(t, err)
	diff(t, "GetSession", sess, got)
}

func testSessionsExpiry(t *testing.T, newStore NewStore) {
	expires := at(time.Hour)
	s, ctx, sess := setupSession(t, newStore)
	got, err := s.GetSession(ctx, tenantA, sess.ID, expires.Add(-time.Microsecond))
	must(t, err)
	diff(t, "GetSession", sess, got)
	_, err = s.GetSession(ctx, tenantA, sess.ID, expires)
	wantKind(t, err, core.ErrNotFound)
}

func testSessionsConflict(t *testing.T, newStore NewStore) {
	s, ctx, sess := setupSession(t, newStore)
	wantKind(t, s.CreateSession(ctx, sess), core.ErrConflict)
}

func testSessionsNotFound(t *testing.T, newStore NewStore) {
	s, ctx, sess := setupSession(t, newStore)
	_, err := s.GetSession(ctx, tenantA, "nope", t0)
	wantKind(t, err, core.ErrNotFound)
	_, err = s.GetSession(ctx, tenantB, sess.ID, t0)
	wantKind(t, err, core.ErrNotFound)
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
		first       time.Time
		latest      time.Time
	}{
		{"All", tenantA, "k", time.Time{}, 3, at(-10 * time.Minute), at(-time.Minute)},
		{"SinceIsInclusive", tenantA, "k", at(-5 * time.Minute), 2, at(-5 * time.Minute), at(-time.Minute)},
		{"NoneSince", tenantA, "k", t0, 0, time.Time{}, time.Time{}},
		{"OtherKey", tenantA, "other", time.Time{}, 1, t0, t0},
		{"OtherTenant", tenantB, "k", time.Time{}, 1, t0, t0},
		{"UnknownKey", tenantA, "nope", time.Time{}, 0, time.Time{}, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, latest, err := s.CountEvents(ctx, tc.tenant, tc.key, tc.since)
			must(t, err)
			if n != tc.n {
				t.Errorf("count = %d, want %d", n, tc.n)
			}
			diff(t, "latest", tc.latest, latest)
			windows, err := s.EventWindows(ctx, tc.tenant, tc.since, tc.key, "nope-too")
			must(t, err)
			want := map[string]store.EventWindow{}
			if tc.n > 0 {
				want[tc.key] = store.EventWindow{Count: tc.n, First: tc.first, Last: tc.latest}
			}
			diff(t, "EventWindows", want, windows)
		})
	}
}

// testRecordEvents: several keys in one write, read back in one read, each
// key on its own and only in its tenant.
func testRecordEvents(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	must(t, s.RecordEvents(ctx, tenantA, at(-time.Hour), "a", "b"))
	must(t, s.InTx(ctx, func(tx store.Tx) error { return tx.RecordEvents(ctx, tenantA, t0, "a", "c") }))
	must(t, s.RecordEvents(ctx, tenantB, t0, "a"))
	must(t, s.RecordEvents(ctx, tenantA, t0)) // no keys: nothing
	got, err := s.EventWindows(ctx, tenantA, time.Time{}, "a", "b", "c", "d")
	must(t, err)
	diff(t, "windows", map[string]store.EventWindow{
		"a": {Count: 2, First: at(-time.Hour), Last: t0},
		"b": {Count: 1, First: at(-time.Hour), Last: at(-time.Hour)},
		"c": {Count: 1, First: t0, Last: t0},
	}, got)
	got, err = s.EventWindows(ctx, tenantA, at(-time.Minute), "a", "b")
	must(t, err)
	diff(t, "windows since a minute ago", map[string]store.EventWindow{"a": {Count: 1, First: t0, Last: t0}}, got)
	got, err = s.EventWindows(ctx, tenantA, time.Time{})
	must(t, err)
	diff(t, "no keys", map[string]store.EventWindow{}, got)
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

// testPrune: what expired by `before` goes, in every tenant, with the
// passcode mail that was done with before it; the rest stays. Reads use a
// `now` long before, where everything would still be live.
func testPrune(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	early := at(-24 * time.Hour)
	pruneRows(ctx, t, s, early)
	mails := pruneMail(ctx, t, s)

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
	for id, kept := range mails {
		_, err := s.GetMail(ctx, id)
		if kept {
			must(t, err)
		} else {
			wantKind(t, err, core.ErrNotFound)
		}
	}
}

// pruneRows creates in both tenants an "old" flow, passcode and session
// that expire at t0 and "new" ones just after, and more events than one
// delete batch takes (to check Prune keeps going), all before t0 but one.
func pruneRows(ctx context.Context, t *testing.T, s store.Store, early time.Time) {
	t.Helper()
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
	must(t, s.InTx(ctx, func(tx store.Tx) error {
		for i := range 2500 {
			if err := tx.RecordEvent(ctx, tenantA, "k", at(-time.Duration(i+1)*time.Second)); err != nil {
				return err
			}
		}
		return tx.RecordEvent(ctx, tenantA, "k", t0)
	}))
}

// pruneMail enqueues mail for Prune and returns whether each should be
// kept: passcode mail goes once sent or failed, other mail stays.
func pruneMail(ctx context.Context, t *testing.T, s store.Store) map[string]bool {
	t.Helper()
	kept := map[string]bool{}
	for _, m := range []struct {
		id              string
		sensitive, kept bool
		created         time.Time
		mark            func(id string) error
	}{
		{"sent", true, false, at(-time.Hour), func(id string) error { return s.MarkMailSent(ctx, id, t0, false) }},
		{"failed", true, false, at(-time.Hour), func(id string) error { return s.MarkMailFailed(ctx, id, "x") }},
		{"pending", true, true, at(-time.Hour), func(string) error { return nil }},
		{"sent-later", true, true, t0, func(id string) error { return s.MarkMailSent(ctx, id, t0, false) }},
		{"invitation-sent", false, true, at(-time.Hour), func(id string) error { return s.MarkMailSent(ctx, id, t0, false) }},
	} {
		msg := newMail(tenantA, "mail-"+m.id, m.created)
		msg.Sensitive = m.sensitive
		must(t, s.EnqueueMail(ctx, msg))
		must(t, m.mark(msg.ID))
		kept[msg.ID] = m.kept
	}
	return kept
}
