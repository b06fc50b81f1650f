package main

import (
	"os"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// TestConfigurationReference: docs/configuration.md is what the flag
// definitions generate, so the operator's reference cannot drift from the
// binary; and every flag of serve is in it with its variable.
func TestConfigurationReference(t *testing.T) {
	var c cli
	k, err := kong.New(&c, kongOptions("test")...)
	if err != nil {
		t.Fatal(err)
	}
	got := configReference(k.Model)
	want, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("docs/configuration.md differs from the flag definitions; regenerate it:\n" +
			"  go run ./cmd/guestlist config reference > docs/configuration.md")
	}
	for _, f := range []string{"--smtp", "--operator-token", "--log-format", "--addr", "--since"} {
		if !strings.Contains(got, "| `"+f+"` |") {
			t.Errorf("the reference has no row for %s", f)
		}
	}
	hc := got[strings.Index(got, "## guestlist healthcheck"):]
	if !strings.Contains(hc[:strings.Index(hc[3:], "## ")+3], "| `--addr` |") {
		t.Errorf("healthcheck's own --addr is missing:\n%s", hc)
	}
	if !strings.Contains(got, "`GUESTLIST_SMTP`") || strings.Contains(got, "http://<addr>") {
		t.Errorf("variables missing or an unescaped <addr>:\n%s", got)
	}
}
