package storetest

import (
	"context"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// outbox enqueues, oldest first: m1 and m2, a sensitive passcode mail m3,
// and m4 which is not due until an hour after t0. It returns them as
// GetMail should read them: pending, and due when created unless they say
// otherwise.
func outbox(ctx context.Context, t *testing.T, s store.Store) (m1, m2, m3, m4 *core.OutboxMessage) {
	t.Helper()
	twoTenants(ctx, t, s)
	m1 = newMail(tenantA, "mail-1", at(-3*time.Minute))
	m2 = newMail(tenantB, "mail-2", at(-2*time.Minute))
	m3 = newMail(tenantA, "mail-3", at(-time.Minute))
	m3.Kind, m3.Sensitive, m3.CC = core.MailPasscode, true, nil
	m4 = newMail(tenantA, "mail-4", t0)
	m4.NextAttempt = at(time.Hour)
	for _, m := range []*core.OutboxMessage{m1, m2, m3, m4} {
		want := *m
		want.Status = core.MailPending
		if want.NextAttempt.IsZero() {
			want.NextAttempt = want.CreatedAt
		}
		must(t, s.EnqueueMail(ctx, m))
		diff(t, "message after EnqueueMail", &want, m)
	}
	return m1, m2, m3, m4
}

// claimed is m as ClaimMail returns it after n claims at now.
func claimed(m *core.OutboxMessage, n int, leaseUntil time.Time) core.OutboxMessage {
	c := *m
	c.Attempts, c.LeaseUntil = m.Attempts+n, leaseUntil
	return c
}

func claim(t *testing.T, s store.Store, now time.Time, limit int, want ...core.OutboxMessage) {
	t.Helper()
	got, err := s.ClaimMail(t.Context(), now, 5*time.Minute, limit)
	must(t, err)
	diff(t, "ClaimMail", want, got)
}

func getMail(t *testing.T, s store.Store, want *core.OutboxMessage) {
	t.Helper()
	got, err := s.GetMail(t.Context(), want.ID)
	must(t, err)
	diff(t, "GetMail", want, got)
}

func testMail(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore,
		subtest{"RoundTrip", testMailRoundTrip},
		subtest{"Lease", testMailLease},
		subtest{"Retry", testMailRetry},
		subtest{"Sent", testMailSent},
		subtest{"SentKeepBody", testMailSentKeepBody},
		subtest{"Failed", testMailFailed},
		subtest{"NotFound", testMailNotFound},
	)
}

func testMailRoundTrip(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	m1, m2, m3, m4 := outbox(ctx, t, s)
	for _, m := range []*core.OutboxMessage{m1, m2, m3, m4} {
		getMail(t, s, m)
	}
	list, err := s.ListMail(ctx, 0)
	must(t, err)
	diff(t, "ListMail", []core.OutboxMessage{*m4, *m3, *m2, *m1}, list)
	list, err = s.ListMail(ctx, 2)
	must(t, err)
	diff(t, "ListMail(2)", []core.OutboxMessage{*m4, *m3}, list)
	wantKind(t, s.EnqueueMail(ctx, newMail(tenantA, m1.ID, t0)), core.ErrConflict)
}

func testMailLease(t *testing.T, newStore NewStore) {
	s := newStore(t)
	m1, m2, m3, m4 := outbox(t.Context(), t, s)
	lease := t0.Add(5 * time.Minute)
	claim(t, s, t0, 0)
	claim(t, s, t0, 2, claimed(m1, 1, lease), claimed(m2, 1, lease))
	claim(t, s, t0, 10, claimed(m3, 1, lease))
	claim(t, s, lease.Add(-time.Microsecond), 10) // every lease is live
	getMail(t, s, new(claimed(m1, 1, lease)))
	// Leases end at lease_until; m4 is due an hour after t0.
	lease2 := lease.Add(5 * time.Minute)
	claim(t, s, lease, 10, claimed(m1, 2, lease2), claimed(m2, 2, lease2), claimed(m3, 2, lease2))
	lease3 := at(time.Hour + 5*time.Minute)
	claim(t, s, at(time.Hour), 10, claimed(m1, 3, lease3), claimed(m2, 3, lease3),
		claimed(m3, 3, lease3), claimed(m4, 1, lease3))
}

