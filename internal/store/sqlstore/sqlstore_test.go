package sqlstore_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
	"guestlist/internal/store/sqlstore"
	"guestlist/internal/store/storetest"
)

// openFile opens (and migrates) the SQLite file at path, closing it when
// the test ends.
func openFile(t *testing.T, path string, opts sqlstore.Options) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(t.Context(), path, opts)
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

func newStore(t *testing.T) store.Store {
	return openFile(t, filepath.Join(t.TempDir(), "guestlist.db"), sqlstore.Options{Migrate: true})
}

func TestConformance(t *testing.T) {
	storetest.Run(t, newStore)
}

func TestOpenWithoutMigrate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "guestlist.db")
	s := openFile(t, path, sqlstore.Options{})
	if _, err := s.GetTenant(t.Context(), "x"); err == nil || errors.Is(err, core.ErrNotFound) {
		t.Fatalf("GetTenant on an unmigrated database: %v, want a schema error", err)
	}
	if _, err := sqlstore.Migrate(t.Context(), path); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	// Migrating again is a no-op.
	if _, err := sqlstore.Migrate(t.Context(), "file:"+path); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if _, err := s.GetTenant(t.Context(), "x"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("GetTenant after Migrate: %v, want not found", err)
	}
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "guestlist.db")
	ctx := t.Context()
	tenant := &core.Tenant{ID: "t1", DisplayName: "One", InitialDomain: "one.test",
		DefaultLanguage: "en", EmailOTP: core.OTPDefault, CreatedAt: time.Unix(1700000000, 0)}
	s, err := sqlstore.Open(ctx, path, sqlstore.Options{Migrate: true, ReadConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateTenant(ctx, tenant); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := openFile(t, path, sqlstore.Options{Migrate: true})
	got, err := s2.TenantByDomain(ctx, "one.test")
	if err != nil {
		t.Fatalf("after reopening: %v", err)
	}
	if got.DisplayName != "One" || !got.CreatedAt.Equal(tenant.CreatedAt) {
		t.Errorf("after reopening: %+v", got)
	}
	if err := s2.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestOpenRejects(t *testing.T) {
	for _, tc := range []struct{ dsn, want string }{
		{"postgres://guestlist@127.0.0.1:1/guestlist?connect_timeout=5", "connect to PostgreSQL"},
		{"postgresql://127.0.0.1:99999999/guestlist", "PostgreSQL URL"},
		{":memory:", "needs a database file"},
		{"file::memory:?cache=shared", "needs a database file"},
		{"", "needs a database file"},
	} {
		t.Run(tc.dsn, func(t *testing.T) {
			_, err := sqlstore.Open(t.Context(), tc.dsn, sqlstore.Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Open(%q) = %v, want an error containing %q", tc.dsn, err, tc.want)
			}
			_, err = sqlstore.Migrate(t.Context(), tc.dsn)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Migrate(%q) = %v, want an error containing %q", tc.dsn, err, tc.want)
			}
		})
	}
}

// TestMissingTenant: a row of a tenant that does not exist is refused (a
// foreign key), as not found.
func TestMissingTenant(t *testing.T) {
	s := newStore(t)
	err := s.CreateUser(t.Context(), &core.User{TenantID: "nope", ID: "u", MailKey: "a@b.c"})
	if !errors.Is(err, core.ErrNotFound) {
		t.Errorf("CreateUser in a missing tenant: %v, want not found", err)
	}
}

// TestZeroTimes: the single-use markers cannot be set to the zero time,
// which is how "not used" and "not revoked" are stored.
func TestZeroTimes(t *testing.T) {
	s := newStore(t)
	if err := s.UsePasscode(t.Context(), "t", "p", time.Time{}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("UsePasscode at the zero time: %v, want invalid", err)
	}
	if err := s.RevokeUserSessions(t.Context(), "t", "u", time.Time{}); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("RevokeUserSessions at the zero time: %v, want invalid", err)
	}
}
