package console

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"guestlist/internal/adminsession"
	"guestlist/internal/apps"
	"guestlist/internal/branding"
	"guestlist/internal/core"
	"guestlist/internal/i18n"
	"guestlist/internal/invite"
	"guestlist/internal/mfa"
	"guestlist/internal/platform"
	"guestlist/internal/policy"
	"guestlist/internal/providers"
	"guestlist/internal/redeem"
	"guestlist/internal/roles"
	"guestlist/internal/store"
	"guestlist/internal/tenants"
	"guestlist/internal/users"
)

// Deps are the services the console works with.
type Deps struct {
	Tenants  *tenants.Service
	Sessions *adminsession.Service
	// Store is read for lists and details; every change goes through a
	// service.
	Store   store.Store
	Invites *invite.Service
	Users   *users.Service
	Apps    *apps.Service
	// MFA is the members' authenticator apps: the console's second
	// factor.
	MFA *mfa.Service
	// Flows explains which sign-in method an address would get (R14)
	// and holds the sign-in policies (R10, R20, R9).
	Flows *redeem.Service
	// Deploy resolves the email passcode's "default" (R20).
	Deploy policy.Deployment
	// Providers are the tenant's identity providers, as Graph changes
	// them (remote checks included).
	Providers *providers.Service
	Catalog   *i18n.Catalog
	Log       *slog.Logger
	Now       platform.Clock
	BaseURL   string

	// Branding is the tenants' company branding (its page).
	Branding *branding.Service
}

// Console serves the admin pages.
type Console struct {
	Deps
	r      *renderer
	secure bool // https: Secure, __Host- cookies
}

// New parses the templates (fail fast) and returns the console.
func New(d Deps) (*Console, error) {
	r, err := newRenderer(d.Log)
	if err != nil {
		return nil, err
	}
	d.BaseURL = strings.TrimSuffix(d.BaseURL, "/")
	return &Console{Deps: d, r: r, secure: strings.HasPrefix(d.BaseURL, "https://")}, nil
}

// visit is what every console handler starts from: the tenant, the page
// language, and for signed-in pages the member, their roles and session.
type visit struct {
	tenant *core.Tenant
	loc    Loc
	sess   *core.AdminSession
	user   *core.User
	roles  []string
	csrf   string
	// pending: the session waits for the second factor; its pages show
	// no navigation.
	pending bool
}

// path is a console URL of the visit's tenant.
func (v *visit) path(p string) string { return "/" + v.tenant.ID + "/admin" + p }

func (v *visit) can(a roles.Action) bool { return roles.Can(v.roles, a) }

// langCookie remembers the language an administrator chose.
const langCookie = "gl-admin-lang"

// lang is the page language: the administrator's choice, then the
// browser's, then the tenant's default (R53's order, with the choice in
// place of ui_locales).
func (c *Console) lang(r *http.Request, t *core.Tenant) string {
	var chosen string
	if ck, err := r.Cookie(langCookie); err == nil {
		chosen = c.Catalog.Supported(ck.Value)
	}
	if l := c.Catalog.Match(chosen, r.Header.Get("Accept-Language")); l != "" {
		return l
	}
	if t != nil && t.DefaultLanguage != "" {
		return t.DefaultLanguage
	}
	return "en"
}

// tenantOf resolves {tenant}; an unknown one gets the error page.
func (c *Console) tenantOf(w http.ResponseWriter, r *http.Request) (*visit, bool) {
	t, err := c.Tenants.Resolve(r.Context(), r.PathValue("tenant"))
	if err != nil {
		v := &visit{loc: c.loc(c.lang(r, nil))}
		if errors.Is(err, core.ErrNotFound) {
			c.message(w, v, http.StatusNotFound, "console.error.tenant")
		} else {
			c.internal(w, v, err)
		}
		return nil, false
	}
	return &visit{tenant: t, loc: c.loc(c.lang(r, t))}, true
}

func (c *Console) loc(lang string) Loc { return Loc{Lang: lang, cat: c.Catalog} }

func (c *Console) cookieName(tenantID string) string {
	if c.secure {
		return "__Host-gl-admin-" + tenantID
	}
	return "gl-admin-" + tenantID
}

// setSession sets (or, with an empty token, clears) the console cookie.
// SameSite=Strict: no other site can make the browser send it.
func (c *Console) setSession(w http.ResponseWriter, tenantID string, token platform.Secret) {
	ck := &http.Cookie{Name: c.cookieName(tenantID), Value: string(token), Path: "/",
		Secure: c.secure, HttpOnly: true, SameSite: http.SameSiteStrictMode}
	if token == "" {
		ck.MaxAge = -1
	}
	http.SetCookie(w, ck)
}

