package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/redeem"
)

// Authorizer is the OpenID provider as the guest pages see it: the pending
// authorization requests, and the hand-back once the guest signed in. A
// request belongs to the browser that started it (SPEC R32): AuthRequest
// and Complete refuse another browser with an error of kind
// core.ErrForbidden.
type Authorizer interface {
	AuthRequest(r *http.Request, t *core.Tenant, id string) (*core.AuthRequest, error)
	Complete(r *http.Request, t *core.Tenant, id, userID string, authTime time.Time, amr []string) error
	CallbackURL(ctx context.Context, t *core.Tenant, id string) string
	// LoginRequired answers prompt=none without a usable session.
	LoginRequired(w http.ResponseWriter, r *http.Request, t *core.Tenant, id string)
	// Decline answers the application with access_denied.
	Decline(w http.ResponseWriter, r *http.Request, t *core.Tenant, id string)
	// Logout ends the user's sessions in t and their tokens at clientID
	// (if set); PostLogoutRedirect is where the application asked to
	// return after it, "" unless registered for it.
	Logout(ctx context.Context, t *core.Tenant, userID, clientID string) error
	PostLogoutRedirect(ctx context.Context, t *core.Tenant, clientID, uri, state string) string
}

// authorize is the sign-in page of an authorization request (the
// provider's login URL). A live session of a guest who may open the
// application goes straight back to it (SPEC R24) unless the application
// asked for prompt=login or a shorter max_age; otherwise the guest types
// their address.
func (p *Pages) authorize(w http.ResponseWriter, r *http.Request) {
	q, ok := p.tenantFor(w, r)
	if !ok {
		return
	}
	id := r.URL.Query().Get("request")
	ar, err := p.auth.AuthRequest(r, q.tenant, id)
	if err != nil {
		p.authRequestError(w, q, err)
		return
	}
	q.loc.Lang = p.langFor(r, q.tenant, ar.UILocales)
	sess, err := p.guestSession(r.Context(), r, q.tenant)
	if err != nil {
		p.internal(w, q.base(), err)
		return
	}
	if sess != nil && !slices.Contains(ar.Prompt, "login") && p.redeem.SessionSatisfies(sess, ar.MaxAge) {
		assigned, err := p.redeem.MayOpen(r.Context(), q.tenant.ID, sess.UserID, ar.ClientID)
		if err != nil {
			p.internal(w, q.base(), err)
			return
		}
		if !assigned && slices.Contains(ar.Prompt, "none") {
			p.auth.LoginRequired(w, r, q.tenant, ar.ID) // no page may show (OIDC Core 3.1.2.1)
			return
		}
		if !assigned {
			p.noAccess(w, q)
			return
		}
		// A sign-in with the session alone: recorded here, as a proof
		// records its own (signInActivity).
		if err := p.redeem.SignedIn(r.Context(), q.tenant.ID, sess.UserID); err != nil {
			p.internal(w, q.base(), err)
			return
		}
		p.completeAuthRequest(w, r, q, ar.ID, sess.UserID, sess.CreatedAt, sess.AMR)
		return
	}
	if slices.Contains(ar.Prompt, "none") {
		p.auth.LoginRequired(w, r, q.tenant, ar.ID)
		return
	}
	p.r.signin(w, http.StatusOK, signinPage{base: q.base(), Action: q.path("/signin"), Email: ar.LoginHint, Request: ar.ID})
}

func (p *Pages) authRequestError(w http.ResponseWriter, q *req, err error) {
	if errors.Is(err, core.ErrNotFound) {
		p.r.message(w, http.StatusBadRequest, messagePage{base: q.base(), Heading: "error.heading", Body: "error.authreq"})
		return
	}
	if errors.Is(err, core.ErrForbidden) { // started in another browser (SPEC R32)
		p.r.message(w, http.StatusForbidden, messagePage{base: q.base(), Heading: "error.heading", Body: "error.authreq.browser"})
		return
	}
	p.internal(w, q.base(), err)
}

// langFor is lang with the authorization request's ui_locales first.
func (p *Pages) langFor(r *http.Request, t *core.Tenant, uiLocales string) string {
	if l := p.cat.Match(strings.ReplaceAll(uiLocales, " ", ",")); l != "" {
		return l
	}
	return p.lang(r, t, nil)
}

// completeAuthRequest hands a signed-in guest back to the provider, which
// answers the application with a code. amr is that of the method the guest
// signed in with (core.Method.AMR): the token family carries it, and every
// refresh checks it against the method the guest is locked to (R11, R26).
func (p *Pages) completeAuthRequest(w http.ResponseWriter, r *http.Request, q *req, id, userID string, authTime time.Time, amr string) {
	err := p.auth.Complete(r, q.tenant, id, userID, authTime, []string{amr})
	if err != nil && !errors.Is(err, core.ErrConflict) { // conflict: a double submit, already complete
		p.authRequestError(w, q, err)
		return
	}
	seeOther(w, r, p.auth.CallbackURL(r.Context(), q.tenant, id))
}

