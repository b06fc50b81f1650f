// Package compose renders the emails guests receive — the invitation and
// the one-time passcode — in the guest's language, as plain text and HTML.
// What it renders is written to the outbox; the mail package delivers it.
package compose
