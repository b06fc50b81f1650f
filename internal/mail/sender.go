package mail

import (
	"context"

	"guestlist/internal/core"
)

// Sender hands one outbox message to the mail system.
//
// An error wrapped with Permanent means the message cannot be delivered
// as it is and must not be retried; any other error is temporary (server
// unreachable, 4xx reply, timeout) and the Worker retries with backoff.
// Send must honour ctx: when it ends, Send returns promptly.
type Sender interface {
	Send(ctx context.Context, m *core.OutboxMessage) error
}

// DevSender is the Sender used when no SMTP server is configured (SPEC
// R50). It delivers nowhere: the message stays in the outbox, marked sent,
// and the dev mailbox (DevMailboxHandler) shows it from the store.
type DevSender struct{}

// Send does nothing and succeeds.
func (DevSender) Send(context.Context, *core.OutboxMessage) error { return nil }
