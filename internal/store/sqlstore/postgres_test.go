package sqlstore_test

import (
	"os"
	"testing"

	"guestlist/internal/store"
	"guestlist/internal/store/pgtest"
	"guestlist/internal/store/sqlstore"
	"guestlist/internal/store/storetest"
)

// TestMain gives this run its own PostgreSQL database, dropped at the end.
func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

func newPostgresStore(t *testing.T) store.Store {
	t.Helper()
	s, err := sqlstore.Open(t.Context(), pgtest.Schema(t), sqlstore.Options{Migrate: true, MaxConns: 8})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// TestConformancePostgres runs the whole store contract against PostgreSQL,
// the backend several processes share (SPEC R51).
func TestConformancePostgres(t *testing.T) {
	storetest.Run(t, newPostgresStore)
}

// TestMigratePostgres: migrate twice is a no-op, and a store opened
// without migrating on the migrated schema works.
func TestMigratePostgres(t *testing.T) {
	dsn := pgtest.Schema(t)
	for range 2 {
		if _, err := sqlstore.Migrate(t.Context(), dsn); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
	}
	s, err := sqlstore.Open(t.Context(), dsn, sqlstore.Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	if _, err := s.ListTenants(t.Context()); err != nil {
		t.Fatalf("ListTenants on a migrated schema: %v", err)
	}
}
