package passcode

import (
	"context"
	"errors"
	"time"

	"guestlist/internal/compose"
	"guestlist/internal/core"
	"guestlist/internal/mail"
	"guestlist/internal/store"
)

// MailOrgLink mails addr a link to tenant's sign-in, for "Sign in to an
// organization" by the organization's name (SPEC R31). The caller decides
// that addr is a user of the tenant; whoever typed the name learns nothing
// from it (R25): the mail counts against the same per-client and
// per-address hourly budgets as passcode mail (R23), and a full budget
// sends nothing and reports no error, so the answer stays the same.
func (s *Service) MailOrgLink(ctx context.Context, tenant *core.Tenant, addr core.Address, link, lang, clientIP string) error {
	now := s.now()
	mailKey := addr.Key()
	clientKey, addressKey := clientSendKey(mailKey, clientIP), addressSendKey(mailKey)
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		held, err := tx.EventWindows(ctx, tenant.ID, now.Add(-time.Hour), clientKey, addressKey)
		if err != nil {
			return err
		}
		if err := limit(held[clientKey], window{s.cfg.ClientHourlySends, time.Hour}, now, ReasonClientSends); err != nil {
			return err
		}
		if err := limit(held[addressKey], window{s.cfg.HourlySends, time.Hour}, now, ReasonAddressSends); err != nil {
			return err
		}
		if err := tx.RecordEvents(ctx, tenant.ID, now, clientKey, addressKey); err != nil {
			return err
		}
		m, err := s.mails.OrgLink(compose.OrgLink{Lang: lang, Org: tenant.DisplayName, Link: link, RequestedAt: now, IP: clientIP})
		if err != nil {
			return err
		}
		return tx.EnqueueMail(ctx, mail.NewOutbox(core.OutboxMessage{
			TenantID: tenant.ID, Kind: core.MailPasscode, To: []string{addr.String()},
			Subject: m.Subject, TextBody: m.Text, HTMLBody: m.HTML, Sensitive: true,
		}, now))
	})
	if errors.Is(err, core.ErrThrottled) {
		return nil
	}
	if err == nil && s.notify != nil {
		s.notify()
	}
	return err
}
