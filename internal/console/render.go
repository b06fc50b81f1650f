package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"guestlist/internal/i18n"
	"guestlist/internal/roles"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Static serves the console's stylesheet.
func Static() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	return http.StripPrefix("/static/", http.FileServerFS(sub))
}

// Loc translates for one page in one language.
type Loc struct {
	Lang string
	cat  *i18n.Catalog
}

// T translates id with placeholder pairs ("Org", "Fabrikam", …).
func (l Loc) T(id string, kv ...any) string { return l.cat.TPairs(l.Lang, id, kv...) }

// Date shows a time as a date and time in UTC, "—" for none.
func (l Loc) Date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04") + " UTC"
}

// navItem is one section of the console's navigation.
type navItem struct {
	Path    string
	Label   string // message id
	Current bool
}

// language is one choice of the language menu.
type language struct {
	Tag, Name string
	Current   bool
}

// languageNames are the languages as their speakers write them.
var languageNames = map[string]string{"en": "English", "nl": "Nederlands", "sv": "Svenska", "de": "Deutsch", "zh-TW": "繁體中文"}

// base is what every console page has.
type base struct {
	L      Loc
	Org    string // the tenant's display name
	Prefix string // "/{tenant}/admin"
	// User is the signed-in member's name, "" on the sign-in pages.
	User      string
	CSRF      string
	Nav       []navItem
	Languages []language
	Return    string // this page, for the language menu to come back to
}

// sections are the console's sections, in the navigation's order, with
// the action that opens each.
var sections = []struct {
	path, label string
	action      roles.Action
}{
	{"/guests", "console.nav.guests", roles.ReadGuests},
	{"/invite", "console.nav.invite", roles.Invite},
	{"/policies", "console.nav.policies", roles.ManagePolicies},
	{"/apps", "console.nav.apps", roles.ManageApps},
	{"/security", "console.nav.security", roles.ManagePolicies},
	{"/idps", "console.nav.idps", roles.ManagePolicies},
	{"/logs/audit", "console.nav.audit", roles.ReadAudit},
	{"/logs/signins", "console.nav.signins", roles.ReadAudit},
	{"/branding", "console.nav.branding", roles.ManagePolicies},
}

// base is the frame of a page of section current ("" none).
func (c *Console) base(v *visit, current string) base {
	b := base{L: v.loc}
	if v.tenant == nil {
		return b
	}
	b.Org, b.Prefix = v.tenant.DisplayName, v.path("")
	for _, tag := range i18n.Languages {
		b.Languages = append(b.Languages, language{Tag: tag, Name: languageNames[tag], Current: tag == v.loc.Lang})
	}
	if v.user == nil {
		return b
	}
	b.CSRF = v.csrf
	if v.pending {
		return b
	}
	b.User = v.user.DisplayName
	if b.User == "" {
		b.User = v.user.UserPrincipalName
	}
	for _, s := range sections {
		if v.can(s.action) {
			b.Nav = append(b.Nav, navItem{Path: v.path(s.path), Label: s.label, Current: s.path == current})
		}
	}
	return b
}

type messagePage struct {
	base
	Body string // message id
}

// renderer holds the parsed templates.
type renderer struct {
	t   *template.Template
	log *slog.Logger
}

func newRenderer(log *slog.Logger) (*renderer, error) {
	t, err := template.New("").Funcs(template.FuncMap{"add": func(a, b int) int { return a + b }}).
		ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("console: parse templates: %w", err)
	}
	return &renderer{t: t, log: log}, nil
}

// csp: nothing from elsewhere, no scripts, no framing, forms only here.
const csp = "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

func (r *renderer) render(w http.ResponseWriter, status int, name string, data any) {
	var b bytes.Buffer
	if err := r.t.ExecuteTemplate(&b, name, data); err != nil {
		r.log.Error("console: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}
