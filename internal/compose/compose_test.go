package compose_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"guestlist/internal/compose"
	"guestlist/internal/i18n"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.txt from the English mails")

const redeemURL = "https://guestlist.example/6f1c2d3e-0000-4000-8000-000000000001/redeem?t=QWERTYUIOPASDFGH"

// customMessage is an inviter's message with markup, quotes and a line
// break: HTML must show it as text, plain text must carry it unchanged.
const customMessage = "Welcome to <b>Project X</b> & \"friends\".\nSee you on Monday."

func newComposer(t *testing.T) (*compose.Composer, *i18n.Catalog) {
	t.Helper()
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	c, err := compose.New(cat)
	if err != nil {
		t.Fatal(err)
	}
	return c, cat
}

func invitation(lang string) compose.Invitation {
	return compose.Invitation{Lang: lang, Org: "Fabrikam", Name: "Alice Adams",
		CustomMessage: customMessage, RedeemURL: redeemURL}
}

func passcode(lang string) compose.Passcode {
	return compose.Passcode{Lang: lang, Org: "Fabrikam", Code: "04718265", Validity: 25 * time.Minute,
		RequestedAt: time.Date(2026, 3, 2, 9, 41, 7, 0, time.FixedZone("CET", 3600)), IP: "2001:db8::7"}
}

// wantRendered checks what every mail in every language must hold: no
// message id, template action or unfilled placeholder left over, and the
// HTML part in the mail's language.
func wantRendered(t *testing.T, cat *i18n.Catalog, lang string, m compose.Mail) {
	t.Helper()
	for part, s := range map[string]string{"subject": m.Subject, "text": m.Text, "html": m.HTML} {
		if strings.TrimSpace(s) == "" {
			t.Errorf("%s: empty %s", lang, part)
		}
		for _, id := range cat.IDs() {
			if strings.Contains(s, id) {
				t.Errorf("%s: message id %q shows untranslated in the %s:\n%s", lang, id, part, s)
			}
		}
		for _, leak := range []string{"{{", "}}", "no value>", "ZgotmplZ", "%!"} {
			if strings.Contains(s, leak) {
				t.Errorf("%s: the %s contains %q:\n%s", lang, part, leak, s)
			}
		}
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		t.Errorf("%s: subject %q has a line break", lang, m.Subject)
	}
	if !strings.Contains(m.HTML, `<html lang="`+lang+`">`) {
		t.Errorf("%s: the HTML part does not say lang=%q:\n%s", lang, lang, m.HTML)
	}
}

func wantContains(t *testing.T, lang, part, s string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("%s: the %s lacks %q:\n%s", lang, part, w, s)
		}
	}
}

// TestInvitationInEveryLanguage: the invitation names the organization,
// greets the guest, carries the inviter's message and the redeem link
// (SPEC R3), in every language (R53).
func TestInvitationInEveryLanguage(t *testing.T) {
	c, cat := newComposer(t)
	english := ""
	for _, lang := range i18n.Languages {
		m, err := c.Invitation(invitation(lang))
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		wantRendered(t, cat, lang, m)
		wantContains(t, lang, "subject", m.Subject, "Fabrikam")
		wantContains(t, lang, "text", m.Text, "Fabrikam", "Alice Adams", redeemURL, customMessage)
		wantContains(t, lang, "html", m.HTML, "Fabrikam", "Alice Adams", `href="`+redeemURL+`"`,
			"Welcome to &lt;b&gt;Project X&lt;/b&gt; &amp; &#34;friends&#34;.\nSee you on Monday.")
		if strings.Contains(m.HTML, "<b>Project X") {
			t.Errorf("%s: the inviter's message reached the HTML as markup:\n%s", lang, m.HTML)
		}
		if lang == "en" {
			english = m.Subject
		} else if m.Subject == english {
			t.Errorf("%s: the subject is the English one: %q", lang, m.Subject)
		}
	}
}

func TestInvitationWithoutMessage(t *testing.T) {
	c, cat := newComposer(t)
	d := invitation("en")
	d.CustomMessage = ""
	m, err := c.Invitation(d)
	if err != nil {
		t.Fatal(err)
	}
	wantRendered(t, cat, "en", m)
	for part, s := range map[string]string{"text": m.Text, "html": m.HTML} {
		if strings.Contains(s, "Message from") {
			t.Errorf("the %s introduces an inviter's message there is none of:\n%s", part, s)
		}
	}
	wantContains(t, "en", "text", m.Text, redeemURL)
}

// TestPasscodeInEveryLanguage: the passcode mail names the organization,
// the code, how long it is valid, and when and from where it was asked for
// (SPEC R22), in every language (R53).
func TestPasscodeInEveryLanguage(t *testing.T) {
	c, cat := newComposer(t)
	english := ""
	for _, lang := range i18n.Languages {
		m, err := c.Passcode(passcode(lang))
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		wantRendered(t, cat, lang, m)
		// The request time is shown in UTC whatever zone the clock gave.
		want := []string{"Fabrikam", "04718265", "25", "2026-03-02 08:41 UTC", "2001:db8::7"}
		wantContains(t, lang, "text", m.Text, want...)
		wantContains(t, lang, "html", m.HTML, want...)
		wantContains(t, lang, "subject", m.Subject, "Fabrikam")
		if strings.Contains(m.Subject, "04718265") {
			t.Errorf("%s: the code is in the subject %q, which the tenant did not ask for", lang, m.Subject)
		}
		if !regexp.MustCompile(`(?m)^\s*04718265\s*$`).MatchString(m.Text) {
			t.Errorf("%s: the code is not on a line of its own in the text:\n%s", lang, m.Text)
		}
		if lang == "en" {
			english = m.Subject
		} else if m.Subject == english {
			t.Errorf("%s: the subject is the English one: %q", lang, m.Subject)
		}
	}
}

