package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"io/fs"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"

	"guestlist/internal/store/pgtest"
)

// TestMigrateApplications upgrades a database with a tenant made before
// migration 00003: its admin application gets derived object and service
// principal ids and keeps its secret (now an app_secrets row), and its
// users read back with no last sign-in.
func TestMigrateApplications(t *testing.T) {
	upgradeOnBoth(t, testMigrateApplications)
}

func testMigrateApplications(t *testing.T, dsn string) {
	ctx := t.Context()
	db, d := oldSchema(t, dsn, 2)

	const (
		tenant = "7a1e0000-0000-4000-8000-000000000001"
		appID  = "5f0c2b4e-1d2a-4c3b-9e8f-0123456789ab"
	)
	hash := []byte{0, 1, 2, 0xfe, 0xff}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO tenants (id, display_name, initial_domain, default_language, email_otp,
			passcode_in_subject, created_at) VALUES ($1, 'Old', 'old.test', 'en', 'default', false, 5)`,
			[]any{tenant}},
		{`INSERT INTO applications (tenant_id, app_id, display_name, secret_hash, is_admin, created_at)
			VALUES ($1, $2, 'Old administration', $3, true, 7)`, []any{tenant, appID, hash}},
		{`INSERT INTO users (tenant_id, id, display_name, mail, mail_key, user_principal_name,
			user_type, external_user_state, state_changed_at, creation_type, identities,
			preferred_language, created_at)
			VALUES ($1, 'user-1', '', 'a@b.test', 'a@b.test', 'upn', 'Guest', 'PendingAcceptance', 0,
			'Invitation', '[]', '', 9)`, []any{tenant}},
	} {
		if _, err := db.ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("seed the old schema: %v", err)
		}
	}

	if err := migrate(ctx, db, d, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	app, err := s.GetApplication(ctx, tenant, appID)
	if err != nil {
		t.Fatal(err)
	}
	if app.ID != "00000000-0000-4000-8000-0123456789ab" ||
		app.ServicePrincipalID != "00000000-0000-4000-9000-0123456789ab" {
		t.Errorf("derived ids: object %q, service principal %q", app.ID, app.ServicePrincipalID)
	}
	if app.WebRedirectURIs == nil || len(app.WebRedirectURIs)+len(app.SPARedirectURIs)+
		len(app.PublicClientRedirectURIs) != 0 || app.HomePageURL != "" || !app.IsAdmin {
		t.Errorf("migrated application: %+v", app)
	}
	if got, err := s.ApplicationByID(ctx, tenant, app.ID); err != nil || got.AppID != appID {
		t.Errorf("ApplicationByID: %v, %v", got, err)
	}
	secrets, err := s.AppSecrets(ctx, tenant, appID)
	if err != nil {
		t.Fatal(err)
	}
	if len(secrets) != 1 || secrets[0].KeyID != appID || !bytes.Equal(secrets[0].Hash, hash) ||
		!secrets[0].EndAt.IsZero() || secrets[0].StartAt.UnixMicro() != 7 {
		t.Errorf("migrated secrets: %+v", secrets)
	}
	u, err := s.GetUser(ctx, tenant, "user-1")
	if err != nil {
		t.Fatal(err)
	}
	if !u.LastSignInAt.IsZero() {
		t.Errorf("last sign-in of a migrated user: %v", u.LastSignInAt)
	}
}

// upTo applies the migrations up to and including version.
// upgradeOnBoth runs an upgrade test on a fresh SQLite file and a fresh
// PostgreSQL schema.
func upgradeOnBoth(t *testing.T, test func(t *testing.T, dsn string)) {
	for name, dsn := range map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "guestlist.db") },
		"postgres": func(t *testing.T) string { return pgtest.Schema(t) },
	} {
		t.Run(name, func(t *testing.T) { test(t, dsn(t)) })
	}
}

// oldSchema opens dsn's database migrated only up to version, for a test
// that writes rows as an older release did and then upgrades them.
func oldSchema(t *testing.T, dsn string, version int64) (*sql.DB, *dialect) {
	t.Helper()
	ctx := t.Context()
	b, err := parseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	var db *sql.DB
	if b.d.name == "postgres" {
		db, err = connectPostgres(ctx, b.writeDSN, Options{MaxConns: 1})
	} else {
		db, err = connect(ctx, b.d, b.writeDSN, 1)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	upTo(ctx, t, db, b.d, version)
	return db, b.d
}

func upTo(ctx context.Context, t *testing.T, db *sql.DB, d *dialect, version int64) {
	t.Helper()
	fsys, err := fs.Sub(migrationsFS, d.migrations)
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(d.goose, db, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		t.Fatalf("migrate to %d: %v", version, err)
	}
}
