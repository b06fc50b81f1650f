package server_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

// TestProcessesMustShareTheKey: a process whose server key differs from
// the one the database was set up with refuses to start, instead of
// serving codes and cookies no other process can check.
func TestProcessesMustShareTheKey(t *testing.T) {
	first := servertest.New(t, servertest.Options{})
	first.Stop()
	cfg := server.Config{BaseURL: "http://127.0.0.1:1", DataDir: first.DataDir,
		SecretKey: strings.Repeat("99", 32)}
	deps := server.Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	_, err := server.New(t.Context(), cfg, deps)
	if err == nil || !strings.Contains(err.Error(), "same key") {
		t.Fatalf("start with another key: %v, want a refusal naming the shared key", err)
	}
	cfg.SecretKey = servertest.TestKey
	s, err := server.New(t.Context(), cfg, deps)
	if err != nil {
		t.Fatalf("start with the same key: %v", err)
	}
	s.Close()
}
