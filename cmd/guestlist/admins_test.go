package main_test

import (
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestAdminLinkCommands: tenant create --admin-email names the first
// administrator and says a link was mailed (never the link), send-admin-link
// mails a new one, and an address outside the tenant's domains is refused
// with nothing created (R43, R44).
func TestAdminLinkCommands(t *testing.T) {
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
	var exit *exec.ExitError
	out, err := run("tenant", "create", "--name", "Fabrikam", "--domain", "fabrikam.example", "--admin-email", "ada@elsewhere.example")
	if !errors.As(err, &exit) || !strings.Contains(out, "adminEmail") {
		t.Fatalf("admin outside the domains: err %v, output:\n%s", err, out)
	}
	out, err = run("tenant", "create", "--name", "Fabrikam", "--domain", "fabrikam.example", "--admin-email", "ada@fabrikam.example")
	if err != nil {
		t.Fatalf("tenant create (the domain must still be free): %v\n%s", err, out)
	}
	for _, want := range []string{"tenant id:", "admin user id:", "ada@fabrikam.example", "link mailed, expires"} {
		if !strings.Contains(out, want) {
			t.Errorf("tenant create output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "token=") {
		t.Errorf("the output shows the link:\n%s", out)
	}
	out, err = run("tenant", "send-admin-link", "--tenant", "fabrikam.example", "--email", "ada@fabrikam.example")
	if err != nil || !strings.Contains(out, "link mailed, expires") || strings.Contains(out, "token=") {
		t.Fatalf("send-admin-link: %v\n%s", err, out)
	}
	out, err = run("tenant", "send-admin-link", "--tenant", "fabrikam.example", "--email", "nobody@fabrikam.example")
	if !errors.As(err, &exit) {
		t.Errorf("send-admin-link to a stranger: err %v, output:\n%s", err, out)
	}
}
