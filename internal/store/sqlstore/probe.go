package sqlstore

import (
	"context"
	"time"
)

// WriteProbe rewrites the single write_probe row in its own short
// transaction (store.Prober), so the table never grows.
func (s *Store) WriteProbe(ctx context.Context, at time.Time) error {
	_, err := s.wr().ExecContext(ctx, `INSERT INTO write_probe (id, at) VALUES (1, $1)
		ON CONFLICT (id) DO UPDATE SET at = excluded.at`, micros(at))
	return s.writeErr(err, "write probe", "")
}
