package main_test

import (
	"bufio"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// startOrExit runs `guestlist serve` with args and reports whether it began
// serving (then it is killed at the end of the test) or exited, with its log.
func startOrExit(t *testing.T, bin string, env []string, args ...string) (served bool, log string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--metrics-addr="}, args...)...)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var b strings.Builder
	deadline := time.After(60 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				return false, b.String()
			}
			b.WriteString(l + "\n")
			if strings.Contains(l, "guestlist serving") {
				return true, b.String()
			}
		case <-deadline:
			t.Fatalf("serve neither served nor exited within 60 s:\n%s", b.String())
		}
	}
}

// TestDevMailboxOnlyOnLoopback: without --smtp the dev mailbox shows every
// passcode to whoever opens /dev/mail, so serve refuses to start when
// others can reach it (all interfaces, or an https base URL in front of a
// loopback listener) and says what to set; --dev-mailbox overrides it with
// a loud warning.
func TestDevMailboxOnlyOnLoopback(t *testing.T) {
	bin := buildBinary(t)
	env := serveEnv("GUESTLIST_SECRET_KEY=" + newKey())
	port := func() string { _, p, _ := net.SplitHostPort(freeAddr(t)); return p }
	refused := map[string][]string{
		"all interfaces":        {"--addr", "0.0.0.0:" + port()},
		"empty host":            {"--addr", ":" + port()},
		"public https base URL": {"--addr", freeAddr(t), "--base-url", "https://login.example.com"},
	}
	for name, args := range refused {
		t.Run(name, func(t *testing.T) {
			served, log := startOrExit(t, bin, env, append(args, "--data", t.TempDir())...)
			if served {
				t.Fatalf("serve without --smtp started on a reachable server:\n%s", log)
			}
			if !strings.Contains(log, "--smtp") || !strings.Contains(log, "--dev-mailbox") {
				t.Errorf("the refusal does not say what to set:\n%s", log)
			}
		})
	}
	t.Run("explicit --dev-mailbox", func(t *testing.T) {
		p := port()
		served, log := startOrExit(t, bin, env, "--addr", "0.0.0.0:"+p, "--dev-mailbox", "--data", t.TempDir())
		if !served {
			t.Fatalf("serve --dev-mailbox did not start:\n%s", log)
		}
		if !strings.Contains(log, "DEV MAILBOX ON A REACHABLE SERVER") {
			t.Errorf("no loud warning for an exposed dev mailbox:\n%s", log)
		}
		if code := get(t, "http://127.0.0.1:"+p+"/dev/mail", ""); code != http.StatusOK {
			t.Errorf("/dev/mail with --dev-mailbox = %d, want 200", code)
		}
	})
	t.Run("with --smtp on all interfaces", func(t *testing.T) {
		p := port()
		served, log := startOrExit(t, bin, env, "--addr", "0.0.0.0:"+p, "--smtp", "smtp://127.0.0.1:1", "--data", t.TempDir())
		if !served {
			t.Fatalf("serve with --smtp did not start:\n%s", log)
		}
		if code := get(t, "http://127.0.0.1:"+p+"/dev/mail", ""); code != http.StatusNotFound {
			t.Errorf("/dev/mail with SMTP = %d, want 404", code)
		}
	})
}
