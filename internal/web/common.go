package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"guestlist/internal/core"
)

// The common sign-in endpoint (SPEC R31, R5): a guest who does not know
// which tenant URL to use picks "Sign in to an organization" and types the
// organization's domain or name.
//
// What an outsider can learn: a verified domain (or a tenant id) leads
// straight to that tenant's sign-in, as Entra's does; that a domain
// belongs to a tenant is public anyway (every tenant's discovery answers
// under its domains). A display name is not public: a name, or anything
// that is no tenant's domain, gets the same next step (the address to
// send a link to) and the same "check your email" answer whether or not
// an organization has that name and whether or not it invited the
// address; the link goes only to an address the organization knows, so
// only its owner learns where to sign in (R25).

// Steps of the common page.
const (
	commonOrg   = "org"   // type the organization
	commonEmail = "email" // type the address to mail the link to
	commonSent  = "sent"  // check your email
)

// commonPage is the common endpoint's one page, at each step.
type commonPage struct {
	base
	Step         string
	Organization string
	Email        string
	// Authorize is a multi-tenant application's authorization request
	// (a query string) that continues at the chosen tenant, or "".
	Authorize string
	Error     string
}

func (r *renderer) common(w http.ResponseWriter, status int, p commonPage) {
	r.render(w, status, "common.html", p)
}

// commonRoutes registers /common/ and /common/signin (R31).
func (p *Pages) commonRoutes(page func(string, http.HandlerFunc)) {
	page("GET /common/{$}", p.commonStart)
	page("GET /common/signin", p.commonStart)
	page("POST /common/signin", p.commonSignin)
}

// commonStart shows the sign-in options; a link with Entra's ?tenantid=
// (an id or a domain) goes straight to that tenant.
func (p *Pages) commonStart(w http.ResponseWriter, r *http.Request) {
	pg := p.commonBase(r, r.URL.Query().Get("authorize"))
	if ref := r.URL.Query().Get("tenantid"); ref != "" {
		t, err := p.organization(r, ref)
		switch {
		case errors.Is(err, core.ErrNotFound):
			p.r.message(w, http.StatusNotFound, messagePage{base: pg.base, Heading: "error.heading", Body: "error.tenant"})
		case err != nil:
			p.internal(w, pg.base, err)
		default:
			seeOther(w, r, p.continueAt(t, pg.Authorize))
		}
		return
	}
	p.r.common(w, http.StatusOK, pg)
}

func (p *Pages) commonBase(r *http.Request, authorize string) commonPage {
	pg := commonPage{base: base{L: Loc{Lang: p.lang(r, nil, nil), cat: p.cat}}, Step: commonOrg}
	if q, err := url.ParseQuery(authorize); err == nil && authorize != "" {
		pg.Authorize = authorize
		if l := p.cat.Match(strings.ReplaceAll(q.Get("ui_locales"), " ", ",")); l != "" {
			pg.L.Lang = l
		}
		// The chosen tenant's /authorize may answer the application at
		// once (a live session): the form's redirects end there.
		if u, err := url.Parse(q.Get("redirect_uri")); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
			pg.formTarget = u.Scheme + "://" + u.Host
		}
	}
	return pg
}

// organization resolves a tenant id or domain, never the consumers
// tenant: personal accounts are no organization to sign in to.
func (p *Pages) organization(r *http.Request, ref string) (*core.Tenant, error) {
	ref = strings.TrimSpace(ref)
	if strings.EqualFold(ref, core.ConsumersName) {
		return nil, core.NotFoundf("no organization %q", ref)
	}
	t, err := p.tenants.Resolve(r.Context(), ref)
	if err == nil && t.ID == core.ConsumersTenantID {
		return nil, core.NotFoundf("no organization %q", ref)
	}
	return t, err
}

// continueAt is the chosen tenant's next step: its authorization endpoint
// for an application's request, else its sign-in towards the portal.
func (p *Pages) continueAt(t *core.Tenant, authorize string) string {
	if authorize != "" {
		return "/" + t.ID + "/v2.0/authorize?" + authorize
	}
	return "/" + t.ID + "/apps"
}

// commonSignin takes the typed organization (and, for a name, the
// address). Every lookup is throttled per client address first.
func (p *Pages) commonSignin(w http.ResponseWriter, r *http.Request) {
	pg := p.commonBase(r, r.PostFormValue("authorize"))
	pg.Organization = strings.TrimSpace(r.PostFormValue("organization"))
	pg.Email = strings.TrimSpace(r.PostFormValue("email"))
	if len(pg.Organization) > 256 || pg.Organization == "" {
		pg.Error = "common.org.invalid"
		p.r.common(w, http.StatusBadRequest, pg)
		return
	}
	if err := p.redeem.AllowOrgLookup(r.Context(), clientIP(r)); errors.Is(err, core.ErrThrottled) {
		pg.Error = "signin.toomany"
		p.r.common(w, http.StatusTooManyRequests, pg)
		return
	} else if err != nil {
		p.internal(w, pg.base, err)
		return
	}
	t, err := p.organization(r, pg.Organization)
	switch {
	case err == nil:
		seeOther(w, r, p.continueAt(t, pg.Authorize))
	case !errors.Is(err, core.ErrNotFound):
		p.internal(w, pg.base, err)
	case r.PostFormValue("step") != commonEmail:
		pg.Step = commonEmail
		p.r.common(w, http.StatusOK, pg)
	default:
		p.mailOrgLinks(w, r, pg)
	}
}

// mailOrgLinks mails the address a link to each organization of that name
// that knows it, and answers every name and address alike.
func (p *Pages) mailOrgLinks(w http.ResponseWriter, r *http.Request, pg commonPage) {
	pg.Step = commonEmail
	addr, err := core.ParseAddress(pg.Email)
	if err != nil {
		pg.Error = "signin.invalid"
		p.r.common(w, http.StatusBadRequest, pg)
		return
	}
	named, err := p.tenants.Named(r.Context(), pg.Organization)
	if err != nil {
		p.internal(w, pg.base, err)
		return
	}
	for i := range named {
		t := &named[i]
		known, err := p.redeem.Knows(r.Context(), t.ID, addr)
		if err == nil && known {
			err = p.passcode.MailOrgLink(r.Context(), t, addr, p.baseURL+p.continueAt(t, pg.Authorize), pg.L.Lang, clientIP(r))
		}
		if err != nil {
			p.internal(w, pg.base, err)
			return
		}
	}
	pg.Step = commonSent
	p.r.common(w, http.StatusOK, pg)
}
