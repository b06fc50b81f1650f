package main_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os/exec"
	"regexp"
	"testing"
)

// exportLine is one line of guestlist audit export.
type exportLine struct {
	Kind                string `json:"kind"`
	ID                  string `json:"id"`
	ActivityDisplayName string `json:"activityDisplayName"`
	ActivityDateTime    string `json:"activityDateTime"`
	InitiatedBy         struct {
		App  *struct{ AppID string } `json:"app"`
		User *struct{ ID string }    `json:"user"`
	} `json:"initiatedBy"`
	TargetResources []struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"targetResources"`
}

// TestAuditExport: an invitation made from the command line is exported
// as a Graph-shaped JSON line of kind directoryAudit, for its tenant and
// for all tenants; --since after it exports nothing.
func TestAuditExport(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	run := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(bin, append(args, "--data", data)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("guestlist %v: %v\n%s", args, err, stderr.String())
		}
		return out
	}
	run("migrate") // the other commands only open a deployment that exists
	created := run("tenant", "create", "--name", "Fabrikam")
	m := regexp.MustCompile(`tenant id:\s+(\S+)`).FindSubmatch(created)
	if m == nil {
		t.Fatalf("tenant create printed no tenant id:\n%s", created)
	}
	tenant := string(m[1])
	invited := run("invite", "--tenant", tenant, "--email", "alice@partner.example", "--redirect-url", "https://app.example/")
	u := regexp.MustCompile(`user id:\s+(\S+)`).FindSubmatch(invited)
	if u == nil {
		t.Fatalf("invite printed no user id:\n%s", invited)
	}

	for _, args := range [][]string{
		{"audit", "export", "--since", "2000-01-01T00:00:00Z", "--tenant", tenant},
		{"audit", "export", "--since", "2000-01-01T00:00:00Z"},
	} {
		var lines []exportLine
		sc := bufio.NewScanner(bytes.NewReader(run(args...)))
		for sc.Scan() {
			var l exportLine
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatalf("%v: line %q is not JSON: %v", args, sc.Text(), err)
			}
			lines = append(lines, l)
		}
		if len(lines) != 1 {
			t.Fatalf("%v: %d lines, want the invitation's record: %+v", args, len(lines), lines)
		}
		l := lines[0]
		if l.Kind != "directoryAudit" || l.ActivityDisplayName != "Invite external user" || l.ID == "" ||
			l.ActivityDateTime == "" || len(l.TargetResources) != 1 || l.TargetResources[0].ID != string(u[1]) ||
			l.InitiatedBy.App != nil || l.InitiatedBy.User != nil {
			t.Errorf("%v: %+v", args, l)
		}
	}
	if out := run("audit", "export", "--since", "2999-01-01T00:00:00Z"); len(bytes.TrimSpace(out)) != 0 {
		t.Errorf("export since the future: %q, want nothing", out)
	}
}
