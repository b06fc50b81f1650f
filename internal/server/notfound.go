package server

import (
	"net/http"

	"guestlist/internal/core"
)

func notFound(r *http.Request) error {
	return core.NotFoundf("no resource at %s %s", r.Method, r.URL.Path)
}
