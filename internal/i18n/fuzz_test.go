package i18n_test

import (
	"slices"
	"strings"
	"testing"

	"guestlist/internal/i18n"
)

// FuzzMatch: whatever a browser sends as Accept-Language (or a link as
// ui_locales), Match picks a supported language or none and never panics;
// when it picks none, the caller's next preference is used.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{
		"", "en", "de-DE,de;q=0.9,en;q=0.8", "zh-TW", "zh-Hant-TW", "zh-CN", "zh", "nl-BE", "sv-FI",
		"fr-FR,fr;q=0.9", "*", "en;q=0", "de;q=1.5", "de;q=-1", "de;q=abc", ";;;", ",,,", "de,", "de;",
		"x-klingon", "i-klingon", "en-US-u-ca-gregory", "en-u-nu-arab", "de-1996", "und", "root",
		"sv;q=0.1,nl;q=0.2", strings.Repeat("de-", 200) + "de", strings.Repeat("en,", 500),
		"de\r\nX: y", "\xff\xfe", "ZH-tw", "En-gB", "tlh", "sgn-BE-FR", "es-419", "pt-BR;q=0.9",
	} {
		f.Add(s)
	}
	cat, err := i18n.New()
	if err != nil {
		f.Fatal(err)
	}
	for _, l := range i18n.Languages {
		if got := cat.Match(l); got != l {
			f.Fatalf("Match(%q) = %q", l, got)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := cat.Match(s)
		if got != "" && !slices.Contains(i18n.Languages, got) {
			t.Fatalf("Match(%q) = %q, not one of %v", s, got, i18n.Languages)
		}
		if again := cat.Match(s); again != got {
			t.Fatalf("Match(%q) = %q, then %q", s, got, again)
		}
		// The fallbacks are tried in order: an unmatched first preference
		// defers to the second.
		if got == "" {
			if m := cat.Match(s, "de"); m != "de" {
				t.Fatalf("Match(%q, de) = %q, want de", s, m)
			}
		} else if m := cat.Match(s, "de"); m != got {
			t.Fatalf("Match(%q, de) = %q, want %q", s, m, got)
		}
	})
}
