package invite

import (
	"context"
	"errors"
	"time"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/mail"
	"guestlist/internal/store"
)

// maxExpiryDays bounds a tenant's default validity: a year is longer than
// any invitation needs, and a typo of days for hours should not pass.
const maxExpiryDays = 365

// expiryOf is a new invitation's expiry (SPEC R8): the one asked for, else
// the tenant's default, else none, as in Entra.
func (s *Service) expiryOf(ctx context.Context, tx store.Tx, tenantID string, asked, now time.Time) (time.Time, error) {
	if !asked.IsZero() {
		if !asked.After(now) {
			return time.Time{}, core.Invalidf("expirationDateTime must be in the future")
		}
		return asked.UTC(), nil
	}
	days, err := tx.InvitationExpiryDays(ctx, tenantID)
	if err != nil || days == 0 {
		return time.Time{}, err
	}
	return now.Add(time.Duration(days) * 24 * time.Hour), nil
}

// ExpiryDays is the tenant's default validity of new invitations in days,
// 0 for none.
func (s *Service) ExpiryDays(ctx context.Context, tenant *core.Tenant) (int, error) {
	return s.st.InvitationExpiryDays(ctx, tenant.ID)
}

// SetExpiryDays sets the tenant's default validity of new invitations: 0
// for none, else 1 to 365 days. Invitations made before keep theirs.
func (s *Service) SetExpiryDays(ctx context.Context, tenant *core.Tenant, days int) error {
	if days < 0 || days > maxExpiryDays {
		return core.Invalidf("invitationExpiryDays must be null or a number of days from 1 to %d", maxExpiryDays)
	}
	return s.st.InTx(ctx, func(tx store.Tx) error {
		if err := tx.SetInvitationExpiryDays(ctx, tenant.ID, days); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), tenant.ID, audit.UpdateInvitationPolicy,
			audit.Policy("invitationPolicy", "invitationPolicy", audit.Set("invitationExpiryDays", nil, days)))
	})
}

// notPending says why an invitation that is not pending cannot be resent
// or revoked.
func notPending(inv *core.Invitation, action string) error {
	switch inv.Status {
	case core.InvitationCompleted:
		return core.Invalidf("the invitation has been redeemed, so it cannot be %s; to end the guest's access, delete the user or set accountEnabled to false", action)
	case core.InvitationRevoked:
		return core.Invalidf("the invitation was revoked, so it cannot be %s; invite the guest again", action)
	}
	return core.Invalidf("the invitation is %s, so it cannot be %s", inv.Status, action)
}

// Revoke withdraws a pending (or expired) invitation: its link stops
// working at once on every process, and a sign-in already started from
// it cannot redeem it (SPEC R8). The guest stays, pending, for the
// administrator to delete. Revoking a revoked invitation changes nothing;
// a redeemed one is core.ErrInvalid.
func (s *Service) Revoke(ctx context.Context, tenant *core.Tenant, id string) (*core.Invitation, error) {
	inv, err := s.st.GetInvitation(ctx, tenant.ID, id)
	if err != nil || inv.Status == core.InvitationRevoked {
		return inv, err
	}
	if inv.Status != core.InvitationPending {
		return nil, notPending(inv, "revoked")
	}
	now := s.now()
	err = s.st.InTx(ctx, func(tx store.Tx) error {
		if err := tx.RevokeInvitation(ctx, tenant.ID, id, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, tenant.ID, audit.RevokeInvitation,
			audit.UserID(inv.UserID, audit.Set("InvitationId", nil, id)))
	})
	if errors.Is(err, core.ErrConflict) { // redeemed (or revoked) meanwhile
		if inv, err = s.st.GetInvitation(ctx, tenant.ID, id); err != nil || inv.Status == core.InvitationRevoked {
			return inv, err
		}
		return nil, notPending(inv, "revoked")
	} else if err != nil {
		return nil, err
	}
	inv.Status, inv.RevokedAt = core.InvitationRevoked, now
	return inv, nil
}

// Resend mails a pending invitation's link again (SPEC R8): a copy of its
// mail — the only place the link is kept — as a new outbox message with a
// new Message-ID, written in the transaction that records the resend
// (R52), under the invitation mail limits. The invitation's validity, if
// it has one, starts afresh, so an expired invitation is live again.
// Errors: core.ErrInvalid (not pending, no mail to resend),
// *core.RetryLater (a mail limit).
func (s *Service) Resend(ctx context.Context, tenant *core.Tenant, id string) (*core.Invitation, error) {
	now := s.now()
	var out *core.Invitation
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		inv, orig, err := s.resendable(ctx, tx, tenant, id)
		if err != nil {
			return err
		}
		addr, err := core.ParseAddress(inv.Email)
		if err != nil {
			return err
		}
		if err := s.checkMailLimits(ctx, tx, tenant.ID, addr.Key(), now); err != nil {
			return err
		}
		msg := mail.NewOutbox(core.OutboxMessage{
			TenantID: tenant.ID, Kind: core.MailInvitation, To: orig.To, CC: orig.CC,
			Subject: orig.Subject, TextBody: orig.TextBody, HTMLBody: orig.HTMLBody,
		}, now)
		if err := tx.EnqueueMail(ctx, msg); err != nil {
			return err
		}
		r := store.Resend{MessageID: msg.ID, At: now, ExpiresAt: renewedExpiry(inv, now)}
		if err := tx.RecordResend(ctx, tenant.ID, id, r); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, tenant.ID, audit.ResendInvitation,
			audit.UserID(inv.UserID, audit.Set("InvitationId", nil, id))); err != nil {
			return err
		}
		inv.MessageID, inv.LastResentAt, inv.ExpiresAt = r.MessageID, r.At, r.ExpiresAt
		inv.ResentCount++
		out = inv
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s.notify != nil {
		s.notify()
	}
	return out, nil
}

// resendable reads a pending invitation and the mail it was sent with.
func (s *Service) resendable(ctx context.Context, tx store.Tx, tenant *core.Tenant, id string) (*core.Invitation, *core.OutboxMessage, error) {
	inv, err := tx.GetInvitation(ctx, tenant.ID, id)
	if err != nil {
		return nil, nil, err
	}
	if inv.Status != core.InvitationPending {
		return nil, nil, notPending(inv, "resent")
	}
	noMail := core.Invalidf("the invitation was made without sendInvitationMessage, so there is no mail to resend: share the inviteRedeemUrl it returned, or invite again with a mail")
	if inv.MessageID == "" {
		return nil, nil, noMail
	}
	orig, err := tx.GetMail(ctx, inv.MessageID)
	if errors.Is(err, core.ErrNotFound) || err == nil && orig.TenantID != tenant.ID {
		return nil, nil, noMail
	} else if err != nil {
		return nil, nil, err
	}
	u, err := tx.GetUser(ctx, tenant.ID, inv.UserID)
	if err != nil {
		return nil, nil, err
	}
	if u.Mail != inv.Email { // reset to a new address (R13): the old one must not get the link
		return nil, nil, core.Invalidf("the guest's address changed since this invitation; invite them again")
	}
	return inv, orig, nil
}

// renewedExpiry gives a resent invitation the validity it had, from now:
// the period from when it was last sent to its expiry. None stays none.
func renewedExpiry(inv *core.Invitation, now time.Time) time.Time {
	if inv.ExpiresAt.IsZero() {
		return time.Time{}
	}
	from := inv.CreatedAt
	if !inv.LastResentAt.IsZero() {
		from = inv.LastResentAt
	}
	return now.Add(inv.ExpiresAt.Sub(from))
}
