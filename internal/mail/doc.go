// Package mail delivers the durable outbox (SPEC R52).
//
// Services write an outbox row (store.Tx.EnqueueMail) in the same
// transaction as the change that causes the mail, then call Worker.Notify.
// The Worker claims due rows with a lease, hands them to a Sender and
// records the outcome: sent, retried later with backoff (temporary
// failure), or failed (permanent failure, or too many attempts). A process
// that crashes mid-send leaves a lease that expires, so another claim sends
// the message again: delivery is at least once, and every attempt carries
// the same Message-ID so the copies are recognisable.
//
// SMTPSender speaks SMTP (STARTTLS, implicit TLS, SMTP AUTH). DevSender
// and DevMailboxHandler form the dev mailbox used when no SMTP server is
// configured (SPEC R50): mail stays in the outbox and is shown at /dev/mail.
package mail
