// Package pgtest gives tests their own PostgreSQL databases on the test
// server (GUESTLIST_TEST_POSTGRES, default the local
// postgres://postgres@127.0.0.1:5432/test): a database per test run,
// dropped when the run ends, and a schema per store inside it, so runs and
// tests cannot see each other's rows. There is no skipping: without a
// reachable server the tests fail and say how to start one.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// AdminURL is the server the tests use; its database must exist (it is
// only used to create and drop the test databases).
func AdminURL() string {
	if u := os.Getenv("GUESTLIST_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
}

// Run creates a database for one test binary run, runs the tests, and
// drops it; use it from TestMain. The database URL is in os.Getenv
// ("GUESTLIST_TEST_POSTGRES_DB") for the run.
func Run(m interface{ Run() int }) int {
	dbURL, drop, err := CreateDatabase(context.Background())
	if err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: %v\n(start PostgreSQL with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start, or set GUESTLIST_TEST_POSTGRES)\n", err)
		return 1
	}
	os.Setenv("GUESTLIST_TEST_POSTGRES_DB", dbURL)
	code := m.Run()
	if err := drop(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: drop test database: %v\n", err)
	}
	return code
}

// CreateDatabase makes a new, uniquely named database and returns its URL
// and a function that drops it (ending any connections left to it).
func CreateDatabase(ctx context.Context) (string, func() error, error) {
	admin, err := sql.Open("pgx", AdminURL())
	if err != nil {
		return "", nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	name := "guestlist_test_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create database on %s: %w", redact(AdminURL()), err)
	}
	u, _ := url.Parse(AdminURL())
	u.Path = "/" + name
	drop := func() error {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		return err
	}
	return u.String(), drop, nil
}

// Database returns the run's database URL (see Run), creating a database
// for this test alone when the package has no TestMain that called Run.
func Database(t testing.TB) string {
	t.Helper()
	if u := os.Getenv("GUESTLIST_TEST_POSTGRES_DB"); u != "" {
		return u
	}
	u, drop, err := CreateDatabase(t.Context())
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Errorf("pgtest: drop database: %v", err)
		}
	})
	return u
}

// Schema creates a fresh schema in the run's database and returns a URL
// whose connections use it (search_path), for one store.
func Schema(t testing.TB) string {
	t.Helper()
	dbURL := Database(t)
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	name := "s_" + strings.ToLower(rand.Text()[:12])
	if _, err := db.ExecContext(t.Context(), "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}
	u, _ := url.Parse(dbURL)
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "the PostgreSQL server"
	}
	return u.Redacted()
}
