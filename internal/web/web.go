package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"guestlist/internal/admins"
	"guestlist/internal/core"
	"guestlist/internal/i18n"
	"guestlist/internal/passcode"
	"guestlist/internal/platform"
	"guestlist/internal/redeem"
	"guestlist/internal/tenants"
)

// Pages serves the guest pages.
type Pages struct {
	tenants  *tenants.Service
	redeem   *redeem.Service
	passcode *passcode.Service
	admins   *admins.Service // may be nil (SetAdmins)
	cat      *i18n.Catalog
	r        *renderer
	auth     Authorizer
	log      *slog.Logger
	baseURL  string
	secure   bool // base URL is https: Secure, __Host- cookies
	brand    Brander
}

// New builds the pages; templates are parsed here (fail fast).
func New(ts *tenants.Service, rs *redeem.Service, ps *passcode.Service, auth Authorizer, cat *i18n.Catalog, baseURL string, log *slog.Logger) (*Pages, error) {
	r, err := newRenderer(log)
	if err != nil {
		return nil, err
	}
	return &Pages{tenants: ts, redeem: rs, passcode: ps, auth: auth, cat: cat, r: r, log: log,
		baseURL: strings.TrimSuffix(baseURL, "/"), secure: strings.HasPrefix(baseURL, "https://")}, nil
}

// req is what every guest handler starts from: the tenant of the URL and
// the language of the page.
type req struct {
	tenant *core.Tenant
	loc    Loc
	flow   *core.Flow
	user   *core.User
	// formTarget is the origin the flow ends at (see formTarget).
	formTarget string
	look       look
}

func (q *req) base() base {
	return base{L: q.loc, Org: q.tenant.DisplayName, formTarget: q.formTarget, look: q.look}
}

// path is the tenant-relative URL of a page, always under the tenant id so
// cookies and flows agree whichever domain the guest came in by.
func (q *req) path(p string) string { return "/" + q.tenant.ID + p }

// lang picks the page language (SPEC R53): ui_locales, then the flow's
// remembered ui_locales, then Accept-Language, then the tenant default.
func (p *Pages) lang(r *http.Request, t *core.Tenant, f *core.Flow) string {
	ui := strings.ReplaceAll(r.URL.Query().Get("ui_locales"), " ", ",")
	if len(ui) > 100 {
		ui = ""
	}
	var flowLocale string
	if f != nil {
		flowLocale = f.Locale
	}
	if l := p.cat.Match(ui, flowLocale, r.Header.Get("Accept-Language")); l != "" {
		return l
	}
	if t != nil && t.DefaultLanguage != "" {
		return t.DefaultLanguage
	}
	return "en"
}

// tenantFor resolves {tenant}; an unknown one gets the error page.
func (p *Pages) tenantFor(w http.ResponseWriter, r *http.Request) (*req, bool) {
	t, err := p.tenants.Resolve(r.Context(), r.PathValue("tenant"))
	if err != nil {
		loc := Loc{Lang: p.lang(r, nil, nil), cat: p.cat}
		if errors.Is(err, core.ErrNotFound) {
			p.r.message(w, http.StatusNotFound, messagePage{base: base{L: loc}, Heading: "error.heading", Body: "error.tenant"})
		} else {
			p.internal(w, base{L: loc}, err)
		}
		return nil, false
	}
	return &req{tenant: t, loc: Loc{Lang: p.lang(r, t, nil), cat: p.cat}, look: p.brandingOf(r.Context(), t)}, true
}

// withFlow resolves the tenant and the browser's flow.
func (p *Pages) withFlow(w http.ResponseWriter, r *http.Request) (*req, bool) {
	q, ok := p.tenantFor(w, r)
	if !ok {
		return nil, false
	}
	var cookie string
	if c, err := r.Cookie(p.cookieName("flow", q.tenant.ID)); err == nil {
		cookie = c.Value
	}
	f, u, err := p.redeem.Flow(r.Context(), q.tenant, cookie)
	if err != nil {
		p.flowError(w, q, err)
		return nil, false
	}
	q.flow, q.user = f, u
	q.loc.Lang = p.lang(r, q.tenant, f)
	q.formTarget = p.formTarget(r, q)
	return q, true
}

