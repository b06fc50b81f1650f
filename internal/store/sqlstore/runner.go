package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
)

// handles are the connections a Store and its transactions share.
type handles struct {
	d      *dialect
	w      *sql.DB    // the writer: one connection on SQLite
	r      *sql.DB    // the readers, used outside transactions
	wc, rc *stmtCache // prepared statements of w and r; nil = none
	log    *slog.Logger
	// retries: how often inTx runs fn again after a retryable abort
	// (PostgreSQL serialization failure or deadlock).
	retries int
	n       counters
	// tenants keeps tenants read outside transactions, checked against
	// their version on every use.
	tenants *tenantCache
}

// counters count the work done on the database, for Stats.
type counters struct {
	statements, transactions atomic.Int64
}

// ops implements store.Tx. Outside a transaction (tx nil) reads go to the
// reader pool and writes to the writer; inside one everything goes to tx.
type ops struct {
	h  *handles
	tx *sql.Tx
}

// rd is where reads go.
func (o ops) rd() runner {
	if o.tx != nil {
		return o.wr()
	}
	return runner{db: o.h.r, cache: o.h.rc, n: &o.h.n}
}

// wr is where single-statement writes go: each is atomic on its own.
func (o ops) wr() runner {
	return runner{db: o.h.w, cache: o.h.wc, tx: o.tx, n: &o.h.n}
}

// atomic runs a multi-statement write in the current transaction, or in a
// new one on the writer.
func (o ops) atomic(ctx context.Context, fn func(q runner) error) error {
	if o.tx != nil {
		return fn(o.wr())
	}
	return o.h.inTx(ctx, func(tx *sql.Tx) error {
		return fn(runner{db: o.h.w, cache: o.h.wc, tx: tx, n: &o.h.n})
	})
}

// inTx begins a write transaction (BEGIN IMMEDIATE on SQLite), runs fn,
// and commits; if fn fails or panics it rolls back, and fn's error is
// returned as it is.
func (h *handles) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := h.inTxOnce(ctx, fn)
		if err == nil || attempt >= h.retries || !retryable(err) || ctx.Err() != nil {
			return err
		}
		h.log.Debug("sqlstore: transaction aborted by the database, retrying", "attempt", attempt+1, "err", err)
	}
}

func (h *handles) inTxOnce(ctx context.Context, fn func(tx *sql.Tx) error) error {
	h.n.transactions.Add(1)
	tx, err := h.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: begin: %w", mark(err))
	}
	done := false
	defer func() {
		if done {
			return
		}
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			h.log.Warn("sqlstore: rollback failed", "err", rbErr)
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	done = true
	if err := tx.Commit(); err != nil {
		// Not retried: the commit may have reached the database.
		return commitError{fmt.Errorf("sqlstore: commit: %w", mark(err))}
	}
	h.wc.flush(ctx)
	return nil
}

// runner runs a query on a pool or a transaction, through a cached
// prepared statement when there is a cache.
type runner struct {
	db    *sql.DB
	cache *stmtCache // nil: prepare on every call
	tx    *sql.Tx    // nil: run on db
	n     *counters
}

// stmt returns the cached statement for query (bound to the transaction
// if there is one), or nil to run the query unprepared.
func (r runner) stmt(ctx context.Context, query string) *sql.Stmt {
	if r.n != nil {
		r.n.statements.Add(1)
	}
	if r.cache == nil {
		return nil
	}
	st := r.cache.get(ctx, query, r.tx != nil)
	if st == nil || r.tx == nil {
		return st
	}
	return r.tx.StmtContext(ctx, st)
}

func (r runner) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := r.exec(ctx, query, args...)
	return res, mark(err)
}

func (r runner) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := r.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	if r.tx != nil {
		return r.tx.ExecContext(ctx, query, args...)
	}
	return r.db.ExecContext(ctx, query, args...)
}

func (r runner) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := r.query(ctx, query, args...)
	return rows, mark(err)
}

func (r runner) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	if r.tx != nil {
		return r.tx.QueryContext(ctx, query, args...)
	}
	return r.db.QueryContext(ctx, query, args...)
}

func (r runner) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	if r.tx != nil {
		return r.tx.QueryRowContext(ctx, query, args...)
	}
	return r.db.QueryRowContext(ctx, query, args...)
}

// stmtCache keeps one prepared statement per query text for a pool;
// database/sql prepares it on each connection the first time that
// connection runs it, and a transaction on the same connection reuses it.
// The queries are the package's own constants (plus a bounded number of
// filter combinations), so the cache does not grow without bound.
//
// A statement is only prepared while the caller holds no connection of
// the pool: inside a transaction on the one-connection SQLite writer,
// preparing on the pool would wait for the connection the caller holds.
// Queries first seen inside a transaction are prepared by flush, after it.
type stmtCache struct {
	db     *sql.DB
	mu     sync.Mutex
	m      map[string]*sql.Stmt
	missed map[string]bool
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: make(map[string]*sql.Stmt), missed: make(map[string]bool)}
}

// get returns the statement of query, or nil: when it is not prepared yet
// and the caller is inside a transaction, or when preparing failed (the
// unprepared call then reports the error).
func (c *stmtCache) get(ctx context.Context, query string, inTx bool) *sql.Stmt {
	c.mu.Lock()
	st, ok := c.m[query]
	if !ok && inTx {
		c.missed[query] = true
	}
	c.mu.Unlock()
	if ok || inTx {
		return st
	}
	return c.prepare(ctx, query)
}

// prepare prepares query on the pool without holding the lock, so other
// goroutines keep using the cache meanwhile.
func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[query]; ok {
		st.Close() // another goroutine was first
		return prev
	}
	c.m[query] = st
	return st
}

// flush prepares the queries first seen inside a transaction; it is
// called once the transaction has released its connection.
func (c *stmtCache) flush(ctx context.Context) {
	if c == nil {
		return
	}
	c.mu.Lock()
	var queries []string
	for q := range c.missed {
		queries = append(queries, q)
	}
	clear(c.missed) // a failure is not retried until the query is missed again
	c.mu.Unlock()
	for _, q := range queries {
		c.prepare(ctx, q)
	}
}

func (c *stmtCache) close() error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var errs []error
	for q, st := range c.m {
		errs = append(errs, st.Close())
		delete(c.m, q)
	}
	return errors.Join(errs...)
}
