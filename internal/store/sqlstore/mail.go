package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"guestlist/internal/core"
)

const outboxCols = `id, tenant_id, kind, to_addrs, cc_addrs, subject, text_body, html_body,
	sensitive, message_id, status, attempts, next_attempt, lease_until, last_error,
	created_at, sent_at`

func scanMail(sc interface{ Scan(...any) error }, m *core.OutboxMessage) error {
	return sc.Scan(&m.ID, &m.TenantID, &m.Kind, jsonCol{&m.To}, jsonCol{&m.CC}, &m.Subject,
		&m.TextBody, &m.HTMLBody, &m.Sensitive, &m.MessageID, &m.Status, &m.Attempts,
		timeCol{&m.NextAttempt}, timeCol{&m.LeaseUntil}, &m.LastError, timeCol{&m.CreatedAt},
		timeCol{&m.SentAt})
}

// EnqueueMail stores m with status pending. It is due at m.NextAttempt,
// or, if that is zero, at m.CreatedAt ("now" for the caller); m.Status and
// m.NextAttempt are set to what was stored.
func (o ops) EnqueueMail(ctx context.Context, m *core.OutboxMessage) error {
	to, err := jsonText(m.To)
	if err != nil {
		return err
	}
	cc, err := jsonText(m.CC)
	if err != nil {
		return err
	}
	m.Status = core.MailPending
	if m.NextAttempt.IsZero() {
		m.NextAttempt = m.CreatedAt
	}
	_, err = o.wr().ExecContext(ctx, `INSERT INTO outbox (`+outboxCols+`) VALUES
		($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		m.ID, m.TenantID, m.Kind, to, cc, m.Subject, m.TextBody, m.HTMLBody, m.Sensitive,
		m.MessageID, m.Status, m.Attempts, micros(m.NextAttempt), micros(m.LeaseUntil),
		m.LastError, micros(m.CreatedAt), micros(m.SentAt))
	return o.writeErr(err, "enqueue mail", "the message is already in the outbox")
}

// ClaimMail leases up to limit due messages in one statement: the SELECT
// of due ids and the UPDATE of their lease cannot interleave with another
// claim (SQLite: the one writer; PostgreSQL: SKIP LOCKED), so each message
// is claimed by one worker until its lease expires. Each claim counts as an
// attempt. The messages come back oldest due first.
func (o ops) ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]core.OutboxMessage, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := o.wr().QueryContext(ctx, `UPDATE outbox SET lease_until = $2, attempts = attempts + 1
		WHERE id IN (SELECT id FROM outbox
			WHERE status = $4 AND next_attempt <= $1 AND lease_until <= $1
			ORDER BY next_attempt LIMIT $3`+o.h.d.skipLocked+`)
		RETURNING `+outboxCols,
		micros(now), micros(now.Add(lease)), limit, core.MailPending)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: claim mail: %w", err)
	}
	var list []core.OutboxMessage
	for rows.Next() {
		var m core.OutboxMessage
		if err := scanMail(rows, &m); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: claim mail: %w", err)
		}
		list = append(list, m)
	}
	if err := closeRows(rows, "claim mail"); err != nil {
		return nil, err
	}
	// RETURNING has no defined order. (The SELECT orders by next_attempt
	// alone so that the outbox_due index yields it without a sort, however
	// long the backlog.)
	slices.SortFunc(list, func(a, b core.OutboxMessage) int {
		return cmp.Or(a.NextAttempt.Compare(b.NextAttempt), a.CreatedAt.Compare(b.CreatedAt),
			cmp.Compare(a.ID, b.ID))
	})
	return list, nil
}

// MarkMailSent records delivery, ends the lease and clears the error of
// earlier attempts; a sensitive message (one holding a passcode) loses its
// bodies, which no one needs again, unless keepBody asks otherwise.
func (o ops) MarkMailSent(ctx context.Context, id string, at time.Time, keepBody bool) error {
	res, err := o.wr().ExecContext(ctx, `UPDATE outbox SET status = $3, sent_at = $2,
		lease_until = 0, last_error = '',
		text_body = CASE WHEN sensitive AND NOT $4 THEN '' ELSE text_body END,
		html_body = CASE WHEN sensitive AND NOT $4 THEN '' ELSE html_body END
		WHERE id = $1`, id, micros(at), core.MailSent, keepBody)
	if err != nil {
		return fmt.Errorf("sqlstore: mark mail sent: %w", err)
	}
	return mustAffect(res, "mark mail sent", "the message does not exist")
}

// MarkMailRetry ends the lease of a pending message and makes it due again
// at next; core.ErrConflict if the message is no longer pending.
func (o ops) MarkMailRetry(ctx context.Context, id string, next time.Time, reason string) error {
	q := o.wr()
	res, err := q.ExecContext(ctx, `UPDATE outbox SET next_attempt = $2, last_error = $3,
		lease_until = 0 WHERE id = $1 AND status = $4`, id, micros(next), reason, core.MailPending)
	if err != nil {
		return fmt.Errorf("sqlstore: mark mail retry: %w", err)
	}
	return o.conditional(ctx, q, res, cond{
		what:     "mark mail retry",
		exists:   `SELECT 1 FROM outbox WHERE id = $1`,
		args:     []any{id},
		conflict: "the message is no longer pending",
		missing:  "the message does not exist",
	})
}

// MarkMailFailed gives up on a message, keeping the reason. Like a sent
// one, a failed sensitive message loses its bodies: its passcode is of no
// use to anyone any more.
func (o ops) MarkMailFailed(ctx context.Context, id string, reason string) error {
	res, err := o.wr().ExecContext(ctx, `UPDATE outbox SET status = $3, last_error = $2,
		lease_until = 0,
		text_body = CASE WHEN sensitive THEN '' ELSE text_body END,
		html_body = CASE WHEN sensitive THEN '' ELSE html_body END
		WHERE id = $1`, id, reason, core.MailFailed)
	if err != nil {
		return fmt.Errorf("sqlstore: mark mail failed: %w", err)
	}
	return mustAffect(res, "mark mail failed", "the message does not exist")
}

func (o ops) GetMail(ctx context.Context, id string) (*core.OutboxMessage, error) {
	var m core.OutboxMessage
	err := scanMail(o.rd().QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox
		WHERE id = $1`, id), &m)
	if err != nil {
		return nil, readErr(err, "get mail", "the message does not exist")
	}
	return &m, nil
}

// ListMail lists the newest limit messages of all tenants (all if limit
// is 0), newest first.
func (o ops) ListMail(ctx context.Context, limit int) ([]core.OutboxMessage, error) {
	var w where
	rows, err := o.rd().QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox
		ORDER BY created_at DESC, id DESC`+w.limit(limit), w.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list mail: %w", err)
	}
	var list []core.OutboxMessage
	for rows.Next() {
		var m core.OutboxMessage
		if err := scanMail(rows, &m); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: list mail: %w", err)
		}
		list = append(list, m)
	}
	return list, closeRows(rows, "list mail")
}