func (p *Pages) flowError(w http.ResponseWriter, q *req, err error) {
	switch {
	case errors.Is(err, redeem.ErrMethodOff):
		p.r.message(w, http.StatusForbidden, messagePage{base: q.base(), Heading: "error.heading", Body: "error.methodoff"})
	case errors.Is(err, redeem.ErrOTPOff):
		p.r.message(w, http.StatusForbidden, messagePage{base: q.base(), Heading: "error.heading", Body: "error.otpoff"})
	case errors.Is(err, redeem.ErrBlocked):
		p.r.message(w, http.StatusForbidden, messagePage{base: q.base(), Heading: "error.heading", Body: "error.blocked"})
	case errors.Is(err, redeem.ErrDomainRefused):
		p.r.message(w, http.StatusForbidden, messagePage{base: q.base(), Heading: "error.heading", Body: "error.domain"})
	case errors.Is(err, redeem.ErrRevoked): // R8: gone for good; a new invitation is the way on
		p.r.message(w, http.StatusGone, messagePage{base: q.base(), Heading: "invitation.revoked.heading", Body: "invitation.revoked.body"})
	case errors.Is(err, redeem.ErrExpired):
		p.r.message(w, http.StatusGone, messagePage{base: q.base(), Heading: "invitation.expired.heading", Body: "invitation.expired.body"})
	case errors.Is(err, redeem.ErrBadLink), errors.Is(err, redeem.ErrNoMethod):
		p.r.message(w, http.StatusNotFound, messagePage{base: q.base(), Heading: "error.heading", Body: "error.link"})
	case errors.Is(err, redeem.ErrNoFlow), errors.Is(err, redeem.ErrWrongStep):
		p.r.message(w, http.StatusBadRequest, messagePage{base: q.base(), Heading: "error.heading", Body: "error.flow"})
	default:
		p.internal(w, q.base(), err)
	}
}

// internal answers an unexpected error. When the database cannot be
// reached it is 503 with Retry-After: the guest may simply try again.
func (p *Pages) internal(w http.ResponseWriter, b base, err error) {
	status := http.StatusInternalServerError
	if errors.Is(err, core.ErrUnavailable) {
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "5")
		p.log.Warn("web: service unavailable", "err", platform.LogErr(err))
	} else {
		p.log.Error("web: internal error", "err", platform.LogErr(err))
	}
	p.r.message(w, status, messagePage{base: b, Heading: "error.heading", Body: "error.internal"})
}

func (p *Pages) cookieName(kind, tenantID string) string {
	if p.secure {
		return "__Host-gl-" + kind + "-" + tenantID
	}
	return "gl-" + kind + "-" + tenantID
}

func (p *Pages) setCookie(w http.ResponseWriter, kind, tenantID string, value platform.Secret, ttl time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: p.cookieName(kind, tenantID), Value: string(value), Path: "/",
		MaxAge: int(ttl.Seconds()), Secure: p.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

// session returns the browser's live session in t and its user, nil when
// it has none. Only a failure to look it up is an error: a database outage
// must not look like being signed out.
func (p *Pages) session(ctx context.Context, r *http.Request, t *core.Tenant) (*core.Session, *core.User, error) {
	c, err := r.Cookie(p.cookieName("session", t.ID))
	if err != nil {
		return nil, nil, nil
	}
	s, u, err := p.redeem.Session(ctx, t, c.Value)
	if errors.Is(err, core.ErrUnauthenticated) {
		return nil, nil, nil
	}
	return s, u, err
}

// clientIP is the guest's address, through trusted proxies (platform).
func clientIP(r *http.Request) string { return platform.ClientIP(r) }

func seeOther(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}
