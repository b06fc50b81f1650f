package platform

import "net/http"

// Route is one API route: a method, a path pattern and its handler.
type Route struct {
	Method, Path string
	Handler      http.Handler
}

// HandleRoutes registers rs on mux and, for each path, a method-less
// pattern that answers every other method with 405, Allow and Graph's
// error body (the mux's own 405 is plain text). A method pattern is more
// specific than a method-less one, so the routes themselves still win.
// GET routes serve HEAD as well, as the mux does.
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
	for _, p := range paths {
		mux.Handle(p, MethodNotAllowed(allow[p]...))
	}
}
