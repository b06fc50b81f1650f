package platform

import (
	"net/http"
	"slices"
)

// Route is one API route: a method, a path pattern and its handler.
type Route struct {
	Method, Path string
	Handler      http.Handler
}

// HandleRoutes registers rs on mux and, for each path, patterns that
// answer every other method of RFC 9110 (and PATCH) with 405, Allow and
// Graph's error body (the mux's own 405 is plain text). The 405 patterns
// name their methods: a method-less one would conflict in the mux with a
// literal path beside a wildcard, such as /invitations/redemptionPreview
// beside GET /invitations/{id}. GET routes serve HEAD as well, as the mux
// does.
func HandleRoutes(mux *http.ServeMux, rs []Route) {
	var paths []string
	allow := map[string][]string{}
	for _, rt := range rs {
		mux.Handle(rt.Method+" "+rt.Path, rt.Handler)
		if allow[rt.Path] == nil {
			paths = append(paths, rt.Path)
		}
		allow[rt.Path] = append(allow[rt.Path], rt.Method)
		if rt.Method == http.MethodGet {
			allow[rt.Path] = append(allow[rt.Path], http.MethodHead)
		}
	}
	others := []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodTrace}
	for _, p := range paths {
		refuse := MethodNotAllowed(allow[p]...)
		for _, m := range others {
			if !slices.Contains(allow[p], m) {
				mux.Handle(m+" "+p, refuse)
			}
		}
	}
}
