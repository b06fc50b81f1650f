package main_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeCreatesDataDirectory: with --secret-key nothing else creates
// the data directory; serve makes it (0700) instead of failing with
// SQLite's "unable to open database file (14)". A data path that cannot be
// a directory gives an error naming the path and the cause.
func TestServeCreatesDataDirectory(t *testing.T) {
	bin := buildBinary(t)
	env := serveEnv()
	data := filepath.Join(t.TempDir(), "new", "data")
	served, log := startOrExit(t, bin, env, "--addr", freeAddr(t), "--secret-key", newKey(), "--data", data)
	if !served {
		t.Fatalf("serve on a fresh data directory did not start:\n%s", log)
	}
	if fi, err := os.Stat(data); err != nil {
		t.Errorf("data directory: %v", err)
	} else if fi.Mode().Perm() != 0o700 {
		t.Errorf("data directory mode %v, want 0700", fi.Mode().Perm())
	}

	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	served, log = startOrExit(t, bin, env, "--addr", freeAddr(t), "--secret-key", newKey(), "--data", filepath.Join(file, "data"))
	if served {
		t.Fatal("serve started on a data path under a regular file")
	}
	if !strings.Contains(log, file) || !strings.Contains(log, "not a directory") {
		t.Errorf("the error does not name the path and the cause:\n%s", log)
	}
}
