package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"

	"guestlist/internal/i18n"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Static serves /static/ (the stylesheet).
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

// base is what every page has.
type base struct {
	L   Loc
	Org string // the organization's display name, may be empty
	// Refresh, when set, is where the page sends the browser at once
	// (a meta refresh: a navigation of its own, which the form-action
	// policy of the form that led here does not restrict).
	Refresh string
	// formTarget is the origin this page's forms may end at, beside
	// this one ("" = only this one).
	formTarget string
	// look is the tenant's branding.
	look
}

func (b base) target() string { return b.formTarget }

type startPage struct {
	base
	Email  string
	Action string
	// Mode is the page's mode (modeSignin …): what the code is for.
	Mode string
	// Password, if set, is the page to sign in with a password instead.
	Password string
	Notice   string // message id of a notice, or ""
	Error    string // message id of an error, or ""
	Wait     int    // seconds, for code.wait
	// WaitMinutes is Wait in whole minutes, for the hourly limits.
	WaitMinutes int
}

type codePage struct {
	base
	Email  string
	Action string
	// Mode is the page's mode: beside a sign-in's code, a new account's
	// or a reset's asks for the new password; Min and Max are the
	// password's bounds for its errors.
	Mode     string
	Min, Max int
	Resend   string
	Minutes  int
	Digits   int
	Notice   string
	Error    string
	Wait     int
	// WaitMinutes is Wait in whole minutes, for the hourly limits.
	WaitMinutes int
}

// passwordPage asks for the password of the account that proves who the
// person of the flow is (R10 steps 1 and 4, a member's own).
type passwordPage struct {
	base
	Heading string // message id
	Home    string // the home tenant's name, for password.heading.home
	Email   string
	Action  string
	Reset   string // the reset page of the account's tenant
	Code    string // the passcode instead, or ""
	Error   string
	Minutes int
}

// newPasswordPage asks for a new password (forceChangePasswordNextSignIn).
type newPasswordPage struct {
	base
	Email    string
	Action   string
	Error    string
	Min, Max int
}

type consentPage struct {
	base
	Name      string
	NameGiven bool // false: Name is only the start of the address (Entra's default)
	Email     string
	Action    string
}

type messagePage struct {
	base
	Heading string // message id
	Body    string // message id
	Link    string // optional continue link (already validated)
	// Provider and Expected fill a federated sign-in's message: the
	// guest's identity provider, the invited address.
	Provider, Expected string
}

type signinPage struct {
	base
	// Heading and Body are message ids; "" is the sign-in's own.
	Heading, Body string
	Action        string
	Email         string
	Request       string // authorization request id, or ""
	App           string // application client id, or ""
	Error         string
}

// signoutPage asks a signed-in guest to confirm a logout an application
// asked for without a valid id_token_hint; the hidden fields carry the
// application's request to the POST.
type signoutPage struct {
	base
	Action      string
	ClientID    string
	RedirectURI string
	State       string
}

type portalApp struct {
	Name string
	Link string
}

type portalPage struct {
	base
	Apps []portalApp
}

// renderer holds the parsed templates.
type renderer struct {
	t   *template.Template
	log *slog.Logger
}

func newRenderer(log *slog.Logger) (*renderer, error) {
	t, err := template.ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse templates: %w", err)
	}
	return &renderer{t: t, log: log}, nil
}

func (r *renderer) start(w http.ResponseWriter, status int, p startPage) {
	r.render(w, status, "start.html", p)
}
func (r *renderer) code(w http.ResponseWriter, status int, p codePage) {
	r.render(w, status, "code.html", p)
}
func (r *renderer) password(w http.ResponseWriter, status int, p passwordPage) {
	r.render(w, status, "password.html", p)
}
func (r *renderer) newPassword(w http.ResponseWriter, status int, p newPasswordPage) {
	r.render(w, status, "newpassword.html", p)
}
func (r *renderer) consent(w http.ResponseWriter, status int, p consentPage) {
	r.render(w, status, "consent.html", p)
}
func (r *renderer) signin(w http.ResponseWriter, status int, p signinPage) {
	r.render(w, status, "signin.html", p)
}
func (r *renderer) portal(w http.ResponseWriter, status int, p portalPage) {
	r.render(w, status, "portal.html", p)
}
func (r *renderer) signout(w http.ResponseWriter, status int, p signoutPage) {
	r.render(w, status, "signout.html", p)
}

// leavingPage sends the browser on to an identity provider.
type leavingPage struct {
	base
	URL string
}

func (r *renderer) leaving(w http.ResponseWriter, status int, p leavingPage) {
	r.render(w, status, "leaving.html", p)
}

func (r *renderer) message(w http.ResponseWriter, status int, p messagePage) {
	r.render(w, status, "message.html", p)
}

func (r *renderer) render(w http.ResponseWriter, status int, name string, data any) {
	var b bytes.Buffer
	if err := r.t.ExecuteTemplate(&b, name, data); err != nil {
		r.log.Error("web: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if t, ok := data.(interface{ target() string }); ok {
		allowFormTarget(w, t.target())
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}