func note(lang string, kind compose.NoteKind) compose.Note {
	return compose.Note{Lang: lang, Org: "Fabrikam", Kind: kind,
		RequestedAt: time.Date(2026, 3, 2, 9, 41, 7, 0, time.FixedZone("CET", 3600)), IP: "2001:db8::7"}
}

// TestNotesInEveryLanguage: the note mailed in place of a code says which
// organization, why no code came, whom to ask, and when and from where
// it was asked for (SPEC R7, R26), in every language (R53), with no code.
func TestNotesInEveryLanguage(t *testing.T) {
	c, cat := newComposer(t)
	for _, kind := range []compose.NoteKind{compose.NoteNotInvited, compose.NoteOTPOff, compose.NoteBlocked} {
		english := ""
		for _, lang := range i18n.Languages {
			m, err := c.Note(note(lang, kind))
			if err != nil {
				t.Fatalf("%s: %v", lang, err)
			}
			wantRendered(t, cat, lang, m)
			want := []string{"Fabrikam", "2026-03-02 08:41 UTC", "2001:db8::7"}
			wantContains(t, lang, "text", m.Text, want...)
			wantContains(t, lang, "html", m.HTML, want...)
			if regexp.MustCompile(`\d{6,}`).MatchString(m.Text) {
				t.Errorf("%s: the note holds a number that looks like a code:\n%s", lang, m.Text)
			}
			if lang == "en" {
				english = m.Text
			} else if m.Text == english {
				t.Errorf("%s: the note is the English one", lang)
			}
		}
	}
}

// TestPasscodeCodeInSubject: a tenant can have the code in the subject
// line, so it shows in a notification (SPEC R53).
func TestPasscodeCodeInSubject(t *testing.T) {
	c, cat := newComposer(t)
	for _, lang := range i18n.Languages {
		d := passcode(lang)
		d.CodeInSubject = true
		m, err := c.Passcode(d)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		wantRendered(t, cat, lang, m)
		wantContains(t, lang, "subject", m.Subject, "04718265", "Fabrikam")
		wantContains(t, lang, "text", m.Text, "04718265")
	}
}

// TestMailsEscapeData: an organization's name with markup stays text in
// the HTML part.
func TestMailsEscapeData(t *testing.T) {
	c, _ := newComposer(t)
	const org = `<script>alert(1)</script>`
	for _, lang := range i18n.Languages {
		inv := invitation(lang)
		inv.Org, inv.Name = org, `Eve "><img src=x>`
		code := passcode(lang)
		code.Org = org
		mi, err := c.Invitation(inv)
		if err != nil {
			t.Fatal(err)
		}
		mp, err := c.Passcode(code)
		if err != nil {
			t.Fatal(err)
		}
		for kind, m := range map[string]compose.Mail{"invitation": mi, "passcode": mp} {
			if strings.Contains(m.HTML, "<script") || strings.Contains(m.HTML, "<img") {
				t.Errorf("%s %s: markup reached the HTML part:\n%s", lang, kind, m.HTML)
			}
			wantContains(t, lang, kind+" html", m.HTML, "&lt;script&gt;alert(1)&lt;/script&gt;")
			wantContains(t, lang, kind+" text", m.Text, org)
		}
	}
}

// TestMailsGolden pins the English subject and text byte for byte.
func TestMailsGolden(t *testing.T) {
	c, _ := newComposer(t)
	inv, err := c.Invitation(invitation("en"))
	if err != nil {
		t.Fatal(err)
	}
	code, err := c.Passcode(passcode("en"))
	if err != nil {
		t.Fatal(err)
	}
	mails := map[string]compose.Mail{"invitation": inv, "passcode": code}
	for name, kind := range map[string]compose.NoteKind{"note-notinvited": compose.NoteNotInvited, "note-otpoff": compose.NoteOTPOff, "note-blocked": compose.NoteBlocked} {
		if mails[name], err = c.Note(note("en", kind)); err != nil {
			t.Fatal(err)
		}
	}
	for name, m := range mails {
		t.Run(name, func(t *testing.T) {
			got := []byte(fmt.Sprintf("Subject: %s\n\n%s", m.Subject, m.Text))
			golden := filepath.Join("testdata", name+".golden.txt")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v\nrun: go test ./internal/compose -run TestMailsGolden -update", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the rendered mail:\n--- golden\n%s\n--- rendered\n%s\nif the change is intended, run: go test ./internal/compose -run TestMailsGolden -update",
					golden, want, got)
			}
		})
	}
}

// TestInvitationWithoutNameGreetsNeutrally: without a given name the
// invitation greets without one in every language, never with an empty name
// ("Hello ,").
func TestInvitationWithoutNameGreetsNeutrally(t *testing.T) {
	c, cat := newComposer(t)
	want := map[string]string{"en": "Hello,", "de": "Hallo,", "nl": "Hallo,", "sv": "Hej!", "zh-TW": "您好："}
	for _, lang := range i18n.Languages {
		d := invitation(lang)
		d.Name = ""
		m, err := c.Invitation(d)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		wantRendered(t, cat, lang, m)
		if first, _, _ := strings.Cut(m.Text, "\n"); first != want[lang] {
			t.Errorf("%s: the text opens %q, want %q", lang, first, want[lang])
		}
		wantContains(t, lang, "html", m.HTML, "<p>"+want[lang]+"</p>")
	}
}
