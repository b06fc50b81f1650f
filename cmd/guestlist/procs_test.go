package main_test

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// serveProc is one `guestlist serve` process a test started.
type serveProc struct {
	name    string
	addr    string
	cmd     *exec.Cmd
	serving chan struct{} // closed when the process logs that it serves
	exited  chan struct{} // closed once it has exited and its log is read
	waitErr error         // the exit status, once exited is closed

	mu  sync.Mutex
	log []string
}

func (p *serveProc) url() string { return "http://" + p.addr }

// kill ends the process with SIGKILL (kill -9) and waits until it is gone.
func (p *serveProc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.exited
}

// logged reports whether a line of the process's log contains s.
func (p *serveProc) logged(s string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.ContainsFunc(p.log, func(l string) bool { return strings.Contains(l, s) })
}

// tail is the end of the process's log, for failure messages.
func (p *serveProc) tail(n int) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.log[max(0, len(p.log)-n):], "\n")
}

// deployment is what every process of one deployment shares: the binary,
// the public URL a load balancer would answer on (links in mail, token
// issuer), environment and flags. Each process gets its own --addr.
type deployment struct {
	bin     string
	baseURL string
	env     []string
	args    []string
}

// serveEnv is the test's environment without any GUESTLIST_* setting of
// the caller's, plus kv.
func serveEnv(kv ...string) []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "GUESTLIST_") {
			env = append(env, e)
		}
	}
	return append(env, kv...)
}

// newKey is a random server key as GUESTLIST_SECRET_KEY takes it.
func newKey() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// start runs a process of the deployment and returns once it logs that it
// is serving; it is killed when the test ends.
func (d deployment) start(t *testing.T, name string, args ...string) *serveProc {
	t.Helper()
	p := d.launch(t, name, d.env, args...)
	select {
	case <-p.serving:
		return p
	case <-p.exited:
		t.Fatalf("%s exited before serving (%v):\n%s", name, p.waitErr, p.tail(40))
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not report serving within 60 s:\n%s", name, p.tail(40))
	}
	return nil
}

// launch starts a process without waiting for it to serve.
func (d deployment) launch(t *testing.T, name string, env []string, args ...string) *serveProc {
	t.Helper()
	addr := freeAddr(t)
	argv := append([]string{"serve", "--addr", addr, "--base-url", d.baseURL, "--metrics-addr="}, d.args...)
	cmd := exec.Command(d.bin, append(argv, args...)...)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProc{name: name, addr: addr, cmd: cmd, serving: make(chan struct{}), exited: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		announced := false
		for sc.Scan() {
			p.mu.Lock()
			p.log = append(p.log, sc.Text())
			p.mu.Unlock()
			if !announced && strings.Contains(sc.Text(), "guestlist serving") {
				announced = true
				close(p.serving)
			}
		}
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("log of %s (last lines):\n%s", name, p.tail(25))
		}
	})
	return p
}

// privatePostgres is a PostgreSQL cluster of one test's own on a free
// port. The shared server on 127.0.0.1:5432 serves other packages' tests
// in parallel, so a test that stops its database needs its own.
type privatePostgres struct {
	t     *testing.T
	bin   string   // directory of initdb and pg_ctl
	dir   string   // the cluster's directory: data/, the socket, the log
	port  string   // TCP port on 127.0.0.1
	runAs []string // runs a command as the postgres user (the server refuses root)
}

// startPrivatePostgres creates and starts a cluster (trust auth, user
// postgres); it is stopped and removed when the test ends.
func startPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	tools, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(tools) == 0 {
		t.Fatal("no pg_ctl under /usr/lib/postgresql/*/bin: install the Debian postgresql package")
	}
	slices.SortFunc(tools, func(a, b string) int { return pgMajor(a) - pgMajor(b) })
	dir, err := os.MkdirTemp("", "guestlist-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	pg := &privatePostgres{t: t, bin: filepath.Dir(tools[len(tools)-1]), dir: dir}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres user to run the server: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		pg.runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	_, pg.port, _ = net.SplitHostPort(freeAddr(t))
	if out, err := pg.run("initdb", "-D", pg.data(), "-A", "trust", "-U", "postgres",
		"-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	if err := pg.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pg.stop() })
	return pg
}

func pgMajor(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}

func (pg *privatePostgres) data() string { return filepath.Join(pg.dir, "data") }

// URL is the cluster's postgres database.
func (pg *privatePostgres) URL() string {
	return "postgres://postgres@127.0.0.1:" + pg.port + "/postgres?sslmode=disable"
}

// start starts the server and waits until it accepts connections.
func (pg *privatePostgres) start() error {
	opts := "-p " + pg.port + " -k " + pg.dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
	out, err := pg.run("pg_ctl", "-D", pg.data(), "-l", filepath.Join(pg.dir, "server.log"),
		"-o", opts, "-w", "-t", "60", "start")
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(pg.dir, "server.log"))
		return &pgError{"pg_ctl start", err, out + "\n" + string(log)}
	}
	return nil
}

// stop shuts the server down, ending every connection (fast mode).
func (pg *privatePostgres) stop() error {
	if out, err := pg.run("pg_ctl", "-D", pg.data(), "-m", "fast", "-w", "-t", "60", "stop"); err != nil {
		return &pgError{"pg_ctl stop", err, out}
	}
	return nil
}

func (pg *privatePostgres) run(tool string, args ...string) (string, error) {
	argv := append(slices.Clone(pg.runAs), filepath.Join(pg.bin, tool))
	cmd := exec.Command(argv[0], append(argv[1:], args...)...)
	cmd.Dir = pg.dir // the postgres user may not enter the test's directory
	// The server runs on after pg_ctl returns; it writes to its log file,
	// but should it keep a pipe open, Wait must not wait for it.
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	return string(out), err
}

type pgError struct {
	op     string
	err    error
	output string
}

func (e *pgError) Error() string { return e.op + ": " + e.err.Error() + "\n" + e.output }
