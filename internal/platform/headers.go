package platform

import "net/http"

// SecurityHeaders sets the headers every answer carries, before the handler
// runs, so 404s, API errors and library-written answers have them too: no
// MIME sniffing, no framing, a restrictive default CSP (a page that needs
// more sets its own), no referrer, and HSTS when the deployment is served
// over https (RFC 6797; never on plain http, where it would be ignored).
func SecurityHeaders(h http.Handler, https bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		hd.Set("Referrer-Policy", "no-referrer")
		if https {
			hd.Set("Strict-Transport-Security", "max-age=63072000")
		}
		h.ServeHTTP(w, r)
	})
}
