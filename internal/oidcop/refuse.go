package oidcop

import (
	"net/http"

	"guestlist/internal/core"
	"guestlist/internal/platform"
)

// Refusal is why a request for a sign-in cannot be answered at the
// application's redirect URI and is refused where it arrived instead
// (RFC 6749 section 4.1.2.1): the client is unknown, its redirect URI is not
// registered, or the request cannot be read.
type Refusal int

const (
	// RefusedClient: client_id names no application of the organization.
	RefusedClient Refusal = iota + 1
	// RefusedRedirectURI: redirect_uri is not registered for the application.
	RefusedRedirectURI
	// RefusedRequest: the request is too large or malformed.
	RefusedRequest
)

// RefusalPage shows a refused request to the person whose browser made it:
// a page in their language saying what the application's developer must
// fix, with status 400. t is the organization of the URL, nil at /common.
type RefusalPage func(w http.ResponseWriter, r *http.Request, t *core.Tenant, why Refusal)

// refuse answers a request that may not go back to any redirect URI: a
// page when the provider has one, else an RFC 6749 error object. desc is
// for the log and the error object, never a page.
func (p *Provider) refuse(w http.ResponseWriter, r *http.Request, t *core.Tenant, why Refusal, desc string) {
	w.Header().Set("Cache-Control", "no-store")
	if p.refusalPage != nil {
		p.refusalPage(w, r, t, why)
		return
	}
	platform.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": desc})
}
