// Package server assembles a guestlist process from its configuration: the
// store, keys, services, the HTTP surfaces and the background workers (mail
// outbox, pruning). cmd/guestlist and the end-to-end tests both build the
// server here, so tests exercise exactly what runs in production.
package server