func testMailRetry(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	m := newMail(tenantA, "mail-1", t0)
	must(t, s.EnqueueMail(ctx, m))
	claim(t, s, t0, 10, claimed(m, 1, at(5*time.Minute)))
	must(t, s.MarkMailRetry(ctx, m.ID, at(10*time.Minute), "421 try again later"))
	want := claimed(m, 1, time.Time{})
	want.NextAttempt, want.LastError = at(10*time.Minute), "421 try again later"
	getMail(t, s, &want)
	// The lease was released, but the message is only due at the new time.
	claim(t, s, at(10*time.Minute-time.Microsecond), 10)
	claim(t, s, at(10*time.Minute), 10, claimed(&want, 1, at(15*time.Minute)))
}

func testMailSent(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	m1, m2, m3, _ := outbox(ctx, t, s)
	if _, err := s.ClaimMail(ctx, t0, 5*time.Minute, 10); err != nil {
		t.Fatal(err)
	}
	must(t, s.MarkMailRetry(ctx, m1.ID, t0, "421 try again later"))
	for _, m := range []*core.OutboxMessage{m1, m3} {
		must(t, s.MarkMailSent(ctx, m.ID, at(time.Second), false))
		want := claimed(m, 1, time.Time{})
		if m == m1 {
			want.NextAttempt = t0
		}
		want.Status, want.SentAt = core.MailSent, at(time.Second)
		if m.Sensitive {
			want.TextBody, want.HTMLBody = "", ""
		}
		getMail(t, s, &want)
	}
	wantKind(t, s.MarkMailRetry(ctx, m1.ID, at(time.Hour), "late"), core.ErrConflict)
	// Sent mail is never claimed again, even once its lease would end.
	claim(t, s, at(5*time.Minute), 10, claimed(m2, 2, at(10*time.Minute)))
}

// testMailSentKeepBody: the dev mailbox keeps a sent passcode mail's body.
func testMailSentKeepBody(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	_, _, m3, _ := outbox(ctx, t, s)
	if !m3.Sensitive || m3.TextBody == "" {
		t.Fatal("fixture: mail-3 should be a sensitive message with a body")
	}
	if _, err := s.ClaimMail(ctx, t0, 5*time.Minute, 10); err != nil {
		t.Fatal(err)
	}
	must(t, s.MarkMailSent(ctx, m3.ID, at(time.Second), true))
	want := claimed(m3, 1, time.Time{})
	want.Status, want.SentAt = core.MailSent, at(time.Second)
	getMail(t, s, &want)
}

func testMailFailed(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	m1, _, m3, _ := outbox(ctx, t, s)
	for _, m := range []*core.OutboxMessage{m1, m3} {
		must(t, s.MarkMailFailed(ctx, m.ID, "550 no such user"))
		want := *m
		want.Status, want.LastError = core.MailFailed, "550 no such user"
		if m.Sensitive {
			want.TextBody, want.HTMLBody = "", ""
		}
		getMail(t, s, &want)
	}
	wantKind(t, s.MarkMailRetry(ctx, m1.ID, at(time.Hour), "late"), core.ErrConflict)
	got, err := s.ClaimMail(ctx, t0, time.Minute, 10)
	must(t, err)
	if len(got) != 1 || got[0].ID != "mail-2" {
		t.Errorf("claimed %v, want only mail-2", got)
	}
}

func testMailNotFound(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	outbox(ctx, t, s)
	_, err := s.GetMail(ctx, "nope")
	wantKind(t, err, core.ErrNotFound)
	wantKind(t, s.MarkMailSent(ctx, "nope", t0, false), core.ErrNotFound)
	wantKind(t, s.MarkMailRetry(ctx, "nope", t0, "x"), core.ErrNotFound)
	wantKind(t, s.MarkMailFailed(ctx, "nope", "x"), core.ErrNotFound)
}
