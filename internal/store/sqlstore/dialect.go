package sqlstore

import (
	"errors"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect holds what differs between SQLite and PostgreSQL. The queries
// themselves are shared: both bind $1, $2 … by number, and both support
// RETURNING and ON CONFLICT.
type dialect struct {
	name       string        // "sqlite" or "postgres"
	driver     string        // database/sql driver name
	goose      goose.Dialect // for the migration provider
	migrations string        // directory under migrationsFS
	// lockSQL takes a transaction-scoped lock on ($1 tenant, $2 key), held
	// until commit or rollback; empty when writes are already serial.
	lockSQL string
	// skipLocked ends the SELECT that picks the mail ClaimMail leases, so
	// concurrent workers skip each other's rows instead of waiting.
	skipLocked string
	// concatAgg is the string aggregate taking (expr, separator ORDER BY …).
	concatAgg string
	// isUnique reports a unique or primary key violation.
	isUnique func(error) bool
	// isForeignKey reports a foreign key violation (a missing tenant).
	isForeignKey func(error) bool
}

// sqliteDialect: Lock is a no-op because the store has one writer
// connection and every write transaction is BEGIN IMMEDIATE, so write
// transactions never overlap. ClaimMail needs no row locking for the same
// reason.
func sqliteDialect() *dialect {
	return &dialect{
		name:       "sqlite",
		driver:     "sqlite",
		goose:      goose.DialectSQLite3,
		migrations: "migrations/sqlite",
		concatAgg:  "group_concat",
		isUnique: func(err error) bool {
			code, ok := sqliteCode(err)
			return ok && (code == sqlite3.SQLITE_CONSTRAINT_UNIQUE ||
				code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
		},
		isForeignKey: func(err error) bool {
			code, ok := sqliteCode(err)
			return ok && code == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
		},
	}
}

func sqliteCode(err error) (int, bool) {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code(), true
	}
	return 0, false
}

// postgresDialect is ready for the pgx/v5/stdlib backend: Lock becomes a
// transaction-scoped advisory lock keyed by a 64-bit hash of tenant and
// key, and ClaimMail skips rows another worker has locked.
func postgresDialect() *dialect {
	return &dialect{
		name:       "postgres",
		driver:     "pgx",
		goose:      goose.DialectPostgres,
		migrations: "migrations/postgres",
		concatAgg:  "string_agg",
		lockSQL:    "SELECT pg_advisory_xact_lock(hashtextextended($1::text || '/' || $2::text, 0))",
		skipLocked: " FOR UPDATE SKIP LOCKED",
		isUnique: func(err error) bool {
			return pgState(err) == "23505" // unique_violation
		},
		isForeignKey: func(err error) bool {
			return pgState(err) == "23503" // foreign_key_violation
		},
	}
}

// pgState returns the SQLSTATE of a PostgreSQL error (pgconn.PgError has
// a SQLState method), without importing the driver here.
func pgState(err error) string {
	var e interface{ SQLState() string }
	if errors.As(err, &e) {
		return e.SQLState()
	}
	return ""
}