// startSignin takes the typed address and starts the passcode flow for it,
// towards an authorization request, an application or the portal.
func (p *Pages) startSignin(w http.ResponseWriter, r *http.Request) {
	q, ok := p.tenantFor(w, r)
	if !ok {
		return
	}
	page := signinPage{base: q.base(), Action: q.path("/signin"), Email: r.PostFormValue("email"),
		Request: r.PostFormValue("request"), App: r.PostFormValue("app")}
	var to redeem.Target
	var uiLocale string
	switch {
	case page.Request != "":
		ar, err := p.auth.AuthRequest(r, q.tenant, page.Request)
		if err != nil {
			p.authRequestError(w, q, err)
			return
		}
		to = redeem.Target{AuthRequestID: ar.ID, AppID: ar.ClientID}
		uiLocale = p.cat.Match(strings.ReplaceAll(ar.UILocales, " ", ","))
		q.loc.Lang = p.langFor(r, q.tenant, ar.UILocales)
		page.base = q.base()
	case page.App != "":
		app, ok := p.app(w, r, q, page.App)
		if !ok {
			return
		}
		to = redeem.Target{AppID: app.AppID, RedirectURL: p.appLanding(q, app)}
	default:
		to = redeem.Target{RedirectURL: p.baseURL + q.path("/apps")}
	}
	st, err := p.redeem.StartByEmail(r.Context(), q.tenant, page.Email, to, q.loc.Lang, uiLocale, clientIP(r))
	p.started(w, r, q, page, st, err)
}

// started answers an address form once its flow is started: the form
// again with what was wrong, or the flow's first step under its new
// cookie.
func (p *Pages) started(w http.ResponseWriter, r *http.Request, q *req, page signinPage, st *redeem.Started, err error) {
	switch {
	case errors.Is(err, core.ErrInvalid):
		page.Error = "signin.invalid"
		p.r.signin(w, http.StatusBadRequest, page)
	case errors.Is(err, core.ErrThrottled):
		page.Error = "signin.toomany"
		p.r.signin(w, http.StatusTooManyRequests, page)
	case err != nil:
		p.flowError(w, q, err)
	default:
		p.setCookie(w, "flow", q.tenant.ID, st.Cookie, st.Flow.ExpiresAt.Sub(st.Flow.CreatedAt))
		q.flow = &st.Flow
		p.next(w, r, q)
	}
}

// guestSession is the browser's session of a guest who has accepted the
// invitation. A passcode proves the address and starts the session before
// consent; a guest who declined, or left the consent page, reaches no
// application, portal or direct link through it until they accept (R5).
func (p *Pages) guestSession(ctx context.Context, r *http.Request, t *core.Tenant) (*core.Session, error) {
	sess, u, err := p.session(ctx, r, t)
	if err != nil || sess == nil || !redeem.Redeemed(u) {
		return nil, err
	}
	return sess, nil
}

// signedInGuest is the accepted guest's session; without one it shows the
// sign-in page (towards the application appID, or the portal) and reports
// false, as it does after answering an error.
func (p *Pages) signedInGuest(w http.ResponseWriter, r *http.Request, q *req, appID string) (*core.Session, bool) {
	sess, err := p.guestSession(r.Context(), r, q.tenant)
	if err != nil {
		p.internal(w, q.base(), err)
		return nil, false
	}
	if sess == nil {
		p.r.signin(w, http.StatusOK, signinPage{base: q.base(), Action: q.path("/signin"), App: appID})
		return nil, false
	}
	return sess, true
}

// noAccess is R7's page: the same words whether or not the address is
// known anywhere (R25).
func (p *Pages) noAccess(w http.ResponseWriter, q *req) {
	p.r.message(w, http.StatusForbidden, messagePage{base: q.base(), Heading: "error.heading", Body: "error.noaccess"})
}

func (p *Pages) app(w http.ResponseWriter, r *http.Request, q *req, appID string) (*core.Application, bool) {
	app, err := p.redeem.App(r.Context(), q.tenant.ID, strings.ToLower(appID))
	if err == nil && !app.IsAdmin {
		return app, true
	}
	if err == nil || errors.Is(err, core.ErrNotFound) {
		p.r.message(w, http.StatusNotFound, messagePage{base: q.base(), Heading: "error.heading", Body: "error.noapp"})
	} else {
		p.internal(w, q.base(), err)
	}
	return nil, false
}

// appLanding is where a direct link to an application ends: its home page,
// or the portal when it has none.
func (p *Pages) appLanding(q *req, app *core.Application) string {
	if app.HomePageURL != "" {
		return app.HomePageURL
	}
	return p.baseURL + q.path("/apps")
}

// directLink is /{tenant}/apps/{appId} (SPEC R30): a signed-in guest who
// may open the application goes to it; anyone else signs in first.
func (p *Pages) directLink(w http.ResponseWriter, r *http.Request) {
	q, ok := p.tenantFor(w, r)
	if !ok {
		return
	}
	app, ok := p.app(w, r, q, r.PathValue("app"))
	if !ok {
		return
	}
	sess, ok := p.signedInGuest(w, r, q, app.AppID)
	if !ok {
		return
	}
	assigned, err := p.redeem.MayOpen(r.Context(), q.tenant.ID, sess.UserID, app.AppID)
	if err != nil {
		p.internal(w, q.base(), err)
		return
	}
	if !assigned {
		p.noAccess(w, q)
		return
	}
	seeOther(w, r, p.appLanding(q, app))
}

// portal is /{tenant}/apps: the applications shared with the signed-in
// guest (SPEC R30).
func (p *Pages) portal(w http.ResponseWriter, r *http.Request) {
	q, ok := p.tenantFor(w, r)
	if !ok {
		return
	}
	sess, ok := p.signedInGuest(w, r, q, "")
	if !ok {
		return
	}
	apps, err := p.redeem.Portal(r.Context(), q.tenant.ID, sess.UserID)
	if err != nil {
		p.internal(w, q.base(), err)
		return
	}
	page := portalPage{base: q.base()}
	for _, a := range apps {
		page.Apps = append(page.Apps, portalApp{Name: a.DisplayName, Link: q.path("/apps/" + a.AppID)})
	}
	p.r.portal(w, http.StatusOK, page)
}
