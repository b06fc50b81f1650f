package console

import (
	"net/http"

	"guestlist/internal/roles"
)

// Routes registers every console page on mux. All are browser routes:
// cross-origin POSTs are refused, and signed-in pages check the session,
// the role and (for a POST) the CSRF token themselves.
func (c *Console) Routes(mux *http.ServeMux) {
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.message(w, &visit{loc: c.loc(c.lang(r, nil))}, http.StatusForbidden, "console.error.csrf")
	}))
	page := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, csrf.Handler(limitForm(h))) }
	page("GET /{tenant}/admin/{$}", c.page("", c.home))
	page("GET /{tenant}/admin/signin", c.signinForm)
	page("POST /{tenant}/admin/signin", c.signin)
	page("GET /{tenant}/admin/language", c.language)
	page("POST /{tenant}/admin/signout", c.page("", c.signout))
	page("POST /{tenant}/admin/signout/everywhere", c.page("", c.signoutEverywhere))
	page("GET /{tenant}/admin/account", c.page("", c.account))
	page("GET /{tenant}/admin/guests", c.page(roles.ReadGuests, c.guests))
	page("GET /{tenant}/admin/guests/{id}", c.page(roles.ReadGuests, c.guest))
	page("GET /{tenant}/admin/guests/{id}/{action}", c.page(roles.ReadGuests, c.confirm))
	page("POST /{tenant}/admin/guests/{id}/{action}", c.page(roles.ReadGuests, c.act))
	page("GET /{tenant}/admin/invite", c.page(roles.Invite, c.inviteForm))
	page("POST /{tenant}/admin/invite", c.page(roles.Invite, c.invite))
	page("GET /{tenant}/admin/branding", c.page(roles.ManagePolicies, c.brandingForm))
	// The branding form carries a logo: a larger bound than limitForm's.
	mux.Handle("POST /{tenant}/admin/branding", csrf.Handler(c.brandingUpload(c.page(roles.ManagePolicies, c.saveBranding))))
	mux.Handle("GET /static/console.css", Static())
}

// maxForm bounds a console form's body (the CSV upload has its own).
const maxForm = 64 << 10

func limitForm(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		h(w, r)
	}
}

// home: GET /{tenant}/admin/ opens the first section the member may see.
func (c *Console) home(w http.ResponseWriter, r *http.Request, v *visit) {
	for _, s := range sections {
		if v.can(s.action) {
			seeOther(w, r, v.path(s.path))
			return
		}
	}
	seeOther(w, r, v.path("/account"))
}
