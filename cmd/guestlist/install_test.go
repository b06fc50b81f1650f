package main_test

import (
	"bufio"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"guestlist/internal/mail/smtptest"
)

// dockerfile is what the tests need from the repository's Dockerfile.
type dockerfile struct {
	build       []string          // the go build command line of the build stage
	final       string            // the last stage's base image
	user        string            // the last USER
	env         map[string]string // the last stage's ENV
	volumes     []string          // the last stage's volumes
	healthcheck []string          // the HEALTHCHECK's CMD, exec form
}

// parseDockerfile reads the few instructions the image depends on.
func parseDockerfile(t *testing.T, path string) dockerfile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	cont := ""
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		if strings.HasSuffix(l, "\\") {
			cont += strings.TrimSuffix(l, "\\") + " "
			continue
		}
		if s := strings.TrimSpace(cont + l); s != "" {
			lines = append(lines, s)
		}
		cont = ""
	}
	var d dockerfile
	for _, l := range lines {
		inst, rest, _ := strings.Cut(l, " ")
		switch strings.ToUpper(inst) {
		case "FROM":
			d.final, d.env = strings.Fields(rest)[0], map[string]string{}
		case "RUN":
			if strings.Contains(rest, "go build") {
				d.build = strings.Fields(rest)
			}
		case "USER":
			d.user = rest
		case "ENV":
			for _, kv := range strings.Fields(rest) {
				k, v, _ := strings.Cut(kv, "=")
				d.env[k] = v
			}
		case "VOLUME":
			if err := json.Unmarshal([]byte(rest), &d.volumes); err != nil {
				t.Fatalf("VOLUME %s: want the JSON form: %v", rest, err)
			}
		case "HEALTHCHECK":
			_, cmd, ok := strings.Cut(rest, "CMD ")
			if !ok || json.Unmarshal([]byte(cmd), &d.healthcheck) != nil {
				t.Fatalf("HEALTHCHECK %s: want CMD in exec (JSON) form: the image has no shell", rest)
			}
		}
	}
	return d
}

// TestContainerImageBinary: no container runtime runs in CI, so the
// image's binary is built exactly as the Dockerfile's build stage builds it
// (CGO_ENABLED=0, -trimpath), checked to be static (the image is FROM
// scratch), and run with the image's environment, as a non-root user's
// process: version, serve until /readyz answers, the HEALTHCHECK command
// (healthy while serving, failing once the server is gone), and JSON logs.
func TestContainerImageBinary(t *testing.T) {
	t.Parallel() // its own ports, directories and processes
	d := parseDockerfile(t, "../../Dockerfile")
	if d.final != "scratch" || d.user == "" || strings.HasPrefix(d.user, "0") || strings.HasPrefix(d.user, "root") {
		t.Errorf("final stage FROM %q as USER %q, want scratch as a non-root user", d.final, d.user)
	}
	if d.env["GUESTLIST_DATA"] == "" || len(d.volumes) != 1 || d.volumes[0] != d.env["GUESTLIST_DATA"] {
		t.Errorf("data directory %q is not the image's volume %v", d.env["GUESTLIST_DATA"], d.volumes)
	}
	want := regexp.MustCompile(`^CGO_ENABLED=0 go build .*-trimpath .*-o /out/guestlist \./cmd/guestlist$`)
	if !want.MatchString(strings.Join(d.build, " ")) {
		t.Fatalf("the Dockerfile's build line %q is not the one this test reproduces", strings.Join(d.build, " "))
	}
	bin := filepath.Join(t.TempDir(), "guestlist")
	args := append([]string(nil), d.build[2:]...) // after CGO_ENABLED=0 go
	for i := range args {
		if args[i] == "/out/guestlist" {
			args[i] = bin
		}
	}
	build := exec.Command("go", args...)
	build.Dir = "../.."
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary needs a dynamic loader; FROM scratch has none")
		}
	}
	f.Close()
	if out, err := exec.Command(bin, "version").CombinedOutput(); err != nil || !strings.Contains(string(out), "go: go1.") {
		t.Errorf("version: %v\n%s", err, out)
	}

	// The image's environment, with a free port and this test's data
	// directory and SMTP server (the image listens on all interfaces,
	// where serve requires SMTP).
	smtp := smtptest.Start(t)
	addr := freeAddr(t)
	port := addr[strings.LastIndex(addr, ":")+1:]
	env := serveEnv()
	for k, v := range d.env {
		env = append(env, k+"="+v)
	}
	env = append(env, "GUESTLIST_DATA="+t.TempDir(), "GUESTLIST_ADDR=0.0.0.0:"+port, "GUESTLIST_METRICS_ADDR=",
		"GUESTLIST_BASE_URL=http://127.0.0.1:"+port, "GUESTLIST_SMTP="+smtp.URL())
	srv := startEnvServe(t, bin, t.TempDir(), "http://127.0.0.1:"+port, env)
	health := func() (string, error) {
		cmd := exec.Command(bin, d.healthcheck[1:]...)
		cmd.Env = env
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	if got, err := health(); err != nil || !strings.Contains(got, "healthy") {
		t.Errorf("HEALTHCHECK %v while serving: %v\n%s", d.healthcheck, err, got)
	}
	srv.stop()
	if got, err := health(); err == nil {
		t.Errorf("HEALTHCHECK %v passed with the server stopped:\n%s", d.healthcheck, got)
	}
	out := srv.output()
	sc := bufio.NewScanner(strings.NewReader(out))
	lines := 0
	for sc.Scan() {
		lines++
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Errorf("with GUESTLIST_LOG_FORMAT=json a log line is not JSON: %s", sc.Text())
		}
	}
	if lines < 4 {
		t.Errorf("serve said %d lines at start, want its startup records:\n%s", lines, out)
	}
	if d.healthcheck[0] != "/guestlist" {
		t.Errorf("HEALTHCHECK runs %q, not the image's binary", d.healthcheck[0])
	}
}
