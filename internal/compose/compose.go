package compose

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"strings"
	"time"

	"guestlist/internal/i18n"
)

//go:embed templates/*.html
var templateFS embed.FS

// Composer renders mails. Build one at start with New.
type Composer struct {
	cat  *i18n.Catalog
	tmpl *template.Template
}

// New parses the mail templates once (fail fast).
func New(cat *i18n.Catalog) (*Composer, error) {
	t, err := template.New("mail").Funcs(template.FuncMap{
		"t": func(lang, id string, kv ...any) string { return cat.T(lang, id, pairs(kv)) },
	}).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("compose: parse templates: %w", err)
	}
	return &Composer{cat: cat, tmpl: t}, nil
}

func pairs(kv []any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}

// Mail is a rendered message.
type Mail struct {
	Subject string
	Text    string
	HTML    string
}

// Invitation is what an invitation mail says (SPEC R3).
type Invitation struct {
	Lang          string
	Org           string
	Name          string // the guest's display name as given; "" greets neutrally
	CustomMessage string // the inviter's message, may be empty
	RedeemURL     string
	Brand         Brand
}

// Invitation renders an invitation mail.
func (c *Composer) Invitation(d Invitation) (Mail, error) {
	org := map[string]any{"Org": d.Org}
	var text strings.Builder
	line := func(s string) { text.WriteString(s + "\n") }
	line(c.greeting(d.Lang, d.Name))
	line("")
	line(c.cat.T(d.Lang, "mail.invite.body", org))
	if d.CustomMessage != "" {
		line("")
		line(c.cat.T(d.Lang, "mail.invite.message", org))
		line(d.CustomMessage)
	}
	line("")
	line(c.cat.T(d.Lang, "mail.invite.link", org))
	line(d.RedeemURL)
	line("")
	line(c.cat.T(d.Lang, "mail.invite.trust", org))
	line("")
	line(c.cat.T(d.Lang, "mail.footer", org))
	if p := c.privacyLine(d.Lang, d.Org, d.Brand); p != "" {
		line(p)
	}
	html, err := c.render("invitation.html", d)
	if err != nil {
		return Mail{}, err
	}
	return Mail{Subject: c.cat.T(d.Lang, "mail.invite.subject", org), Text: text.String(), HTML: html}, nil
}

// greeting greets the guest by name, or neutrally ("Hello,") when no name
// was given.
func (c *Composer) greeting(lang, name string) string {
	if name == "" {
		return c.cat.T(lang, "mail.invite.greeting.neutral", nil)
	}
	return c.cat.T(lang, "mail.invite.greeting", map[string]any{"Name": name})
}

// Passcode is what a passcode mail says (SPEC R22).
type Passcode struct {
	Lang          string
	Org           string
	Code          string
	Validity      time.Duration
	RequestedAt   time.Time
	IP            string
	CodeInSubject bool
	Brand         Brand
}

// Minutes is the validity in whole minutes, for the templates.
func (d Passcode) Minutes() int { return int(d.Validity / time.Minute) }

// When is the request time as the mail shows it.
func (d Passcode) When() string { return d.RequestedAt.UTC().Format("2006-01-02 15:04 UTC") }

// Passcode renders a passcode mail.
func (c *Composer) Passcode(d Passcode) (Mail, error) {
	org := map[string]any{"Org": d.Org}
	var text strings.Builder
	line := func(s string) { text.WriteString(s + "\n") }
	line(c.cat.T(d.Lang, "mail.code.intro", org))
	line("")
	line("    " + d.Code)
	line("")
	line(c.cat.T(d.Lang, "mail.code.validity", map[string]any{"Minutes": d.Minutes()}))
	line(c.cat.T(d.Lang, "mail.code.requested", map[string]any{"Time": d.When(), "IP": d.IP}))
	line("")
	line(c.cat.T(d.Lang, "mail.code.ignore", org))
	line("")
	line(c.cat.T(d.Lang, "mail.footer", org))
	if p := c.privacyLine(d.Lang, d.Org, d.Brand); p != "" {
		line(p)
	}
	subject := c.cat.T(d.Lang, "mail.code.subject", org)
	if d.CodeInSubject {
		subject = c.cat.T(d.Lang, "mail.code.subjectwithcode", map[string]any{"Org": d.Org, "Code": d.Code})
	}
	html, err := c.render("passcode.html", d)
	if err != nil {
		return Mail{}, err
	}
	return Mail{Subject: subject, Text: text.String(), HTML: html}, nil
}

// NoteKind says which note a Send code press mails instead of a code.
type NoteKind int

const (
	NoteNotInvited    NoteKind = iota + 1 // the organization has not invited the address (R7)
	NoteOTPOff                            // the guest may not sign in with a code (R26)
	NoteBlocked                           // the administrator blocked the guest's sign-in (R43)
	NoteOtherMethod                       // the guest signs in with a password, not a code (R10, R11)
	NoteSignup                            // the guest is to create a personal account (R10 step 6)
	NoteAccountExists                     // a sign-up for an address that has a personal account
	NoteNoAccount                         // a password reset for an address with no account
)

// noteIDs are the message ids of each note's body and whom to ask.
func noteIDs(k NoteKind) (body, ask string) {
	switch k {
	case NoteOTPOff:
		return "mail.otpoff.body", "mail.otpoff.ask"
	case NoteBlocked:
		return "mail.blocked.body", "mail.blocked.ask"
	case NoteOtherMethod:
		return "mail.othermethod.body", "mail.othermethod.ask"
	case NoteSignup:
		return "mail.signup.body", "mail.signup.ask"
	case NoteAccountExists:
		return "mail.accountexists.body", "mail.accountexists.ask"
	case NoteNoAccount:
		return "mail.noaccount.body", "mail.noaccount.ask"
	}
	return "mail.notinvited.body", "mail.notinvited.ask"
}

// Note is what a note in place of a code says: only the owner of the
// address learns why no code came (R25).
type Note struct {
	Lang        string
	Org         string
	Kind        NoteKind
	RequestedAt time.Time
	IP          string
}

// When is the request time as the mail shows it.
func (d Note) When() string { return d.RequestedAt.UTC().Format("2006-01-02 15:04 UTC") }

// Body is the message id of what the note says.
func (d Note) Body() string { b, _ := noteIDs(d.Kind); return b }

// Ask is the message id of whom to ask, or what to do.
func (d Note) Ask() string { _, a := noteIDs(d.Kind); return a }

// Note renders a note.
func (c *Composer) Note(d Note) (Mail, error) {
	org := map[string]any{"Org": d.Org}
	var text strings.Builder
	line := func(s string) { text.WriteString(s + "\n") }
	line(c.cat.T(d.Lang, d.Body(), org))
	line("")
	line(c.cat.T(d.Lang, d.Ask(), org))
	line("")
	line(c.cat.T(d.Lang, "mail.code.requested", map[string]any{"Time": d.When(), "IP": d.IP}))
	line(c.cat.T(d.Lang, "mail.note.ignore", org))
	line("")
	line(c.cat.T(d.Lang, "mail.footer", org))
	html, err := c.render("note.html", d)
	if err != nil {
		return Mail{}, err
	}
	return Mail{Subject: c.cat.T(d.Lang, "mail.note.subject", org), Text: text.String(), HTML: html}, nil
}

func (c *Composer) render(name string, data any) (string, error) {
	var b bytes.Buffer
	if err := c.tmpl.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("compose: render %s: %w", name, err)
	}
	return b.String(), nil
}
