package main_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"guestlist/internal/mail/smtptest"
)

// envServe is a `guestlist serve` process configured by environment alone.
type envServe struct {
	cmd    *exec.Cmd
	exited chan struct{}
	mu     sync.Mutex
	out    bytes.Buffer
}

func (e *envServe) Write(p []byte) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.out.Write(p)
}

// output is what the process wrote to stdout and stderr so far.
func (e *envServe) output() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.out.String()
}

// stop sends SIGTERM and waits for the process to exit.
func (e *envServe) stop() {
	_ = e.cmd.Process.Signal(syscall.SIGTERM)
	<-e.exited
}

// startEnvServe runs `guestlist serve` configured by env alone (as a
// systemd unit or container sets it), in dir, and returns once /readyz
// answers 200 at base, polling with a deadline. It is killed when the
// test ends.
func startEnvServe(t *testing.T, bin, dir, base string, env []string) *envServe {
	t.Helper()
	return startEnvServeCmd(t, exec.Command(bin, "serve"), dir, base, env)
}

// startEnvServeCmd is startEnvServe for a command line of the caller's.
func startEnvServeCmd(t *testing.T, cmd *exec.Cmd, dir, base string, env []string) *envServe {
	t.Helper()
	e := &envServe{cmd: cmd, exited: make(chan struct{})}
	e.cmd.Dir, e.cmd.Env = dir, env
	e.cmd.Stdout, e.cmd.Stderr = e, e
	if err := e.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = e.cmd.Wait(); close(e.exited) }()
	t.Cleanup(func() { _ = e.cmd.Process.Kill(); <-e.exited })
	deadline := time.Now().Add(60 * time.Second)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := client.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return e
			}
		}
		select {
		case <-e.exited:
			t.Fatalf("serve exited before it was ready:\n%s", e.output())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve not ready within 60 s:\n%s", e.output())
		}
	}
}

// TestCommandsUseTheServersDeployment: the commands read the same
// GUESTLIST_* settings as serve, so with the server's environment they
// say and use the server's database, and an invitation sent from the
// command line links to the server's address; typed where no deployment
// is, they refuse with a message instead of making a new database and key.
func TestCommandsUseTheServersDeployment(t *testing.T) {
	t.Parallel() // its own ports, directories and processes
	bin := buildBinary(t)
	smtp := smtptest.Start(t)
	data, addr := t.TempDir(), freeAddr(t)
	env := serveEnv("GUESTLIST_DATA="+data, "GUESTLIST_ADDR="+addr, "GUESTLIST_SMTP="+smtp.URL(),
		"GUESTLIST_METRICS_ADDR=", "GUESTLIST_OPERATOR_TOKEN=op-token")
	startEnvServe(t, bin, t.TempDir(), "http://"+addr, env)

	run := func(dir string, env []string, args ...string) (stdout, stderr string, err error) {
		cmd := exec.Command(bin, args...)
		cmd.Dir, cmd.Env = dir, env
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err = cmd.Run()
		return o.String(), e.String(), err
	}
	elsewhere := t.TempDir()
	out, errOut, err := run(elsewhere, env, "tenant", "create", "--name", "Fabrikam", "--domain", "fabrikam.example")
	if err != nil {
		t.Fatalf("tenant create: %v\n%s%s", err, out, errOut)
	}
	if want := "database: " + filepath.Join(data, "guestlist.db"); !strings.Contains(errOut, want) {
		t.Errorf("tenant create does not say its database (%q):\n%s", want, errOut)
	}
	out, errOut, err = run(elsewhere, env, "tenant", "list")
	if err != nil || !regexp.MustCompile(`(?m)^[0-9a-f-]{36}\s+Fabrikam\s+fabrikam\.guestlist\.localhost\s+fabrikam\.example$`).MatchString(out) {
		t.Errorf("tenant list: %v\n%s%s", err, out, errOut)
	}
	out, errOut, err = run(elsewhere, env, "invite", "--tenant", "fabrikam.example", "--email", "ann@contoso.example",
		"--redirect-url", "https://app.example/", "--send")
	if err != nil || !strings.Contains(out, "redeem url: http://"+addr+"/") {
		t.Fatalf("invite --send does not link to the server's address %s: %v\n%s%s", addr, err, out, errOut)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	m, err := smtp.WaitFor(ctx, func(m smtptest.Message) bool { return slicesHas(m.To, "ann@contoso.example") })
	if err != nil {
		t.Fatalf("the running server did not send the invitation: %v", err)
	}
	if !strings.Contains(m.TextBody, "http://"+addr+"/") {
		t.Errorf("the mailed link is not the server's base URL http://%s:\n%s", addr, m.TextBody)
	}

	// Typed in another directory without the server's settings: no new
	// database, no new key, and a message that says what to set.
	bare := serveEnv()
	for _, args := range [][]string{
		{"invite", "--tenant", "fabrikam.example", "--email", "bob@contoso.example", "--redirect-url", "https://app.example/"},
		{"tenant", "list"},
		{"keys", "rotate"},
	} {
		out, errOut, err := run(elsewhere, bare, args...)
		var exit *exec.ExitError
		if !errors.As(err, &exit) || !strings.Contains(errOut, "no guestlist deployment in "+filepath.Join(elsewhere, "guestlist-data")) ||
			!strings.Contains(errOut, "GUESTLIST_DATA") {
			t.Errorf("%v outside a deployment: err %v\n%s%s", args, err, out, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(elsewhere, "guestlist-data")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a command other than serve or migrate made a data directory: %v", err)
	}
}

func slicesHas(s []string, v string) bool {
	for _, x := range s {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}
