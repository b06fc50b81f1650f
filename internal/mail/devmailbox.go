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
		"join": strings.Join,
		"link": func(id string) string { return "/dev/mail/" + url.PathEscape(id) },
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
	// the policy keeps it from loading anything either.
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
