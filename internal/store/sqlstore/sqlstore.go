package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"guestlist/internal/store"
)

// Options configure Open.
type Options struct {
	// Logger receives migration progress; nil discards it.
	Logger *slog.Logger
	// Migrate applies pending migrations before Open returns. Without it
	// the schema must already be current (see Migrate).
	Migrate bool
	// ReadConns is the size of the SQLite pool of read-only connections
	// that serve reads outside InTx; 0 means 4.
	ReadConns int
	// MaxConns caps the PostgreSQL connection pool of this process; 0
	// means 10. With N processes the database sees up to N×MaxConns.
	MaxConns int
	// StatementTimeout is PostgreSQL's statement_timeout for every
	// connection (unless the URL sets one); 0 means 5s.
	StatementTimeout time.Duration
	// TxRetries is how often InTx runs fn again after PostgreSQL aborts
	// the transaction with a serialization failure or deadlock (SQLSTATE
	// 40001, 40P01); 0 means 3, negative means never.
	TxRetries int
}

const (
	defaultMaxConns         = 10
	defaultStatementTimeout = 5 * time.Second
	defaultTxRetries        = 3
)

// Store is the SQL store. Its store.Tx methods, called on the Store, each
// run as their own transaction: reads on the reader pool, writes on the
// writer connection.
type Store struct {
	ops
}

var _ store.Store = (*Store)(nil)

// SQLite connection parameters. The writer sets up WAL (persistent in the
// file) so readers never block it; busy_timeout covers the rare moments a
// reader or another process still holds a lock (checkpoints, a second
// process), and _txlock=immediate takes the write lock at BEGIN, so a
// transaction never fails half way when it first writes.
// _time_integer_format makes a time.Time passed by mistake land in the
// same unit as every other time column.
const (
	sqliteWriterParams = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)" +
		"&_txlock=immediate&_time_integer_format=unix_micro"
	sqliteReaderParams = "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
		"&_pragma=query_only(1)&_time_integer_format=unix_micro"
	defaultReadConns = 4
)

// backend is what a DSN names: the dialect and the connection strings of
// the writer and of the readers.
type backend struct {
	d                 *dialect
	writeDSN, readDSN string
	lockPath          string // SQLite: the file locked around setup
}

// setupLock serialises opening and migrating a SQLite file across
// processes (PostgreSQL uses an advisory lock inside goose instead).
func (b backend) setupLock() (func(), error) {
	if b.lockPath == "" {
		return func() {}, nil
	}
	return lockFile(b.lockPath)
}

// parseDSN accepts a postgres:// (or postgresql://) URL, or an SQLite file
// given as a path or a file: URI, optionally with its own parameters.
func parseDSN(dsn string) (backend, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return backend{d: postgresDialect(), writeDSN: dsn, readDSN: dsn}, nil
	}
	base, query, _ := strings.Cut(dsn, "?")
	path := strings.TrimPrefix(base, "file:")
	if path == "" || path == ":memory:" || strings.Contains(query, "mode=memory") {
		return backend{}, errors.New("sqlstore: SQLite needs a database file: " +
			"an in-memory database is not shared by the writer and the readers")
	}
	join := func(params string) string {
		if query == "" {
			return base + "?" + params
		}
		return base + "?" + query + "&" + params
	}
	return backend{
		d:        sqliteDialect(),
		writeDSN: join(sqliteWriterParams),
		readDSN:  join(sqliteReaderParams),
		lockPath: path + ".lock",
	}, nil
}

// Open connects to the database named by dsn (see parseDSN), applies
// migrations when opts.Migrate is set, and returns the store.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	return open(ctx, dsn, opts, true)
}

// open is Open with the prepared statement cache optional, so the
// benchmark can compare both.
func open(ctx context.Context, dsn string, opts Options, cache bool) (*Store, error) {
	b, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	retries := opts.TxRetries
	if retries == 0 {
		retries = defaultTxRetries
	}
	if b.d.name == "postgres" {
		return openPostgres(ctx, b, opts, log, max(retries, 0))
	}
	unlock, err := b.setupLock()
	if err != nil {
		return nil, err
	}
	w, err := connect(ctx, b.d, b.writeDSN, 1)
	if err == nil && opts.Migrate {
		if err = migrate(ctx, w, b.d, log); err != nil {
			w.Close()
		}
	}
	unlock()
	if err != nil {
		return nil, err
	}
	n := opts.ReadConns
	if n <= 0 {
		n = defaultReadConns
	}
	r, err := connect(ctx, b.d, b.readDSN, n)
	if err != nil {
		w.Close()
		return nil, err
	}
	h := &handles{d: b.d, w: w, r: r, log: log, tenants: newTenantCache()}
	if cache {
		h.wc, h.rc = newStmtCache(w), newStmtCache(r)
	}
	return &Store{ops{h: h}}, nil
}

// connect opens a pool of at most n connections and checks that the
// database answers (which, for the SQLite writer, also switches the file
// to WAL before any reader connects).
func connect(ctx context.Context, d *dialect, dsn string, n int) (*sql.DB, error) {
	db, err := sql.Open(d.driver, dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open: %w", err)
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlstore: connect: %w", err)
	}
	return db, nil
}

// InTx runs fn in one write transaction on the writer connection and
// returns fn's error unchanged after rolling back. On SQLite the store has
// one writer connection, which the transaction holds until it ends: fn
// must write through tx only, and not call InTx again (either would wait
// for the connection fn holds); reads through the Store are fine but do
// not see tx's uncommitted writes.
func (s *Store) InTx(ctx context.Context, fn func(tx store.Tx) error) error {
	return s.h.inTx(ctx, func(tx *sql.Tx) error {
		return fn(ops{h: s.h, tx: tx})
	})
}

// Stats counts the work this store has sent to the database.
type Stats struct {
	Statements   int64 // statements run (queries and writes, not BEGIN/COMMIT)
	Transactions int64 // explicit transactions begun (each adds BEGIN and COMMIT)
}

// Stats returns the counts since Open.
func (s *Store) Stats() Stats {
	return Stats{Statements: s.h.n.statements.Load(), Transactions: s.h.n.transactions.Load()}
}

// Ping reports whether both the writer and the readers answer. A failed
// ping is tried once more: after a database restart the pool may hand out
// a dead connection first, which the failure removes.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.ping(ctx); err == nil || ctx.Err() != nil {
		return err
	}
	return s.ping(ctx)
}

func (s *Store) ping(ctx context.Context) error {
	if err := s.h.w.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlstore: ping writer: %w", err)
	}
	if err := s.h.r.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlstore: ping readers: %w", err)
	}
	return nil
}

// Close closes the cached statements and the connections.
func (s *Store) Close() error {
	errs := []error{s.h.wc.close(), s.h.rc.close(), s.h.w.Close()}
	if s.h.r != s.h.w {
		errs = append(errs, s.h.r.Close())
	}
	return errors.Join(errs...)
}
