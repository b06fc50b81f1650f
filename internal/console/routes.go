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
	page("GET /{tenant}/admin/signin/verify", c.pending(c.signinVerify))
	page("POST /{tenant}/admin/signin/verify", c.pending(c.checkCode))
	page("GET /{tenant}/admin/signin/enrol", c.pending(c.signinEnrol))
	page("POST /{tenant}/admin/signin/enrol", c.pending(c.confirmSigninEnrol))
	page("GET /{tenant}/admin/account", c.page("", c.account))
	page("GET /{tenant}/admin/account/mfa", c.page("", c.accountEnrol))
	page("POST /{tenant}/admin/account/mfa", c.page("", c.confirmAccountEnrol))
	page("POST /{tenant}/admin/account/mfa/{change}", c.page("", c.mfaChange))
	page("GET /{tenant}/admin/guests", c.page(roles.ReadGuests, c.guests))
	page("GET /{tenant}/admin/guests/{id}", c.page(roles.ReadGuests, c.guest))
	page("GET /{tenant}/admin/guests/{id}/{action}", c.page(roles.ReadGuests, c.confirm))
	page("POST /{tenant}/admin/guests/{id}/{action}", c.page(roles.ReadGuests, c.act))
	page("GET /{tenant}/admin/security", c.page(roles.ManagePolicies, c.security))
	page("POST /{tenant}/admin/security", c.page(roles.ManagePolicies, c.setSecurity))
	page("GET /{tenant}/admin/invite", c.page(roles.Invite, c.inviteForm))
	page("POST /{tenant}/admin/invite", c.page(roles.Invite, c.invite))
	page("GET /{tenant}/admin/policies", c.page(roles.ManagePolicies, c.policies))
	page("POST /{tenant}/admin/policies/otp", c.page(roles.ManagePolicies, c.setOTP))
	page("POST /{tenant}/admin/policies/order", c.page(roles.ManagePolicies, c.setOrder))
	page("POST /{tenant}/admin/policies/domains", c.page(roles.ManagePolicies, c.setDomains))
	page("POST /{tenant}/admin/policies/invites", c.page(roles.ManagePolicies, c.setInvites))
	page("GET /{tenant}/admin/apps", c.page(roles.ManageApps, c.apps))
	page("POST /{tenant}/admin/apps", c.page(roles.ManageApps, c.register))
	page("GET /{tenant}/admin/apps/{id}", c.page(roles.ManageApps, c.app))
	page("POST /{tenant}/admin/apps/{id}/secrets", c.page(roles.ManageApps, c.addSecret))
	page("GET /{tenant}/admin/apps/{id}/secrets/{key}/remove", c.page(roles.ManageApps, c.confirmRemoveSecret))
	page("POST /{tenant}/admin/apps/{id}/secrets/{key}/remove", c.page(roles.ManageApps, c.removeSecret))
	page("POST /{tenant}/admin/apps/{id}/required", c.page(roles.ManageApps, c.setRequired))
	page("POST /{tenant}/admin/apps/{id}/assignments", c.page(roles.ManageApps, c.assign))
	page("GET /{tenant}/admin/apps/{id}/assignments/{aid}/remove", c.page(roles.ManageApps, c.confirmUnassign))
	page("POST /{tenant}/admin/apps/{id}/assignments/{aid}/remove", c.page(roles.ManageApps, c.unassign))
	page("GET /{tenant}/admin/invite/bulk", c.page(roles.Invite, c.bulkForm))
	page("GET /{tenant}/admin/invite/bulk/template.csv", c.page(roles.Invite, c.bulkTemplate))
	// The upload carries a file: its own bound instead of limitForm's.
	mux.Handle("POST /{tenant}/admin/invite/bulk", csrf.Handler(c.limitUpload(c.page(roles.Invite, c.bulk))))
	page("GET /{tenant}/admin/idps", c.page(roles.ManagePolicies, c.idps))
	page("GET /{tenant}/admin/idps/new", c.page(roles.ManagePolicies, c.idpNew))
	page("POST /{tenant}/admin/idps/new", c.page(roles.ManagePolicies, c.idpCreate))
	page("GET /{tenant}/admin/idps/{id}", c.page(roles.ManagePolicies, c.idp))
	page("POST /{tenant}/admin/idps/{id}", c.page(roles.ManagePolicies, c.idpUpdate))
	page("GET /{tenant}/admin/idps/{id}/delete", c.page(roles.ManagePolicies, c.idpDeleteConfirm))
	page("POST /{tenant}/admin/idps/{id}/delete", c.page(roles.ManagePolicies, c.idpDelete))
	page("GET /{tenant}/admin/logs/{kind}", c.page(roles.ReadAudit, c.logs))
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
