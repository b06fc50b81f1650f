package main_test

import (
	"errors"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// stopAndLog ends p with SIGTERM and returns its whole log, read to the end.
func stopAndLog(t *testing.T, p *serveProc) []string {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-p.exited
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.log...)
}

// refusedTokenRequest sends the OpenID provider a token request it refuses
// (and logs, through its library, at warning level) with a grant_type of
// n bytes.
func refusedTokenRequest(t *testing.T, p *serveProc, tn tenant, n int) {
	t.Helper()
	resp, err := http.PostForm(p.url()+"/"+tn.id+"/v2.0/oauth/token", url.Values{
		"grant_type": {strings.Repeat("g", n)}, "client_id": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("bogus grant: %d, want 400", resp.StatusCode)
	}
}

// TestLibraryLogsHonourLogLevel: the OpenID library logs refused requests
// through the default logger; those records must follow --log-level, come
// out in the server's format, and not copy a 64 KiB parameter into the log.
func TestLibraryLogsHonourLogLevel(t *testing.T) {
	d := deployment{bin: buildBinary(t), baseURL: "http://127.0.0.1:8080",
		env: serveEnv("GUESTLIST_OPERATOR_TOKEN=op-token", "GUESTLIST_SECRET_KEY="+newKey())}

	// Below level info the process does not log that it serves: wait for it.
	quiet := d.launch(t, "error-level", d.env, "--data", t.TempDir(), "--log-level", "error")
	waitReadyz(t, t.Context(), quiet, http.StatusOK, 60*time.Second)
	refusedTokenRequest(t, quiet, createTenant(t, quiet, "op-token"), 10)
	for _, l := range stopAndLog(t, quiet) {
		if strings.Contains(l, "request error") {
			t.Errorf("--log-level error, yet a warning was logged: %.300s", l)
		}
	}

	warn := d.launch(t, "warn-level", d.env, "--data", t.TempDir(), "--log-level", "warn")
	waitReadyz(t, t.Context(), warn, http.StatusOK, 60*time.Second)
	refusedTokenRequest(t, warn, createTenant(t, warn, "op-token"), 64<<10)
	found := false
	for _, l := range stopAndLog(t, warn) {
		if strings.Contains(l, "request error") {
			found = true
			if !strings.Contains(l, "level=WARN") {
				t.Errorf("library record not in the server's log format: %.300s", l)
			}
		}
		if len(l) > 8<<10 {
			t.Errorf("a log line of %d bytes: %.200s…", len(l), l)
		}
	}
	if !found {
		t.Error("--log-level warn, but the refused request was not logged")
	}
}

// TestTenantCreateRefusesControlCharacters: the command line refuses a
// display name that would split a mail header, as the operator API does.
func TestTenantCreateRefusesControlCharacters(t *testing.T) {
	bin := buildBinary(t)
	env := serveEnv("GUESTLIST_DATA=" + t.TempDir())
	migrate := exec.Command(bin, "migrate")
	migrate.Env = env
	if out, err := migrate.CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "tenant", "create", "--name", "Fabrikam\r\nBcc: victim@example.com")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !strings.Contains(string(out), "control characters") {
		t.Errorf("tenant create with CR/LF in the name: err %v, output:\n%s", err, out)
	}
}
