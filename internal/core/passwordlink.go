package core

import "time"

// MailPasswordLink is the outbox kind of a mail carrying a set-password
// link (SPEC R43: the first administrator sets a password from a mailed
// link).
const MailPasswordLink = "passwordlink"

// PasswordLink is a one-time link that lets a member set their password
// (R43). Only the keyed hash of its token is stored; it works once, until
// ExpiresAt, and only in its tenant. Issuing a new one for the user
// replaces the earlier ones.
type PasswordLink struct {
	TenantID  string
	ID        string
	UserID    string
	Hash      []byte
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero while unused
}
