package oidcop

import (
	"net/http"
	"strings"

	"guestlist/internal/core"
)

// authorize is the authorization endpoint: the library validates and
// stores the request; before that the browser gets its binding (see
// bindBrowser), and error answers to the application carry iss.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request, t *core.Tenant) {
	r = p.bindBrowser(w, r, t)
	p.op.ServeHTTP(&issWriter{ResponseWriter: w, issuer: p.issuer(t), login: p.storage.login(t.ID, "")}, r)
}

// issWriter adds iss to the library's error redirects to the application
// (RFC 9207 section 2); the redirect to the sign-in page is left alone.
type issWriter struct {
	http.ResponseWriter
	issuer, login string
}

func (w *issWriter) WriteHeader(status int) {
	if loc := w.Header().Get("Location"); status/100 == 3 && loc != "" && !strings.HasPrefix(loc, w.login) {
		w.Header().Set("Location", withIss(loc, w.issuer))
	}
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *issWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
