package main_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// TestMigrateSaysWhatItDid: `guestlist migrate` names the database it
// migrated and the schema version before and after; run again, it says the
// database is already up to date at that same version.
func TestMigrateSaysWhatItDid(t *testing.T) {
	bin := buildBinary(t)
	data := t.TempDir()
	run := func() string {
		t.Helper()
		cmd := exec.Command(bin, "migrate", "--data", data)
		cmd.Env = append(os.Environ(), "GUESTLIST_DATABASE=")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("migrate: %v\n%s", err, out)
		}
		return string(out)
	}
	db := regexp.QuoteMeta(filepath.Join(data, "guestlist.db"))
	first := regexp.MustCompile(`^database: ` + db + `\nschema version 0 -> (\d+): applied (\d+) migrations\n$`).FindStringSubmatch(run())
	if first == nil || first[1] == "0" {
		t.Fatalf("first migrate should name %s and go from version 0 to the latest, got %q", filepath.Join(data, "guestlist.db"), first)
	}
	again := run()
	want := "database: " + filepath.Join(data, "guestlist.db") + "\nschema version " + first[1] + ": already up to date\n"
	if again != want {
		t.Errorf("second migrate:\n%q\nwant\n%q", again, want)
	}
}
