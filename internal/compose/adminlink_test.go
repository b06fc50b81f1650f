package compose_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"guestlist/internal/compose"
	"guestlist/internal/i18n"
)

const adminLinkURL = "https://guestlist.example/6f1c2d3e-0000-4000-8000-000000000001/admin/password?token=QWERTYUIOPASDFGH"

func adminLink(lang string) compose.AdminLink {
	return compose.AdminLink{Lang: lang, Org: "Fabrikam", Email: "ada@fabrikam.com", Link: adminLinkURL,
		ExpiresAt: time.Date(2026, 3, 3, 9, 41, 7, 0, time.FixedZone("CET", 3600))}
}

// TestAdminLinkInEveryLanguage: the set-password mail names whom it is
// for, the organization, carries the link and says when it expires (in
// UTC), in every language (R43, R53).
func TestAdminLinkInEveryLanguage(t *testing.T) {
	c, cat := newComposer(t)
	for _, lang := range i18n.Languages {
		m, err := c.AdminLink(adminLink(lang))
		if err != nil {
			t.Fatal(err)
		}
		wantRendered(t, cat, lang, m)
		wantContains(t, lang, "subject", m.Subject, "Fabrikam")
		wantContains(t, lang, "text", m.Text, "ada@fabrikam.com", "Fabrikam", adminLinkURL, "2026-03-03 08:41 UTC")
		wantContains(t, lang, "html", m.HTML, "ada@fabrikam.com", "Fabrikam", "2026-03-03 08:41 UTC")
	}
}

// TestAdminLinkGolden holds the English mail's words.
func TestAdminLinkGolden(t *testing.T) {
	c, _ := newComposer(t)
	m, err := c.AdminLink(adminLink("en"))
	if err != nil {
		t.Fatal(err)
	}
	got := "Subject: " + m.Subject + "\n\n" + m.Text
	golden := filepath.Join("testdata", "adminlink.golden.txt")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v\nrun: go test ./internal/compose -run TestAdminLinkGolden -update", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the rendered mail:\n--- golden\n%s\n--- rendered\n%s", golden, want, got)
	}
}
