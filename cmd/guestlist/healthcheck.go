package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// healthcheckCmd asks a running server whether it is alive. A container
// image built FROM scratch has no shell or curl, so its HEALTHCHECK runs
// the binary itself.
type healthcheckCmd struct {
	Addr    string        `default:"127.0.0.1:8080" help:"Address serve listens on; the check asks http://<addr>/healthz (an unspecified host, such as 0.0.0.0, is asked on loopback)."`
	URL     string        `name:"url" env:"-" help:"URL to ask instead of the one --addr gives."`
	Timeout time.Duration `default:"3s" env:"-" help:"How long to wait for the answer."`
}

func (h *healthcheckCmd) Run(ctx context.Context) error {
	target := h.URL
	if target == "" {
		host, port, err := net.SplitHostPort(h.Addr)
		if err != nil {
			return fmt.Errorf("--addr %q: %w", h.Addr, err)
		}
		if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
			host = "127.0.0.1"
			if ip != nil && ip.To4() == nil {
				host = "::1"
			}
		}
		target = "http://" + net.JoinHostPort(host, port) + "/healthz"
	}
	ctx, cancel := context.WithTimeout(ctx, h.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("--url %q: %w", target, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("unhealthy: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("unhealthy: %s answered %s", target, resp.Status)
	}
	fmt.Printf("healthy: %s answered %s\n", target, resp.Status)
	return nil
}
