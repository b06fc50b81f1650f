package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrationsFS holds the goose SQL files of both databases; the dialect
// picks its directory.
//
//go:embed migrations
var migrationsFS embed.FS

// Migration is what Migrate did: the schema version before and after, and
// the versions it applied (none when the database was up to date).
type Migration struct {
	Before, After int64
	Applied       []int64
}

// Migrate applies every pending migration to the database named by dsn
// (the guestlist migrate command) and says what it did. On SQLite each
// migration runs in its own BEGIN IMMEDIATE transaction, under an flock on
// a lock file beside the database; PostgreSQL holds a session advisory lock
// while migrating.
func Migrate(ctx context.Context, dsn string) (*Migration, error) {
	b, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	unlock, err := b.setupLock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	var db *sql.DB
	if b.d.name == "postgres" {
		db, err = connectPostgres(ctx, b.writeDSN, Options{MaxConns: 1})
	} else {
		db, err = connect(ctx, b.d, b.writeDSN, 1)
	}
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return migrateReport(ctx, db, b.d, slog.New(slog.DiscardHandler))
}

// migrate runs goose's provider (no global registry) over the dialect's
// embedded migrations and logs what it applied.
func migrate(ctx context.Context, db *sql.DB, d *dialect, log *slog.Logger) error {
	_, err := migrateReport(ctx, db, d, log)
	return err
}

func migrateReport(ctx context.Context, db *sql.DB, d *dialect, log *slog.Logger) (*Migration, error) {
	fsys, err := fs.Sub(migrationsFS, d.migrations)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: migrations: %w", err)
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if d.name == "postgres" {
		l, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, fmt.Errorf("sqlstore: migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(l))
	}
	p, err := goose.NewProvider(d.goose, db, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: migrations: %w", err)
	}
	var m Migration
	if m.Before, err = p.GetDBVersion(ctx); err != nil {
		return nil, fmt.Errorf("sqlstore: schema version: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: migrate: %w", err)
	}
	for _, r := range results {
		log.Info("sqlstore: migrated", "version", r.Source.Version,
			"file", r.Source.Path, "duration", r.Duration)
		m.Applied = append(m.Applied, r.Source.Version)
	}
	if m.After, err = p.GetDBVersion(ctx); err != nil {
		return nil, fmt.Errorf("sqlstore: schema version: %w", err)
	}
	return &m, nil
}
