package main

import (
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// TestVersionText: what an operator reads from `guestlist version`: the
// module version, the commit and its time (marked when the tree had local
// changes), and the Go version; a binary without VCS stamps says so.
func TestVersionText(t *testing.T) {
	stamped := &debug.BuildInfo{GoVersion: "go1.26.10", Main: debug.Module{Path: "guestlist", Version: "v1.4.0"},
		Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "36ebbe7f00"},
			{Key: "vcs.time", Value: "2026-11-28T10:00:00Z"}, {Key: "vcs.modified", Value: "false"}}}
	modified := &debug.BuildInfo{GoVersion: "go1.26.10", Main: debug.Module{Path: "guestlist", Version: "(devel)"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "36ebbe7f00"}, {Key: "vcs.modified", Value: "true"}}}
	bare := &debug.BuildInfo{GoVersion: "go1.26.10", Main: debug.Module{Path: "guestlist"}}
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want string
	}{
		{"release", stamped, true, "guestlist v1.4.0\nrevision: 36ebbe7f00\nrevision time: 2026-11-28T10:00:00Z\ngo: go1.26.10\n"},
		{"local changes", modified, true, "guestlist (devel)\nrevision: 36ebbe7f00 (modified)\ngo: go1.26.10\n"},
		{"no vcs", bare, true, "guestlist (devel)\nrevision: unknown (built without version control information)\ngo: go1.26.10\n"},
		{"no build info", nil, false, "guestlist: no build information in this binary\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := versionText(tc.bi, tc.ok); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestVersionCommand: `guestlist version` and `guestlist --version` print
// the same lines, exit 0, and name the Go release the binary was built with.
func TestVersionCommand(t *testing.T) {
	bin := t.TempDir() + "/guestlist"
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmdOut, err := exec.Command(bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("guestlist version: %v\n%s", err, cmdOut)
	}
	flagOut, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("guestlist --version: %v\n%s", err, flagOut)
	}
	if string(cmdOut) != string(flagOut) {
		t.Errorf("version and --version differ:\n%s\n---\n%s", cmdOut, flagOut)
	}
	lines := strings.Split(strings.TrimSpace(string(cmdOut)), "\n")
	if !strings.HasPrefix(lines[0], "guestlist ") || lines[len(lines)-1] != "go: "+runtime.Version() {
		t.Errorf("want a first line naming guestlist's version and a last line %q:\n%s", "go: "+runtime.Version(), cmdOut)
	}
}

// TestBareCommandPrintsHelp: `guestlist` alone lists the commands and exits
// 0 without starting a server or creating a data directory where it was
// typed; serving is asked for with `guestlist serve`. A GUESTLIST_VERSION
// left in the environment does not turn every command into --version.
func TestBareCommandPrintsHelp(t *testing.T) {
	bin := t.TempDir() + "/guestlist"
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GUESTLIST_VERSION=1")
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("a bare guestlist is still running after 30 s: it started a server")
	}
	if err != nil {
		t.Fatalf("bare guestlist: %v\n%s", err, out)
	}
	for _, want := range []string{"Usage: guestlist <command>", "serve", "migrate", "version"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a bare guestlist left %d files in its working directory", len(entries))
	}
}
