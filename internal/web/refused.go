package web

import (
	"net/http"
	"strings"

	"guestlist/internal/core"
)

// Refusal is why an application's sign-in request is refused with a page
// instead of an answer at its redirect URI (RFC 6749 section 4.1.2.1).
type Refusal int

const (
	// RefusedClient: the client id names no application of the organization.
	RefusedClient Refusal = iota + 1
	// RefusedRedirectURI: the redirect URI is not registered for the application.
	RefusedRedirectURI
	// RefusedRequest: the request is too large or malformed.
	RefusedRequest
)

// Refused shows a refused sign-in request to the person whose browser
// made it, in their language (ui_locales of the request, then
// Accept-Language, then the organization's default, R53): what went wrong
// and what the application's developer fixes. It is 400 and links nowhere:
// the redirect URI of a refused request is never followed, nor shown. t is
// the organization of the URL, nil when there is none (/common).
func (p *Pages) Refused(w http.ResponseWriter, r *http.Request, t *core.Tenant, why Refusal) {
	ui := r.URL.Query().Get("ui_locales")
	if r.Form != nil {
		ui = r.Form.Get("ui_locales")
	}
	var lang string
	if len(ui) <= 100 {
		lang = p.cat.Match(strings.ReplaceAll(ui, " ", ","), r.Header.Get("Accept-Language"))
	}
	b := base{}
	if t != nil {
		b.Org = t.DisplayName
	}
	if lang == "" {
		lang = p.lang(r, t, nil)
	}
	b.L = Loc{Lang: lang, cat: p.cat}
	body := "refused.request"
	switch why {
	case RefusedClient:
		body = "refused.client"
		if b.Org == "" {
			body = "refused.client.common"
		}
	case RefusedRedirectURI:
		body = "refused.redirect"
	}
	// The provider's answers carry the deployment's default policy, which
	// forbids the stylesheet; this page is a guest page like the others.
	setPageHeaders(w)
	p.r.message(w, http.StatusBadRequest, messagePage{base: b, Heading: "refused.heading", Body: body})
}
