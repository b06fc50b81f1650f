package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"guestlist/internal/store"
)

// Throttle events: one row per counted event, read as sliding windows by
// every process (SPEC R51); Prune deletes old ones.

func (o ops) RecordEvent(ctx context.Context, tenantID, key string, at time.Time) error {
	_, err := o.wr().ExecContext(ctx, `INSERT INTO events (tenant_id, event_key, at)
		VALUES ($1, $2, $3)`, tenantID, key, micros(at))
	if err != nil {
		return fmt.Errorf("sqlstore: record event: %w", err)
	}
	return nil
}

func (o ops) CountEvents(ctx context.Context, tenantID, key string, since time.Time) (int, time.Time, error) {
	var n int
	var latest time.Time
	err := o.rd().QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(at), 0) FROM events
		WHERE tenant_id = $1 AND event_key = $2 AND at >= $3`, tenantID, key, micros(since)).
		Scan(&n, timeCol{&latest})
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("sqlstore: count events: %w", err)
	}
	return n, latest, nil
}

func (o ops) RecordEvents(ctx context.Context, tenantID string, at time.Time, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	var b strings.Builder
	args := []any{tenantID, micros(at)}
	b.WriteString("INSERT INTO events (tenant_id, event_key, at) VALUES ")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		args = append(args, k)
		fmt.Fprintf(&b, "($1, $%d, $2)", len(args))
	}
	if _, err := o.wr().ExecContext(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("sqlstore: record events: %w", err)
	}
	return nil
}

func (o ops) EventWindows(ctx context.Context, tenantID string, since time.Time, keys ...string) (map[string]store.EventWindow, error) {
	out := make(map[string]store.EventWindow, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	args := []any{tenantID, micros(since)}
	marks := make([]string, len(keys))
	for i, k := range keys {
		args = append(args, k)
		marks[i] = fmt.Sprintf("$%d", len(args))
	}
	rows, err := o.rd().QueryContext(ctx, `SELECT event_key, COUNT(*), MIN(at), MAX(at) FROM events
		WHERE tenant_id = $1 AND at >= $2 AND event_key IN (`+strings.Join(marks, ", ")+`)
		GROUP BY event_key`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: event windows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var w store.EventWindow
		if err := rows.Scan(&key, &w.Count, timeCol{&w.First}, timeCol{&w.Last}); err != nil {
			return nil, fmt.Errorf("sqlstore: event windows: %w", err)
		}
		out[key] = w
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: event windows: %w", err)
	}
	return out, nil
}
