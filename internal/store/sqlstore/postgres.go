package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// openPostgres opens one pool for reads and writes: PostgreSQL runs
// transactions concurrently, and the single-use guarantees rest on
// conditional UPDATEs, unique keys and transaction-scoped advisory locks
// (Lock), not on a single writer. pgx caches prepared statements per
// connection itself, so the store's own cache is off.
func openPostgres(ctx context.Context, b backend, opts Options, log *slog.Logger, retries int) (*Store, error) {
	db, err := connectPostgres(ctx, b.writeDSN, opts)
	if err != nil {
		return nil, err
	}
	if opts.Migrate {
		if err := migrate(ctx, db, b.d, log); err != nil {
			db.Close()
			return nil, err
		}
	}
	h := &handles{d: b.d, w: db, r: db, log: log, retries: retries, tenants: newTenantCache()}
	return &Store{ops{h: h}}, nil
}

// connectPostgres opens the pool with the configured size and statement
// timeout. The timeout bounds every statement, so a stuck query (a lock
// wait, a failover) turns into an error instead of a hung request.
func connectPostgres(ctx context.Context, dsn string, opts Options) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: PostgreSQL URL: %w", err)
	}
	if _, set := cfg.RuntimeParams["statement_timeout"]; !set {
		timeout := opts.StatementTimeout
		if timeout <= 0 {
			timeout = defaultStatementTimeout
		}
		cfg.RuntimeParams["statement_timeout"] = strconv.FormatInt(timeout.Milliseconds(), 10)
	}
	if _, set := cfg.RuntimeParams["application_name"]; !set {
		cfg.RuntimeParams["application_name"] = "guestlist"
	}
	n := opts.MaxConns
	if n <= 0 {
		n = defaultMaxConns
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlstore: connect to PostgreSQL: %w", err)
	}
	return db, nil
}

// retryable reports a transaction that failed before its commit for a
// reason a fresh attempt can cure: PostgreSQL aborted it (serialization
// failure, deadlock) or its connection died (a database restart leaves dead
// connections in the pool). A failed COMMIT is never retried: it may have
// taken effect.
func retryable(err error) bool {
	var ce commitError
	if errors.As(err, &ce) {
		return false
	}
	switch pgState(err) {
	case "40001", "40P01", "57P01", "57P02":
		return true
	}
	return errors.Is(err, driver.ErrBadConn)
}
