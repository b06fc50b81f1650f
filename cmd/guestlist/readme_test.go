package main_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"guestlist/internal/mail/smtptest"
	"guestlist/internal/servertest"
)

// readmeBlock is one indented code block of the README.
type readmeBlock struct {
	line int // where it starts, 1-based
	text string
}

func (b readmeBlock) String() string { return fmt.Sprintf("README.md:%d", b.line) }

// readmeBlocks are the README's indented code blocks (its shell
// recipes); fenced blocks hold JSON examples and are left out.
func readmeBlocks(t *testing.T) []readmeBlock {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var blocks []readmeBlock
	var cur *readmeBlock
	fenced, prevBlank := false, true
	for i, l := range strings.Split(string(raw), "\n") {
		switch {
		case strings.HasPrefix(l, "```"):
			fenced = !fenced
		case fenced:
		case strings.HasPrefix(l, "    ") && (cur != nil || prevBlank):
			if cur == nil {
				blocks = append(blocks, readmeBlock{line: i + 1})
				cur = &blocks[len(blocks)-1]
			}
			cur.text += strings.TrimPrefix(l, "    ") + "\n"
		case strings.TrimSpace(l) == "" && cur != nil:
			cur.text += "\n"
		default:
			cur = nil
		}
		prevBlank = strings.TrimSpace(l) == ""
	}
	return blocks
}

// notRun are the README blocks this test does not run, each with why.
var notRun = map[string]string{
	"go test -race -count=1":                 "the test suite this test is part of",
	"go run ./cmd/guestlist serve":           "the walkthrough starts the installed binary the same way, with a known operator token",
	"tools/vulncheck":                        ".ci/run runs it",
	"export GUESTLIST_DATABASE='postgres://": "a real deployment's hosts and passwords; TestMultiProcess runs that setup",
}

// TestReadmeRecipes runs the README's shell blocks with bash, curl and jq,
// in order, against the `guestlist serve` the README starts (installed
// with the README's own go install into a temporary GOBIN), twice: the
// walkthrough must work as written and again on a second run. Variables a
// block sets carry over to the next, as in one terminal. The one step that
// needs a browser (the guest enters the passcode and accepts) is done by
// the test between blocks, as the README describes it, from the dev
// mailbox the README reads. So that CI can run it beside other servers,
// 127.0.0.1:8080 becomes a free address and metrics are off.
func TestReadmeRecipes(t *testing.T) {
	t.Parallel() // its own ports, directories and processes
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("the README's recipes need %s (.ci/run installs it)", tool)
		}
	}
	blocks := readmeBlocks(t)
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	work, gobin := t.TempDir(), t.TempDir()
	addr := freeAddr(t)
	// CGO_ENABLED=0 and -trimpath, as buildBinary builds, so the README's
	// go install is served from the build cache.
	env := serveEnv("CGO_ENABLED=0", "GOFLAGS=-trimpath", "GOBIN="+gobin, "PATH="+gobin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"GUESTLIST_ADDR="+addr, "GUESTLIST_METRICS_ADDR=")
	sh := &shell{t: t, work: work, env: env}
	used := map[string]bool{}
	started, redeemed := false, false
	for pass := 1; pass <= 2; pass++ {
		for _, b := range blocks {
			text := strings.ReplaceAll(b.text, "127.0.0.1:8080", addr)
			if reason := skipReason(text); reason != "" {
				used[reason] = true
				continue
			}
			switch {
			case strings.Contains(text, "guestlist serve"):
				if !started {
					sh.startServer(b, text, "http://"+addr)
					started = true
				}
			case strings.Contains(text, "./cmd/guestlist"):
				sh.run(b, repo, text)
			default:
				out := sh.run(b, work, text)
				if strings.Contains(text, "/dev/mail?format=json") && !redeemed {
					redeemAsInBrowser(t, "http://"+addr, out)
					redeemed = true
				}
				if strings.Contains(text, "status=Completed") && !strings.Contains(out, "alice@contoso.example") {
					t.Errorf("pass %d, %v: the redeemed invitation is not listed as Completed:\n%s", pass, b, out)
				}
			}
		}
		sh.run(readmeBlock{text: "check"}, work, `for v in T APP SECRET TOKEN GUEST_ID; do
  if [ -z "${!v}" ] || [ "${!v}" = null ]; then echo "$v is '${!v}' after the walkthrough"; exit 1; fi
done`)
	}
	if !started || !redeemed {
		t.Errorf("the README no longer starts a server (%v) or shows the invitation from the dev mailbox (%v)", started, redeemed)
	}
	for s := range notRun {
		if !used[notRun[s]] {
			t.Errorf("no README block contains %q any more: drop it from notRun", s)
		}
	}
}

