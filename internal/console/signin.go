package console

import (
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"

	"guestlist/internal/adminsession"
	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/mfa"
	"guestlist/internal/platform"
)

type signinPage struct {
	base
	TenantID string
	Email    string
	Next     string
	Error    string // message id
	Notice   string // message id
	Minutes  int
}

// signinForm: GET /{tenant}/admin/signin. A browser that is signed in
// already goes straight on.
func (c *Console) signinForm(w http.ResponseWriter, r *http.Request) {
	v, ok := c.tenantOf(w, r)
	if !ok {
		return
	}
	sess, err := c.Sessions.Find(r.Context(), v.tenant.ID, c.token(r, v.tenant.ID))
	switch {
	case err == nil && !sess.Pending:
		seeOther(w, r, next(v, r.URL.Query().Get("next")))
		return
	case err != nil && !errors.Is(err, adminsession.ErrSignedOut):
		c.internal(w, v, err)
		return
	}
	p := c.signinPage(v, r.URL.Query().Get("next"))
	if r.URL.Query().Get("signedout") != "" {
		p.Notice = "console.signin.signedout"
	}
	c.r.render(w, http.StatusOK, "signin.html", p)
}

func (c *Console) signinPage(v *visit, nextPath string) signinPage {
	b := c.base(v, "")
	b.Return = v.path("/signin")
	return signinPage{base: b, TenantID: v.tenant.ID, Next: next(v, nextPath)}
}

// signin: POST /{tenant}/admin/signin checks the member's password and
// starts a console session. Every refusal before the password is known
// to be right reads the same (R25).
func (c *Console) signin(w http.ResponseWriter, r *http.Request) {
	v, ok := c.tenantOf(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	p := c.signinPage(v, r.PostFormValue("next"))
	p.Email = r.PostFormValue("email")
	addr, err := core.ParseAddress(p.Email)
	var m *adminsession.Member
	if err == nil {
		m, err = c.Sessions.SignIn(ctx, v.tenant, addr, r.PostFormValue("password"), platform.ClientIP(r))
	} else {
		err = adminsession.ErrWrongPassword
	}
	var throttled *idp.Throttled
	switch {
	case errors.Is(err, adminsession.ErrWrongPassword):
		p.Error = "console.signin.wrong"
		c.r.render(w, http.StatusUnauthorized, "signin.html", p)
		return
	case errors.As(err, &throttled):
		p.Error, p.Minutes = "console.signin.throttled", int(math.Ceil(throttled.RetryAfter.Minutes()))
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(throttled.RetryAfter.Seconds())))))
		c.r.render(w, http.StatusTooManyRequests, "signin.html", p)
		return
	case errors.Is(err, adminsession.ErrNoRole):
		c.message(w, v, http.StatusForbidden, "console.error.norole")
		return
	case errors.Is(err, adminsession.ErrMustChange):
		p.Error = "console.signin.mustchange"
		c.r.render(w, http.StatusForbidden, "signin.html", p)
		return
	case err != nil:
		c.internal(w, v, err)
		return
	}
	// A second factor when the member has an authenticator app, or their
	// roles require one (then they enrol first).
	enrolled, err := c.MFA.Enrolled(ctx, v.tenant.ID, m.User.ID)
	if err != nil {
		c.internal(w, v, err)
		return
	}
	pending := enrolled || mfa.Required(v.tenant.AdminMFARequirement(), m.Roles)
	token, _, err := c.Sessions.Start(ctx, v.tenant.ID, m.User.ID, pending, platform.ClientIP(r), r.UserAgent())
	if err != nil {
		c.internal(w, v, err)
		return
	}
	c.setSession(w, v.tenant.ID, token)
	if pending {
		seeOther(w, r, v.path("/signin/verify?next="+url.QueryEscape(p.Next)))
		return
	}
	seeOther(w, r, p.Next)
}

// signout: POST /{tenant}/admin/signout ends this session.
func (c *Console) signout(w http.ResponseWriter, r *http.Request, v *visit) {
	if err := c.Sessions.End(r.Context(), v.tenant.ID, c.token(r, v.tenant.ID)); err != nil {
		c.internal(w, v, err)
		return
	}
	c.setSession(w, v.tenant.ID, "")
	seeOther(w, r, v.path("/signin?signedout=1"))
}

// signoutEverywhere: POST /{tenant}/admin/signout/everywhere ends every
// console session of the member, in every browser.
func (c *Console) signoutEverywhere(w http.ResponseWriter, r *http.Request, v *visit) {
	if _, err := c.Sessions.EndAll(r.Context(), v.tenant.ID, v.user.ID); err != nil {
		c.internal(w, v, err)
		return
	}
	c.setSession(w, v.tenant.ID, "")
	seeOther(w, r, v.path("/signin?signedout=1"))
}

// language: GET /{tenant}/admin/language?lang=…&return=… remembers the
// administrator's language and goes back to the page.
func (c *Console) language(w http.ResponseWriter, r *http.Request) {
	v, ok := c.tenantOf(w, r)
	if !ok {
		return
	}
	if lang := c.Catalog.Supported(r.URL.Query().Get("lang")); lang != "" {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			Secure: c.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	seeOther(w, r, next(v, r.URL.Query().Get("return")))
}
