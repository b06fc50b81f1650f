package web

import (
	"net/http"
)

// signoutPage is where RP-initiated logout without a valid id_token_hint
// lands (the provider sends it here, having ended nothing): a signed-in
// guest is asked to confirm, anyone else is told they are signed out.
func (p *Pages) signoutPage(w http.ResponseWriter, r *http.Request) {
	q, ok := p.tenantFor(w, r)
	if !ok {
		return
	}
	sess, _, err := p.session(r.Context(), r, q.tenant)
	if err != nil {
		p.internal(w, q.base(), err)
		return
	}
	if sess == nil {
		p.signedOut(w, q)
		return
	}
	v := r.URL.Query()
	p.r.signout(w, http.StatusOK, signoutPage{base: q.base(), Action: q.path("/signout"),
		ClientID: v.Get("client_id"), RedirectURI: v.Get("post_logout_redirect_uri"), State: v.Get("state")})
}

// signout is the guest's confirmation (a same-origin POST: the routes'
// cross-origin protection refuses one from elsewhere). It ends the
// guest's sessions in the tenant and their tokens at the application, then
// returns to the application's registered post_logout_redirect_uri, or
// shows the signed-out page.
func (p *Pages) signout(w http.ResponseWriter, r *http.Request) {
	q, ok := p.tenantFor(w, r)
	if !ok {
		return
	}
	clientID := r.PostFormValue("client_id")
	sess, _, err := p.session(r.Context(), r, q.tenant)
	if err == nil && sess != nil {
		err = p.auth.Logout(r.Context(), q.tenant, sess.UserID, clientID)
	}
	if err != nil {
		p.internal(w, q.base(), err)
		return
	}
	p.setCookie(w, "session", q.tenant.ID, "", -1)
	if to := p.auth.PostLogoutRedirect(r.Context(), q.tenant, clientID, r.PostFormValue("post_logout_redirect_uri"),
		r.PostFormValue("state")); to != "" {
		seeOther(w, r, to)
		return
	}
	p.signedOut(w, q)
}

func (p *Pages) signedOut(w http.ResponseWriter, q *req) {
	p.r.message(w, http.StatusOK, messagePage{base: q.base(), Heading: "signedout.heading", Body: "signedout.body"})
}
