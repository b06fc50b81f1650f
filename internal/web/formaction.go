package web

import (
	"net/http"
	"net/url"
)

// pageCSP is every guest page's policy: nothing loaded from elsewhere, no
// framing, forms only to this origin.
const pageCSP = "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; " + formAction

// formAction is the policy's last directive, so an origin can be appended.
const formAction = "form-action 'self'"

// formTarget is the origin a flow's forms may finally land on: the
// application's redirect URI, or the invitation's redirect URL. Browsers
// apply form-action to every redirect that follows a form submission, so
// the page whose form ends the flow (Enter code, consent) must name it.
func (p *Pages) formTarget(r *http.Request, q *req) string {
	target := q.flow.RedirectURL
	if q.flow.AuthRequestID != "" {
		ar, err := p.auth.AuthRequest(r, q.tenant, q.flow.AuthRequestID)
		if err != nil {
			return "" // the page then fails the flow on its own terms
		}
		target = ar.RedirectURI
	}
	u, err := url.Parse(target)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// allowFormTarget widens the page's form-action to origin.
func allowFormTarget(w http.ResponseWriter, origin string) {
	if origin != "" {
		w.Header().Set("Content-Security-Policy", pageCSP+" "+origin)
	}
}
