package main_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBinary compiles the command, as the Dockerfile does (static,
// -trimpath): the build cache then serves TestContainerImageBinary's and
// the README's builds too, instead of one cold build of every dependency
// per configuration.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "guestlist")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeLifecycle runs the binary as an operator would: with no flags
// but an address and data directory it applies migrations, prints the
// operator token it generated, answers /healthz and /readyz, serves the
// operator API with that token, and on SIGTERM stops cleanly (exit 0).
func TestServeLifecycle(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	addr := freeAddr(t)
	metrics := freeAddr(t)
	cmd := exec.Command(bin, "serve", "--addr", addr, "--data", data)
	cmd.Env = append(os.Environ(), "GUESTLIST_OPERATOR_TOKEN=", "GUESTLIST_METRICS_ADDR="+metrics)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	serving := make(chan struct{})
	var logged strings.Builder // written until serving is closed
	go func() {
		sc := bufio.NewScanner(stderr)
		open := true
		for sc.Scan() {
			if open {
				logged.WriteString(sc.Text() + "\n")
			}
			if open && strings.Contains(sc.Text(), "operator API") { // the last startup line
				open = false
				close(serving)
			}
		}
	}()
	select {
	case <-serving:
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not report that it is serving")
	}
	// stderr is a pipe, as under a service manager that ships it: the
	// generated token is in the data directory, and the log names the
	// file, never the token.
	b, err := os.ReadFile(filepath.Join(data, "operator-token"))
	if err != nil {
		t.Fatalf("no generated operator token in the data directory: %v", err)
	}
	tok := strings.TrimSpace(string(b))
	if fi, err := os.Stat(filepath.Join(data, "operator-token")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("operator-token file: %v, mode %v, want 0600", err, fi.Mode().Perm())
	}
	if len(tok) < 20 || strings.Contains(logged.String(), tok) {
		t.Errorf("operator token %q too short or printed into the log:\n%s", tok, logged.String())
	}
	for _, want := range []string{"version=", "profile=public", "addr=" + addr, "base_url=http://" + addr, "database=" + data,
		"dev mailbox", "token_from=" + filepath.Join(data, "operator-token")} {
		if !strings.Contains(logged.String(), want) {
			t.Errorf("the startup log does not say %q:\n%s", want, logged.String())
		}
	}
	base := "http://" + addr
	for _, path := range []string{"/healthz", "/readyz"} {
		if code := get(t, base+path, ""); code != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", path, code)
		}
	}
	if code := get(t, base+"/operator/v1/tenants", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("operator API with a wrong token = %d, want 401", code)
	}
	if code := get(t, base+"/operator/v1/tenants", tok); code != http.StatusOK {
		t.Errorf("operator API with the printed token = %d, want 200", code)
	}
	if code := get(t, base+"/dev/mail", ""); code != http.StatusOK {
		t.Errorf("dev mailbox without SMTP = %d, want 200", code)
	}
	if code := get(t, base+"/metrics", ""); code != http.StatusNotFound {
		t.Errorf("GET /metrics on the public address = %d, want 404 (metrics have their own address)", code)
	}
	if code := get(t, "http://"+metrics+"/metrics", ""); code != http.StatusOK {
		t.Errorf("GET /metrics on --metrics-addr = %d, want 200", code)
	}
	if _, err := os.Stat(filepath.Join(data, "guestlist.db")); err != nil {
		t.Errorf("no SQLite database in the data directory: %v", err)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve after SIGTERM: %v, want a clean exit", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30 s of SIGTERM")
	}
}

func get(t *testing.T, url, token string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestCommandLine: migrate, tenant create and invite work on a data
// directory without a server, and bad input is refused with a message and
// a non-zero exit.
func TestCommandLine(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	run := func(args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "GUESTLIST_DATA="+data)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("migrate"); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	out, err := run("tenant", "create", "--name", "Fabrikam", "--domain", "fabrikam.example")
	if err != nil {
		t.Fatalf("tenant create: %v\n%s", err, out)
	}
	for _, want := range []string{"tenant id:", "fabrikam.guestlist.localhost", "fabrikam.example", "admin app id:", "client secret:"} {
		if !strings.Contains(out, want) {
			t.Errorf("tenant create output lacks %q:\n%s", want, out)
		}
	}
	first := regexp.MustCompile(`client secret:\s+(\S+)`).FindStringSubmatch(out)
	out, err = run("tenant", "new-admin-secret", "--tenant", "fabrikam.example")
	renewed := regexp.MustCompile(`client secret:\s+(\S+)`).FindStringSubmatch(out)
	if err != nil || first == nil || renewed == nil || renewed[1] == first[1] {
		t.Fatalf("tenant new-admin-secret: %v\n%s", err, out)
	}
	out, err = run("invite", "--tenant", "fabrikam.example", "--email", "alice@contoso.example", "--redirect-url", "https://app.example/")
	if err != nil || !regexp.MustCompile(`redeem url: http://127\.0\.0\.1:8080/[0-9a-f-]{36}/redeem\?t=\S+`).MatchString(out) {
		t.Fatalf("invite: %v\n%s", err, out)
	}
	out, err = run("invite", "--tenant", "fabrikam.example", "--email", "not an address", "--redirect-url", "https://app.example/")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !strings.Contains(out, "email address") {
		t.Errorf("invite with a bad address: err %v, output:\n%s", err, out)
	}
	out, err = run("tenant", "create", "--name", "Other", "--domain", "fabrikam.example")
	if !errors.As(err, &exit) || !strings.Contains(strings.ToLower(out), "domain") {
		t.Errorf("second tenant with the same domain: err %v, output:\n%s", err, out)
	}
}
