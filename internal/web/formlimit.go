package web

import (
	"errors"
	"mime"
	"net/http"
)

// maxFormBytes bounds a guest page's form. The largest field a guest sends
// is an email address (254 bytes) or a request id; 16 KiB leaves room for
// every field many times over.
const maxFormBytes = 16 << 10

// formOnly lets a POST through only with an urlencoded form of at most
// maxFormBytes, parsed before the handler runs. Anything else is refused
// before its body is read: a multipart upload would otherwise be spooled to
// disk by the first PostFormValue, and a large body read into memory.
func (p *Pages) formOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			h.ServeHTTP(w, r)
			return
		}
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/x-www-form-urlencoded" {
			p.formRefused(w, r, http.StatusUnsupportedMediaType, "error.formtype")
			return
		}
		if r.ContentLength > maxFormBytes {
			p.formRefused(w, r, http.StatusRequestEntityTooLarge, "error.toolarge")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
				p.formRefused(w, r, http.StatusRequestEntityTooLarge, "error.toolarge")
				return
			}
			p.formRefused(w, r, http.StatusBadRequest, "error.formtype")
			return
		}
		h.ServeHTTP(w, r)
	})
}

func (p *Pages) formRefused(w http.ResponseWriter, r *http.Request, status int, body string) {
	// The rest of the body is not read: the connection is not reused.
	w.Header().Set("Connection", "close")
	loc := Loc{Lang: p.lang(r, nil, nil), cat: p.cat}
	p.r.message(w, status, messagePage{base: base{L: loc}, Heading: "error.heading", Body: body})
}
