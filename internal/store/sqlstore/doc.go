// Package sqlstore is the one implementation of store.Store, over
// database/sql: SQLite (modernc.org/sqlite, pure Go) now, PostgreSQL (pgx)
// next. Every query is written once with $1, $2 placeholders; the few
// statements that differ between the two databases live in a dialect.
//
// Storage conventions: every time is a BIGINT of unix microseconds UTC, and
// the zero time.Time is stored as 0 (so the instant of the Unix epoch itself
// reads back as the zero time); ids are TEXT; hashes, seeds and keys are
// BLOB/BYTEA; lists (identities, recipients, message info) are JSON written
// and read in Go and never looked into by SQL. Tables whose rows belong to a
// tenant carry tenant_id, and every query on them filters by it.
//
// SQLite concurrency is deliberate: one writer connection (SetMaxOpenConns(1),
// BEGIN IMMEDIATE) serialises every write in the process, so writers queue in
// Go instead of failing with "database is locked", and a separate pool of
// read-only connections serves reads outside transactions from the WAL
// without waiting for the writer. Inside InTx every statement, read or
// write, runs on the transaction.
//
// Migrations are goose SQL files embedded from migrations/sqlite and
// migrations/postgres, applied by Migrate or by Open with Options.Migrate.
package sqlstore
