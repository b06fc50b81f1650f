package i18n

import (
	"encoding/json"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

func newCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// rawCatalog reads one embedded catalog as plain id → text, independently of
// go-i18n, so the tests below check the files themselves.
func rawCatalog(t *testing.T, lang string) map[string]string {
	t.Helper()
	paths, err := catalogFiles(files, lang)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, path := range paths {
		b, err := files.ReadFile(path)
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		part := map[string]string{}
		if err := json.Unmarshal(b, &part); err != nil {
			t.Fatalf("%s is not a flat object of strings: %v", path, err)
		}
		maps.Copy(m, part)
	}
	return m
}

func TestNew(t *testing.T) {
	c := newCatalog(t)
	en := rawCatalog(t, "en")
	want := make([]string, 0, len(en))
	for id := range en {
		want = append(want, id)
	}
	sort.Strings(want)
	if !slices.Equal(c.IDs(), want) {
		t.Errorf("IDs() = %v, want the ids of en.json %v", c.IDs(), want)
	}
	if Languages[0] != "en" {
		t.Errorf("Languages[0] = %q, want en (the last fallback)", Languages[0])
	}
}

func TestLoadFailsOnMissingID(t *testing.T) {
	langs := []string{"en", "nl"}
	complete := fstest.MapFS{
		"locales/en.json": {Data: []byte(`{"a": "Hello", "b": "Sign in to {{.Org}}"}`)},
		"locales/nl.json": {Data: []byte(`{"a": "Hallo", "b": "Aanmelden bij {{.Org}}"}`)},
	}
	c, err := load(complete, langs)
	if err != nil {
		t.Fatalf("complete in-memory catalog: %v", err)
	}
	if got := c.T("nl", "b", map[string]any{"Org": "Fabrikam"}); got != "Aanmelden bij Fabrikam" {
		t.Errorf("T(nl, b) = %q", got)
	}

	missing := fstest.MapFS{
		"locales/en.json": complete["locales/en.json"],
		"locales/nl.json": {Data: []byte(`{"a": "Hallo"}`)},
	}
	_, err = load(missing, langs)
	if err == nil {
		t.Fatal("load accepted a Dutch catalog without message b")
	}
	if !strings.Contains(err.Error(), "nl") || !strings.Contains(err.Error(), `"b"`) {
		t.Errorf("error %q should name the language and the missing id", err)
	}

	noFile := fstest.MapFS{"locales/en.json": complete["locales/en.json"]}
	if _, err := load(noFile, langs); err == nil {
		t.Error("load accepted a language with no catalog file")
	}
}

func TestEveryLanguageHasExactlyEnglishIDs(t *testing.T) {
	en := rawCatalog(t, "en")
	for _, lang := range Languages[1:] {
		m := rawCatalog(t, lang)
		for id := range en {
			if _, ok := m[id]; !ok {
				t.Errorf("%s: missing %q", lang, id)
			}
		}
		// New only checks one direction; a leftover id English no longer
		// has is dead text nobody will keep up to date.
		for id := range m {
			if _, ok := en[id]; !ok {
				t.Errorf("%s: %q is not in en.json", lang, id)
			}
		}
	}
}

var (
	placeholderRE = regexp.MustCompile(`\{\{-?\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*-?\}\}`)
	actionRE      = regexp.MustCompile(`\{\{.*?\}\}`)
)

// placeholders returns the set of {{.X}} names in s, and whether every
// template action in s is such a plain placeholder.
func placeholders(s string) (map[string]bool, bool) {
	set := map[string]bool{}
	for _, m := range placeholderRE.FindAllStringSubmatch(s, -1) {
		set[m[1]] = true
	}
	plain := len(placeholderRE.FindAllString(s, -1)) == len(actionRE.FindAllString(s, -1)) &&
		strings.Count(s, "{{") == strings.Count(s, "}}") &&
		strings.Count(s, "{{") == len(actionRE.FindAllString(s, -1))
	return set, plain
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestPlaceholdersMatchEnglish(t *testing.T) {
	en := rawCatalog(t, "en")
	for _, lang := range Languages {
		m := rawCatalog(t, lang)
		for id, src := range en {
			want, ok := placeholders(src)
			if !ok {
				t.Errorf("en %s: %q has a template action that is not a plain {{.X}}", id, src)
			}
			text, found := m[id]
			if !found {
				continue // reported by TestEveryLanguageHasExactlyEnglishIDs
			}
			got, ok := placeholders(text)
			if !ok {
				t.Errorf("%s %s: %q has a malformed placeholder", lang, id, text)
			}
			if !slices.Equal(sortedKeys(got), sortedKeys(want)) {
				t.Errorf("%s %s: placeholders %v, English has %v", lang, id, sortedKeys(got), sortedKeys(want))
			}
		}
	}
}

// sameAsEnglish lists the few translations that are rightly byte-identical
// to English, each with the reason.
var sameAsEnglish = map[string]map[string]string{
	"de": {
		// German uses the loanword "Code" for an entry code (Microsoft's own
		// German screens say "Code eingeben", "Code senden").
		"code.label": "Code",
		// "Name" and "Status" are the German words.
		"console.guests.name":  "Name",
		"console.account.name": "Name",
		"console.guest.status": "Status",
		// Names every language keeps: the source "OTP" (the Source
		// column's value in Entra ID in every language) and Google.
		"console.source.otp": "OTP", "console.source.google": "Google", "console.method.google": "Google",
		// "Logo" is the German word.
		"console.branding.logo": "Logo",
	},
	"nl": {
		// Dutch also uses "code" ("Code invoeren", "Code verzenden" in
		// Microsoft's Dutch screens); as a field label it is capitalized.
		"code.label": "Code",
		// "Status" is the word of Microsoft's Dutch screens.
		"console.guest.status": "Status",
		// Names every language keeps: the source "OTP" (the Source
		// column's value in Entra ID in every language) and Google.
		"console.source.otp": "OTP", "console.source.google": "Google", "console.method.google": "Google",
		// "Logo" is the Dutch word.
		"console.branding.logo": "Logo",
	},
	"sv": {
		// "Status" is the word of Microsoft's Swedish screens.
		"console.guest.status": "Status",
		// Names every language keeps: the source "OTP" (the Source
		// column's value in Entra ID in every language) and Google.
		"console.source.otp": "OTP", "console.source.google": "Google", "console.method.google": "Google",
	},
	"zh-TW": {
		// Names every language keeps: the source "OTP" (the Source
		// column's value in Entra ID in every language) and Google.
		"console.source.otp": "OTP", "console.source.google": "Google", "console.method.google": "Google",
	},
}

func TestTranslatedNotEnglish(t *testing.T) {
	en := rawCatalog(t, "en")
	for _, lang := range Languages[1:] {
		m := rawCatalog(t, lang)
		allowed := sameAsEnglish[lang]
		for id, text := range m {
			if text != en[id] {
				continue
			}
			if _, ok := allowed[id]; !ok {
				t.Errorf("%s %s is still English: %q", lang, id, text)
			}
		}
		// Keep the allowlist honest: an entry that is no longer identical
		// (or no longer exists) should be removed.
		for id, want := range allowed {
			if en[id] != want || m[id] != want {
				t.Errorf("allowlist %s %s: expected %q in both en and %s, got en %q, %s %q", lang, id, want, lang, en[id], lang, m[id])
			}
		}
	}
}

func TestTRendersPlaceholders(t *testing.T) {
	c := newCatalog(t)
	for _, lang := range Languages {
		got := c.T(lang, "page.title", map[string]any{"Org": "Fabrikam"})
		if !strings.Contains(got, "Fabrikam") || strings.Contains(got, "{{") {
			t.Errorf("T(%s, page.title) = %q, want Fabrikam in it", lang, got)
		}
	}
	if got, want := c.T("de", "code.body", map[string]any{"Email": "teri@example.com", "Org": "Fabrikam"}),
		"Wir haben einen Code an teri@example.com gesendet. Geben Sie ihn unten ein, um sich bei Fabrikam anzumelden."; got != want {
		t.Errorf("T(de, code.body) = %q, want %q", got, want)
	}

	// Every message in every language renders every value it is given for
	// its placeholders, and nothing is left unrendered.
	en := rawCatalog(t, "en")
	for _, id := range c.IDs() {
		names, _ := placeholders(en[id])
		data := map[string]any{}
		for name := range names {
			data[name] = "«" + name + "»"
		}
		for _, lang := range Languages {
			got := c.T(lang, id, data)
			if got == id || got == "" {
				t.Errorf("T(%s, %s) found no message: %q", lang, id, got)
				continue
			}
			for name := range names {
				if !strings.Contains(got, "«"+name+"»") {
					t.Errorf("T(%s, %s) = %q lacks the value of %s", lang, id, got, name)
				}
			}
			if strings.Contains(got, "{{") || strings.Contains(got, "<no value>") {
				t.Errorf("T(%s, %s) = %q left a placeholder unrendered", lang, id, got)
			}
		}
	}
}

func TestTFallbacks(t *testing.T) {
	c := newCatalog(t)
	data := map[string]any{"Org": "Fabrikam"}
	if got, want := c.T("fr", "page.title", data), c.T("en", "page.title", data); got != want {
		t.Errorf("T(fr) = %q, want English %q", got, want)
	}
	if got := c.T("nl", "no.such.id", nil); got != "no.such.id" {
		t.Errorf("T(unknown id) = %q, want the id", got)
	}
}

func TestSupported(t *testing.T) {
	c := newCatalog(t)
	for in, want := range map[string]string{
		"en": "en", "NL": "nl", "sv": "sv", "De": "de", "zh-tw": "zh-TW",
		"zh": "", "nl-BE": "", "fr": "", "": "",
	} {
		if got := c.Supported(in); got != want {
			t.Errorf("Supported(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMatch(t *testing.T) {
	c := newCatalog(t)
	for _, tc := range []struct {
		prefs []string
		want  string
	}{
		{[]string{"nl"}, "nl"},
		{[]string{"nl-BE"}, "nl"},
		{[]string{"de-CH,de;q=0.9"}, "de"},
		{[]string{"de-DE"}, "de"},
		{[]string{"sv-SE"}, "sv"},
		{[]string{"zh-TW"}, "zh-TW"},
		{[]string{"zh-Hant"}, "zh-TW"},
		{[]string{"zh-HK"}, "zh-TW"},
		{[]string{"fr"}, ""},
		{[]string{"fr, nl;q=0.5"}, "nl"},
		{[]string{"%%%"}, ""},
		{[]string{"en-US,en;q=0.9"}, "en"},
		{[]string{"en-GB"}, "en"},
		{nil, ""},
		{[]string{""}, ""},
		// Each preference is tried in turn: an unusable one falls through
		// to the next.
		{[]string{"%%%", "sv"}, "sv"},
		{[]string{"fr", "de"}, "de"},
		{[]string{"", "zh-TW"}, "zh-TW"},
	} {
		if got := c.Match(tc.prefs...); got != tc.want {
			t.Errorf("Match(%q) = %q, want %q", tc.prefs, got, tc.want)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	c := newCatalog(t)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			lang := Languages[i%len(Languages)]
			for j := 0; j < 50; j++ {
				if got := c.T(lang, "page.title", map[string]any{"Org": "Fabrikam"}); !strings.Contains(got, "Fabrikam") {
					t.Errorf("T(%s) = %q", lang, got)
					return
				}
				if got := c.Match(lang); got != lang {
					t.Errorf("Match(%s) = %q", lang, got)
					return
				}
			}
		}(i)
	}
	wg.Wait()
}

// TestTPairs: placeholders given as pairs fill the message; a dangling
// name is ignored rather than misread.
func TestTPairs(t *testing.T) {
	c := newCatalog(t)
	if got, want := c.TPairs("en", "page.title", "Org", "Fabrikam"), "Sign in to Fabrikam"; got != want {
		t.Errorf("TPairs = %q, want %q", got, want)
	}
	if got := c.TPairs("en", "page.title", "Org", "Fabrikam", "Dangling"); got != "Sign in to Fabrikam" {
		t.Errorf("TPairs with an odd argument = %q", got)
	}
}
