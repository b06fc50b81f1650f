package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"

	"guestlist/internal/server"
)

// serveLocal starts one server on SQLite in a temporary directory,
// listening on a loopback port that is also its public URL, with mail
// captured in the process. cfg's data directory, base URL, key and
// operator token are filled in. stop shuts it down and removes the data.
func serveLocal(ctx context.Context, cfg server.Config) (app *server.Server, base string, stop func(), err error) {
	dir, err := os.MkdirTemp("", "guestlist-bench-")
	if err != nil {
		return nil, "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", nil, err
	}
	base = "http://" + ln.Addr().String()
	cfg.BaseURL, cfg.DataDir, cfg.SecretKey, cfg.OperatorToken = base, dir, strings.Repeat("ab", 32), "bench"
	app, err = server.New(ctx, cfg,
		server.Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Sender: &capture{boxes: map[string]chan string{}}})
	if err != nil {
		ln.Close()
		os.RemoveAll(dir)
		return nil, "", nil, err
	}
	wctx, cancel := context.WithCancel(ctx)
	app.Start(wctx)
	hs := &http.Server{Handler: app.Handler}
	go hs.Serve(ln)
	return app, base, func() { hs.Close(); cancel(); app.Close(); os.RemoveAll(dir) }, nil
}
