package web

import "net/http"

// Routes registers every guest page on mux. All of them are browser routes:
// cross-origin POSTs are refused (CSRF) and pages may not be framed.
func (p *Pages) Routes(mux *http.ServeMux) {
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(p.forbidden))
	page := func(pattern string, h http.HandlerFunc) {
		mux.Handle(pattern, securityHeaders(csrf.Handler(p.formOnly(h))))
	}
	page("GET /{tenant}/redeem", p.redeemLink)
	page("GET /{tenant}/signin/passcode", p.startPage)
	page("POST /{tenant}/signin/passcode", p.sendCode)
	page("GET /{tenant}/signin/code", p.enterCode)
	page("POST /{tenant}/signin/code", p.checkCode)
	page("GET /{tenant}/signin/password", p.passwordForm)
	page("POST /{tenant}/signin/password", p.checkPassword)
	page("POST /{tenant}/signin/setpassword", p.setPassword)
	page("GET /{tenant}/signin/newpassword", p.newPasswordForm)
	page("POST /{tenant}/signin/newpassword", p.changePassword)
	page("GET /{tenant}/signup", p.signup)
	page("POST /{tenant}/signup", p.signup)
	page("GET /{tenant}/signup/done", p.signupDone)
	page("GET /{tenant}/password/reset", p.reset)
	page("POST /{tenant}/password/reset", p.reset)
	page("GET /{tenant}/signin/federation", p.beginFederation)
	page("GET /{tenant}/signin/federation/done", p.federationFinish)
	page("GET /{tenant}/federation/callback", p.federationCallback)
	// The SAML response is a cross-site POST from the partner's identity
	// provider: outside the cross-origin protection (see samlACS).
	mux.Handle("POST /{tenant}/saml/acs", securityHeaders(http.HandlerFunc(p.samlACS)))
	page("GET /{tenant}/signin/consent", p.consentPage)
	page("POST /{tenant}/signin/consent", p.consent)
	page("GET /{tenant}/signin/authorize", p.authorize)
	page("POST /{tenant}/signin", p.startSignin)
	page("GET /{tenant}/apps", p.portal)
	page("GET /{tenant}/apps/{app}", p.directLink)
	page("GET /{tenant}/signout", p.signoutPage)
	page("POST /{tenant}/signout", p.signout)
	// An administrator's mailed set-password link (R43); the
	// administration itself (/{tenant}/admin/) is the console's.
	page("GET /{tenant}/admin/password", p.adminPasswordForm)
	page("POST /{tenant}/admin/password", p.setAdminPassword)
	p.commonRoutes(page) // SPEC R31
	if p.brand != nil {
		mux.HandleFunc("GET /{tenant}/branding/logo", p.logo)
		mux.HandleFunc("GET /{tenant}/branding/style.css", p.style)
	}
	// Exact paths: a /static/ prefix would overlap /{tenant}/redeem.
	mux.Handle("GET /static/style.css", Static())
}

// securityHeaders: no framing, no referrer (a redeem link carries its token
// in the URL), nothing loaded from elsewhere.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setPageHeaders(w)
		h.ServeHTTP(w, r)
	})
}

func setPageHeaders(w http.ResponseWriter) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", pageCSP)
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
}

func (p *Pages) forbidden(w http.ResponseWriter, r *http.Request) {
	loc := Loc{Lang: p.lang(r, nil, nil), cat: p.cat}
	p.r.message(w, http.StatusForbidden, messagePage{base: base{L: loc}, Heading: "error.heading", Body: "error.forbidden"})
}

// NotFound is the page for any path nothing else serves.
func (p *Pages) NotFound(w http.ResponseWriter, r *http.Request) {
	loc := Loc{Lang: p.lang(r, nil, nil), cat: p.cat}
	p.r.message(w, http.StatusNotFound, messagePage{base: base{L: loc}, Heading: "error.heading", Body: "error.link"})
}
