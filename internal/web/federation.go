package web

import (
	"errors"
	"net/http"
	"net/url"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/idp/federation"
)

// A federated sign-in (SPEC R10 steps 2 and 3) leaves for the guest's
// identity provider from /signin/federation and comes back in one of two
// ways: an OpenID provider redirects the browser to /federation/callback
// (a top-level GET, which carries the flow's SameSite=Lax cookie); a SAML
// provider posts its response cross-site to /saml/acs, which carries no
// cookie. Both take the answer by its state (RelayState), which names the
// request and its flow, and then finish on /signin/federation/done with
// the browser's own flow cookie: an answer parked on a flow this browser
// does not hold signs nobody in (SPEC R32).

// federationKind is the federated method a page names (?as=).
func federationKind(r *http.Request) core.Method {
	if core.Method(r.URL.Query().Get("as")) == core.MethodGoogle {
		return core.MethodGoogle
	}
	return core.MethodFederation
}

// federationPath is the page that begins a federated sign-in of kind.
func federationPath(q *req, kind core.Method) string {
	return q.path("/signin/federation?as=" + url.QueryEscape(string(kind)))
}

// beginFederation sends the browser to the guest's identity provider.
func (p *Pages) beginFederation(w http.ResponseWriter, r *http.Request) {
	q, ok := p.startedFlow(w, r)
	if !ok {
		return
	}
	began, err := p.redeem.Begin(r.Context(), q.tenant, q.flow, q.user, federationKind(r), q.loc.Lang, clientIP(r))
	if err != nil {
		p.federationError(w, r, q, err)
		return
	}
	// A page that moves on by itself, not a redirect: the address form
	// that led here may only end on this origin (its form-action
	// policy, which browsers apply to every redirect of the submission).
	b := q.base()
	b.Refresh = began.RedirectURL
	w.Header().Set("Cache-Control", "no-store")
	p.r.leaving(w, http.StatusOK, leavingPage{base: b, URL: began.RedirectURL})
}

// federationCallback is the OpenID provider's redirect back (the
// redirect URI partners register): the answer is taken, then the flow
// finishes at once, since this request has the flow's cookie.
func (p *Pages) federationCallback(w http.ResponseWriter, r *http.Request) {
	q, ok := p.tenantFor(w, r)
	if !ok {
		return
	}
	query := r.URL.Query()
	params := make(map[string]string, len(query))
	for k := range query {
		params[k] = query.Get(k)
	}
	kind, err := p.redeem.Answer(r.Context(), q.tenant, query.Get("state"), params)
	if err != nil {
		p.federationError(w, r, q, err)
		return
	}
	seeOther(w, r, federationDone(q, kind))
}

// maxSAMLResponse bounds the ACS form: a signed response with its
// certificates is some tens of kilobytes.
const maxSAMLResponse = 256 << 10

// samlACS is the SAML assertion consumer service: the partner's response,
// posted cross-site by the browser. It is not behind the pages'
// cross-origin protection (the post comes from the provider's origin); the
// response's own signature, InResponseTo and RelayState are what it is
// checked by. The browser is then sent to finish the flow with its own
// cookie.
func (p *Pages) samlACS(w http.ResponseWriter, r *http.Request) {
	q, ok := p.tenantFor(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxSAMLResponse)
	if err := r.ParseForm(); err != nil {
		p.r.message(w, http.StatusBadRequest, messagePage{base: q.base(), Heading: "error.heading", Body: "error.federation.invalid"})
		return
	}
	params := map[string]string{"SAMLResponse": r.PostForm.Get("SAMLResponse"), "RelayState": r.PostForm.Get("RelayState")}
	kind, err := p.redeem.Answer(r.Context(), q.tenant, params["RelayState"], params)
	if err != nil {
		p.federationError(w, r, q, err)
		return
	}
	seeOther(w, r, federationDone(q, kind))
}

func federationDone(q *req, kind core.Method) string {
	return q.path("/signin/federation/done?as=" + url.QueryEscape(string(kind)))
}

// federationFinish completes the browser's flow with the answer its
// provider gave.
func (p *Pages) federationFinish(w http.ResponseWriter, r *http.Request) {
	q, ok := p.startedFlow(w, r)
	if !ok {
		return
	}
	done, err := p.redeem.Prove(r.Context(), q.tenant, q.flow, q.user, federationKind(r),
		idp.Answer{ClientIP: clientIP(r)}, q.loc.Lang)
	if err != nil {
		p.federationError(w, r, q, err)
		return
	}
	p.proved(w, r, q, done)
}

// federationError is the page of a federated sign-in that failed: it
// names the organization, the provider and what to do; the detail is in
// the sign-in log for the administrator.
func (p *Pages) federationError(w http.ResponseWriter, r *http.Request, q *req, err error) {
	var e *federation.Error
	if !errors.As(err, &e) {
		p.proofError(w, r, q, err)
		return
	}
	p.log.Info("web: federated sign-in failed", "tenant", q.tenant.ID, "err", err)
	page := messagePage{base: q.base(), Heading: "federation.heading", Provider: e.Provider, Expected: e.Expected}
	status := http.StatusBadGateway
	switch e.Problem {
	case federation.Refused:
		page.Body, status = "federation.refused", http.StatusForbidden
	case federation.Invalid:
		page.Body, status = "federation.invalid", http.StatusBadRequest
	case federation.Mismatch:
		page.Body, status = "federation.mismatch", http.StatusForbidden
	case federation.Expired, federation.NoAnswer:
		page.Body, status = "federation.expired", http.StatusBadRequest
	case federation.NoProvider:
		page.Body, status = "federation.noprovider", http.StatusForbidden
	default:
		page.Body = "federation.unavailable"
	}
	if page.Provider == "" {
		page.Provider = q.tenant.DisplayName
	}
	p.r.message(w, status, page)
}