func (c *Console) token(r *http.Request, tenantID string) string {
	if ck, err := r.Cookie(c.cookieName(tenantID)); err == nil {
		return ck.Value
	}
	return ""
}

// page wraps a signed-in page: the member must hold a role that allows
// action (any role for ""), and a POST must carry the session's CSRF token. The request's
// context carries the member as the actor of every change it makes.
func (c *Console) page(action roles.Action, h func(http.ResponseWriter, *http.Request, *visit)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, ok := c.tenantOf(w, r)
		if !ok {
			return
		}
		ctx := r.Context()
		sess, err := c.Sessions.Find(ctx, v.tenant.ID, c.token(r, v.tenant.ID))
		if errors.Is(err, adminsession.ErrSignedOut) {
			c.toSignIn(w, r, v)
			return
		} else if err != nil {
			c.internal(w, v, err)
			return
		}
		if sess.Pending {
			seeOther(w, r, v.path("/signin/verify"))
			return
		}
		if ok := c.member(ctx, w, r, v, sess); !ok {
			return
		}
		if r.Method == http.MethodPost && !c.csrfOK(r, v) {
			c.message(w, v, http.StatusForbidden, "console.error.csrf")
			return
		}
		if action != "" && !v.can(action) {
			c.message(w, v, http.StatusForbidden, "console.error.role")
			return
		}
		actor := core.Actor{UserID: v.user.ID, UserPrincipalName: v.user.UserPrincipalName}
		h(w, r.WithContext(core.WithActor(ctx, actor)), v)
	}
}

// member loads the session's member and roles into v. A member who was
// blocked, deleted or lost every role since signing in is signed out.
func (c *Console) member(ctx context.Context, w http.ResponseWriter, r *http.Request, v *visit, sess *core.AdminSession) bool {
	u, err := c.Store.GetUser(ctx, v.tenant.ID, sess.UserID)
	if err != nil && !errors.Is(err, core.ErrNotFound) {
		c.internal(w, v, err)
		return false
	}
	var held []string
	if err == nil && !u.Blocked {
		if held, err = c.Store.RolesOf(ctx, v.tenant.ID, u.ID); err != nil {
			c.internal(w, v, err)
			return false
		}
	}
	if len(held) == 0 {
		if err := c.Sessions.End(ctx, v.tenant.ID, c.token(r, v.tenant.ID)); err != nil {
			c.internal(w, v, err)
			return false
		}
		c.setSession(w, v.tenant.ID, "")
		c.message(w, v, http.StatusForbidden, "console.error.norole")
		return false
	}
	v.sess, v.user, v.roles, v.csrf = sess, u, held, c.Sessions.CSRFToken(sess)
	return true
}

func (c *Console) csrfOK(r *http.Request, v *visit) bool {
	got := r.PostFormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(v.csrf)) == 1
}

// toSignIn sends a signed-out browser to the sign-in page, to come back to
// the page it asked for (GET only: a POST's form is not replayed).
func (c *Console) toSignIn(w http.ResponseWriter, r *http.Request, v *visit) {
	to := v.path("/signin")
	if r.Method == http.MethodGet {
		to += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	seeOther(w, r, to)
}

// next is where to go after signing in: a console page of this tenant,
// else its start page. Nothing else, so the sign-in cannot be used to
// send an administrator elsewhere.
func next(v *visit, raw string) string {
	prefix := v.path("/")
	if strings.HasPrefix(raw, prefix) && !strings.ContainsAny(raw, "\\\r\n") && !strings.Contains(raw, "//") {
		return raw
	}
	return v.path("/guests")
}

// message renders a page with one message (errors, refusals).
func (c *Console) message(w http.ResponseWriter, v *visit, status int, body string) {
	c.r.render(w, status, "message.html", messagePage{base: c.base(v, ""), Body: body})
}

// internal answers an unexpected error; a database outage is a 503 the
// administrator may retry.
func (c *Console) internal(w http.ResponseWriter, v *visit, err error) {
	status := http.StatusInternalServerError
	if errors.Is(err, core.ErrUnavailable) {
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "5")
		c.Log.Warn("console: service unavailable", "err", platform.LogErr(err))
	} else {
		c.Log.Error("console: internal error", "err", platform.LogErr(err))
	}
	c.message(w, v, status, "console.error.internal")
}

func seeOther(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}
