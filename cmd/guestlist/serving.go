package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"guestlist/internal/server"
)

// checkMailbox decides whether a server without SMTP may keep its mail in
// the dev mailbox, which shows every passcode to whoever opens /dev/mail:
// only when nobody but this machine can reach it, or when the operator asked
// for it by name.
func (s *serveCmd) checkMailbox(log *slog.Logger, baseURL string) error {
	if s.SMTP != "" {
		return nil
	}
	if server.LoopbackOnly(s.Addr, baseURL) {
		return nil
	}
	if s.DevMailbox {
		log.Warn("DEV MAILBOX ON A REACHABLE SERVER: anyone who can open /dev/mail reads every passcode and invitation link; "+
			"set --smtp (GUESTLIST_SMTP) for anything but a throwaway test", "addr", s.Addr, "base_url", baseURL)
		return nil
	}
	return fmt.Errorf("no SMTP server configured, and %s (base URL %s) can be reached from other machines: "+
		"set --smtp (GUESTLIST_SMTP) to deliver mail; the dev mailbox, which shows every passcode at /dev/mail, "+
		"is only served on a loopback address with an http://127.0.0.1 or http://localhost base URL, "+
		"or with --dev-mailbox (GUESTLIST_DEV_MAILBOX=true) for a throwaway test", s.Addr, baseURL)
}

// serveMetrics serves the Prometheus metrics on their own address (loopback
// by default), so the process's internals are not published next to the
// guest pages. An empty address turns them off. The returned function stops
// the listener.
func serveMetrics(addr string, h http.Handler, log *slog.Logger) (func(), error) {
	if addr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: %w (set another address, or an empty one to turn metrics off)", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server", "err", err)
		}
	}()
	log.Info("metrics served", "url", "http://"+ln.Addr().String()+"/metrics")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
	}, nil
}
