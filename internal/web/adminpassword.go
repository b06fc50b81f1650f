package web

import (
	"errors"
	"net/http"

	"guestlist/internal/admins"
	"guestlist/internal/platform"
)

// SetAdmins gives the pages the service behind the administrators'
// set-password links (R43); without it those pages answer 404.
func (p *Pages) SetAdmins(a *admins.Service) { p.admins = a }

// adminPasswordPage asks an administrator for the password their mailed
// link sets. The token travels on in a hidden field, so after the first
// GET it is in no URL (the pages send no Referer either).
type adminPasswordPage struct {
	base
	Email    string
	Action   string
	Token    string
	Error    string
	Min, Max int
}

func (r *renderer) adminPassword(w http.ResponseWriter, status int, p adminPasswordPage) {
	r.render(w, status, "adminpassword.html", p)
}

// adminPasswordForm opens the link from the mail: while it works, the
// form to choose the password.
func (p *Pages) adminPasswordForm(w http.ResponseWriter, r *http.Request) {
	q, ok := p.tenantFor(w, r)
	if !ok {
		return
	}
	token := platform.Secret(r.URL.Query().Get("token"))
	if p.admins == nil {
		p.adminLinkError(w, q, admins.ErrLinkUnknown)
		return
	}
	u, err := p.admins.Open(r.Context(), q.tenant, token)
	if err != nil {
		p.adminLinkError(w, q, err)
		return
	}
	p.r.adminPassword(w, http.StatusOK, adminPasswordPage{base: q.base(), Email: u.UserPrincipalName,
		Action: q.path("/admin/password"), Token: string(token)})
}

// setAdminPassword sets the password, spends the link and sends the
// browser to the administration's sign-in. A password the rules refuse
// shows the form again with the reason; the link still works.
func (p *Pages) setAdminPassword(w http.ResponseWriter, r *http.Request) {
	q, ok := p.tenantFor(w, r)
	if !ok {
		return
	}
	token := platform.Secret(r.PostFormValue("token"))
	if p.admins == nil {
		p.adminLinkError(w, q, admins.ErrLinkUnknown)
		return
	}
	_, err := p.admins.SetPassword(r.Context(), q.tenant, token, r.PostFormValue("password"))
	if id, weak := weakPassword(err); weak {
		page := adminPasswordPage{base: q.base(), Email: r.PostFormValue("email"),
			Action: q.path("/admin/password"), Token: string(token), Error: id}
		if u, err := p.admins.Open(r.Context(), q.tenant, token); err == nil {
			page.Email = u.UserPrincipalName
		}
		page.Min, page.Max = passwordBounds(err)
		p.r.adminPassword(w, http.StatusBadRequest, page)
		return
	}
	if err != nil {
		p.adminLinkError(w, q, err)
		return
	}
	seeOther(w, r, q.path("/admin/"))
}

// adminLinkError says why a link does not work: unknown (404), or used
// or expired (410, gone for good: a new link is the way on).
func (p *Pages) adminLinkError(w http.ResponseWriter, q *req, err error) {
	switch {
	case errors.Is(err, admins.ErrLinkUsed):
		p.r.message(w, http.StatusGone, messagePage{base: q.base(), Heading: "adminpassword.used.heading", Body: "adminpassword.used.body"})
	case errors.Is(err, admins.ErrLinkExpired):
		p.r.message(w, http.StatusGone, messagePage{base: q.base(), Heading: "adminpassword.expired.heading", Body: "adminpassword.expired.body"})
	case errors.Is(err, admins.ErrLinkUnknown):
		p.r.message(w, http.StatusNotFound, messagePage{base: q.base(), Heading: "adminpassword.invalid.heading", Body: "adminpassword.invalid.body"})
	default:
		p.internal(w, q.base(), err)
	}
}
