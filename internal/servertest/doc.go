// Package servertest starts a real guestlist server for tests: the
// production assembly (internal/server) on httptest, SQLite in a temporary
// directory, an in-process SMTP server on loopback that captures mail, a
// clock the test moves, and a private metrics registry. Flow tests drive it
// over HTTP with a cookie jar and read codes from the captured mail, as a
// guest would.
package servertest
