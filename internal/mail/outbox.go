package mail

import (
	"time"

	"github.com/google/uuid"

	"guestlist/internal/core"
)

// NewOutbox completes m for the outbox: a new id, the Message-ID every
// delivery attempt of it carries (so copies sent after a crash are
// recognisable as one message), pending and due at now. The caller sets
// tenant, kind, recipients, content and sensitivity.
func NewOutbox(m core.OutboxMessage, now time.Time) *core.OutboxMessage {
	m.ID = uuid.NewString()
	m.MessageID = "<" + m.ID + "@guestlist>"
	m.Status, m.NextAttempt, m.CreatedAt = core.MailPending, now, now
	return &m
}
