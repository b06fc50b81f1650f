package server_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

// TestPasswordCost: an operator may raise Argon2id's cost; a cost the
// password package would refuse to run (over 1 GiB) stops the server at
// start with a message naming it, rather than failing every sign-in.
func TestPasswordCost(t *testing.T) {
	deps := server.Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	cfg := server.Config{BaseURL: "http://127.0.0.1:1", DataDir: t.TempDir(), SecretKey: servertest.TestKey,
		PasswordCost: server.PasswordCost{MemoryKiB: 2 << 20, Time: 1}}
	if _, err := server.New(t.Context(), cfg, deps); err == nil || !strings.Contains(err.Error(), "password cost") {
		t.Fatalf("start with 2 GiB per hash: %v, want a refusal naming the password cost", err)
	}
	cfg.PasswordCost = server.PasswordCost{MemoryKiB: 4096, Time: 2}
	s, err := server.New(t.Context(), cfg, deps)
	if err != nil {
		t.Fatalf("start with a raised cost: %v", err)
	}
	s.Close()
}
