package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSystemdUnit: deploy/guestlist.service is a unit systemd accepts
// (systemd-analyze verify, which needs no running systemd, with its
// ExecStart pointed at a freshly built binary): no unknown keys or
// sections, which systemd would ignore with only a warning, and the
// hardening options the unit promises are there.
func TestSystemdUnit(t *testing.T) {
	t.Parallel() // its own ports, directories and processes
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Fatal("systemd-analyze is needed to check deploy/guestlist.service (Debian: apt-get install systemd)")
	}
	unit, err := os.ReadFile("../../deploy/guestlist.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, opt := range []string{"DynamicUser=yes", "StateDirectory=guestlist", "NoNewPrivileges=yes", "ProtectSystem=strict",
		"ProtectHome=yes", "PrivateTmp=yes", "CapabilityBoundingSet=\n", "SystemCallFilter=@system-service",
		"ExecStart=/usr/local/bin/guestlist serve\n", "Environment=GUESTLIST_DATA=/var/lib/guestlist\n"} {
		if !strings.Contains(string(unit), opt) {
			t.Errorf("deploy/guestlist.service lacks %q", strings.TrimSpace(opt))
		}
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "guestlist.service")
	local := strings.ReplaceAll(string(unit), "/usr/local/bin/guestlist", bin)
	if err := os.WriteFile(path, []byte(local), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(analyze, "verify", path)
	cmd.Env = append(os.Environ(), "SYSTEMD_LOG_COLOR=0")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
