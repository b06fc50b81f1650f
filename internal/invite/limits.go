package invite

import (
	"context"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// MailLimits bound the invitation mail a tenant can send, so a leaked or
// careless admin credential cannot turn the service into a mailer aimed at
// outside addresses. Counted as events in the store, so every process
// shares them. Zero turns a limit off.
type MailLimits struct {
	PerHour         int // invitation mails per tenant per hour
	PerRecipientDay int // invitation mails per tenant to one address per day
}

// DefaultMailLimits fit an organization inviting in batches.
func DefaultMailLimits() MailLimits { return MailLimits{PerHour: 100, PerRecipientDay: 5} }

const (
	mailKey          = "invite-mail"
	recipientKeyBase = "invite-mail:"
)

// checkMailLimits counts, inside the invitation's transaction and before
// anything is written, the mails already sent; it records this one when
// it may go. The refusal rolls the whole invitation back.
func (s *Service) checkMailLimits(ctx context.Context, tx store.Tx, tenantID, addrKey string, now time.Time) error {
	// One tenant-wide lock so concurrent invitations to different
	// addresses cannot each see room for one more.
	if err := tx.Lock(ctx, tenantID, mailKey); err != nil {
		return err
	}
	for _, l := range []struct {
		key    string
		limit  int
		window time.Duration
		what   string
	}{
		{mailKey, s.limits.PerHour, time.Hour, "invitation mails per hour for this tenant"},
		{recipientKeyBase + addrKey, s.limits.PerRecipientDay, 24 * time.Hour, "invitation mails per day to this address"},
	} {
		if l.limit <= 0 {
			continue
		}
		n, _, err := tx.CountEvents(ctx, tenantID, l.key, now.Add(-l.window))
		if err != nil {
			return err
		}
		if n >= l.limit {
			return &core.RetryLater{After: l.window, Err: core.Errorf(core.ErrThrottled, "TooManyRequests",
				"at most %d %s; try again later, or invite without sendInvitationMessage", l.limit, l.what)}
		}
	}
	for _, key := range []string{mailKey, recipientKeyBase + addrKey} {
		if err := tx.RecordEvent(ctx, tenantID, key, now); err != nil {
			return err
		}
	}
	return nil
}
