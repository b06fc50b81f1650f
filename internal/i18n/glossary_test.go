package i18n

import (
	"strings"
	"testing"
)

// TestGlossary fails when a catalog message names a concept with a variant
// the glossary forbids, so the passcode keeps one name per language.
func TestGlossary(t *testing.T) {
	for lang, concepts := range Glossary {
		msgs := rawCatalog(t, lang)
		for concept, term := range concepts {
			used := false
			for id, text := range msgs {
				for _, bad := range term.Forbidden {
					if strings.Contains(text, bad) {
						t.Errorf("%s %s: says %q for %s; the glossary term is %q", lang, id, bad, concept, term.Required)
					}
				}
				used = used || strings.Contains(text, term.Required)
			}
			if !used {
				t.Errorf("%s: no message uses %q for %s", lang, term.Required, concept)
			}
		}
	}
}

// TestGlossaryCoversPasscode keeps the check honest: the passcode concept is
// held for German and Traditional Chinese, the two languages that mixed terms.
func TestGlossaryCoversPasscode(t *testing.T) {
	for _, lang := range []string{"de", "zh-TW"} {
		if len(Glossary[lang]["passcode"].Forbidden) == 0 {
			t.Errorf("%s: no forbidden variants for the passcode", lang)
		}
	}
}
