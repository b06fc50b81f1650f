package mail

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// devMailboxLimit is how many of the newest messages the list shows.
const devMailboxLimit = 200

//go:embed templates/*.html
var templateFS embed.FS

type devTemplates struct {
	list    *template.Template
	message *template.Template
}

func mustParseTemplates() devTemplates {
	funcs := template.FuncMap{
		"time": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.UTC().Format("2006-01-02 15:04:05Z")
		},
		"join":    strings.Join,
		"link":    func(id string) string { return "/dev/mail/" + url.PathEscape(id) },
		"linkify": linkify,
		"framed":  framedHTML,
	}
	parse := func(page string) *template.Template {
		return template.Must(template.New("layout.html").Funcs(funcs).
			ParseFS(templateFS, "templates/layout.html", "templates/"+page))
	}
	return devTemplates{list: parse("list.html"), message: parse("message.html")}
}

type devMailbox struct {
	st   store.Store
	log  *slog.Logger
	tmpl devTemplates
}

// devMessageJSON is a message in the JSON form, for scripts and curl.
type devMessageJSON struct {
	ID        string    `json:"id"`
	TenantID  string    `json:"tenantId"`
	Kind      string    `json:"kind"`
	To        []string  `json:"to"`
	CC        []string  `json:"cc,omitempty"`
	Subject   string    `json:"subject"`
	Text      string    `json:"text"`
	HTML      string    `json:"html,omitempty"`
	Status    string    `json:"status"`
	Attempts  int       `json:"attempts"`
	LastError string    `json:"lastError,omitempty"`
	MessageID string    `json:"messageId"`
	CreatedAt time.Time `json:"createdAt"`
	SentAt    time.Time `json:"sentAt,omitzero"`
}

func toJSON(m *core.OutboxMessage) devMessageJSON {
	return devMessageJSON{
		ID: m.ID, TenantID: m.TenantID, Kind: m.Kind, To: m.To, CC: m.CC,
		Subject: m.Subject, Text: m.TextBody, HTML: m.HTMLBody,
		Status: m.Status, Attempts: m.Attempts, LastError: m.LastError,
		MessageID: m.MessageID, CreatedAt: m.CreatedAt, SentAt: m.SentAt,
	}
}

func (d *devMailbox) list(w http.ResponseWriter, r *http.Request) {
	msgs, err := d.st.ListMail(r.Context(), devMailboxLimit)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if r.URL.Query().Get("format") == "json" {
		out := make([]devMessageJSON, len(msgs))
		for i := range msgs {
			out[i] = toJSON(&msgs[i])
		}
		d.writeJSON(w, out)
		return
	}
	d.renderList(w, msgs)
}

func (d *devMailbox) show(w http.ResponseWriter, r *http.Request) {
	m, err := d.st.GetMail(r.Context(), r.PathValue("id"))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if r.URL.Query().Get("format") == "json" {
		d.writeJSON(w, toJSON(m))
		return
	}
	d.renderMessage(w, m)
}

func (d *devMailbox) renderList(w http.ResponseWriter, msgs []core.OutboxMessage) {
	d.render(w, d.tmpl.list, struct {
		Title    string
		Messages []core.OutboxMessage
		Limit    int
	}{"Dev mailbox", msgs, devMailboxLimit})
}

func (d *devMailbox) renderMessage(w http.ResponseWriter, m *core.OutboxMessage) {
	d.render(w, d.tmpl.message, struct {
		Title   string
		Message *core.OutboxMessage
	}{m.Subject, m})
}

// render executes into a buffer first, so a template error becomes a 500
// rather than half a page.
func (d *devMailbox) render(w http.ResponseWriter, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		d.log.Error("dev mailbox: render", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	// The HTML body is shown in a sandboxed srcdoc frame without scripts;
	// the policy, which the frame inherits, keeps it from loading anything
	// either. No base-uri: the frame's <base target> opens its links in a
	// tab of their own (see framedHTML).
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'")
	_, _ = w.Write(buf.Bytes())
}

func (d *devMailbox) writeJSON(w http.ResponseWriter, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		d.log.Error("dev mailbox: json", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(append(b, '\n'))
}

func (d *devMailbox) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, core.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	d.log.Error("dev mailbox: store", "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// headRE finds the start of a mail's <head>.
var headRE = regexp.MustCompile(`(?i)<head(\s[^>]*)?>`)

// framedHTML is a mail's HTML body as the dev mailbox frames it: its links
// open in a tab of their own, as they would from a mail reader. Followed
// inside the frame they would show nothing, since the guest pages they lead
// to refuse to be framed (frame-ancestors 'none'); the frame's sandbox lets
// these tabs escape it, and still runs no script.
func framedHTML(body string) string {
	const base = `<base target="_blank">`
	if loc := headRE.FindStringIndex(body); loc != nil {
		return body[:loc[1]] + base + body[loc[1]:]
	}
	return base + body
}

// textPart is a run of a mail's text: plain, or a link (URL set).
type textPart struct {
	Text, URL string
}

// urlRE finds the web addresses in a mail's text.
var urlRE = regexp.MustCompile(`https?://[^\s<>"]+`)

// linkify splits a mail's text into plain runs and links, so its
// addresses can be followed as a mail reader would let them. Punctuation
// that ends a sentence is not part of the link.
func linkify(text string) []textPart {
	var parts []textPart
	rest := text
	for {
		loc := urlRE.FindStringIndex(rest)
		if loc == nil {
			break
		}
		u := strings.TrimRight(rest[loc[0]:loc[1]], ".,;:!?)'")
		if loc[0] > 0 {
			parts = append(parts, textPart{Text: rest[:loc[0]]})
		}
		parts = append(parts, textPart{Text: u, URL: u})
		rest = rest[loc[0]+len(u):]
	}
	if rest != "" {
		parts = append(parts, textPart{Text: rest})
	}
	return parts
}