func skipReason(text string) string {
	for s, why := range notRun {
		if strings.Contains(text, s) {
			return why
		}
	}
	return ""
}

// shell runs README blocks as one terminal would: each in bash with the
// variables the blocks before it set.
type shell struct {
	t    *testing.T
	work string
	env  []string
}

const shellVars = ".readme-vars"

func (s *shell) run(b readmeBlock, dir, text string) string {
	s.t.Helper()
	vars := filepath.Join(s.work, shellVars)
	script := `__before=" $(compgen -v | tr '\n' ' ') "
if [ -f '` + vars + `' ]; then . '` + vars + `'; fi
` + text + `
for __v in $(compgen -v); do
  case "$__before" in *" $__v "*) ;; *) case "$__v" in __*) ;; *) declare -p "$__v" ;; esac ;; esac
done > '` + vars + `'
`
	ctx, cancel := context.WithTimeout(s.t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euo", "pipefail", "-c", script)
	cmd.Dir, cmd.Env = dir, s.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("%v failed: %v\n--- block\n%s--- output\n%s", b, err, text, out)
	}
	return string(out)
}

// startServer runs the README's serve line in the background, in the
// working directory, and waits for /readyz.
func (s *shell) startServer(b readmeBlock, text, base string) {
	s.t.Helper()
	line := strings.TrimSpace(text)
	if strings.Contains(line, "\n") {
		s.t.Fatalf("%v: the serve block should be the one command:\n%s", b, text)
	}
	bin, err := exec.LookPath("bash")
	if err != nil {
		s.t.Fatal(err)
	}
	startEnvServeCmd(s.t, exec.Command(bin, "-c", "exec env "+line), s.work, base, s.env)
}

// devMail is one message of the dev mailbox's JSON.
type devMail struct {
	To   []string `json:"to"`
	Text string   `json:"text"`
}

// redeemAsInBrowser does README step 5 as the guest would in a browser:
// open the invitation's link (shown by the block's output), Send code,
// read the code from the dev mailbox, enter it and accept.
func redeemAsInBrowser(t *testing.T, base, shown string) {
	t.Helper()
	link := regexp.MustCompile(`http://[^\s"]+/redeem\?t=[^\s"]+`).FindString(shown)
	if link == "" {
		t.Fatalf("step 4 shows no redeem link:\n%s", shown)
	}
	ctx := t.Context()
	b := newBrowser()
	step := func(method, u string, form url.Values, status int, want string) page {
		t.Helper()
		if strings.HasPrefix(u, "/") {
			u = base + u
		}
		p, err := b.do(ctx, method, u, form)
		if err != nil || p.status != status || !strings.Contains(p.location+p.body, want) {
			t.Fatalf("%s %s: %v, %v; want %d with %q", method, u, err, p, status, want)
		}
		return p
	}
	p := step("GET", link, nil, http.StatusSeeOther, "/signin/passcode")
	tb := strings.TrimSuffix(p.location, "/signin/passcode")
	step("GET", p.location, nil, http.StatusOK, `id="send"`)
	step("POST", tb+"/signin/passcode", url.Values{}, http.StatusSeeOther, "/signin/code")
	code := ""
	deadline := time.Now().Add(30 * time.Second)
	for code == "" && time.Now().Before(deadline) {
		var box []devMail
		resp, err := http.Get(base + "/dev/mail?format=json")
		if err == nil {
			err = json.NewDecoder(bufio.NewReader(resp.Body)).Decode(&box)
			resp.Body.Close()
		}
		if err != nil {
			t.Fatalf("dev mailbox: %v", err)
		}
		for _, m := range box {
			if c := servertest.CodeIn(smtptest.Message{TextBody: m.Text}); c != "" {
				code = c
				break
			}
		}
		if code == "" {
			time.Sleep(100 * time.Millisecond) // polling the mailbox, bounded by deadline
		}
	}
	if code == "" {
		t.Fatal("no passcode in the dev mailbox within 30 s")
	}
	step("POST", tb+"/signin/code", url.Values{"code": {code}}, http.StatusSeeOther, "/signin/consent")
	step("GET", tb+"/signin/consent", nil, http.StatusOK, `id="accept"`)
	step("POST", tb+"/signin/consent", url.Values{"action": {"accept"}}, http.StatusSeeOther, "https://example.com/")
}
