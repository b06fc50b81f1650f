package mail

import (
	"context"
	"strings"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/mail/smtptest"
)

// The Worker with the real SMTP sender rides out an outage, first a 451
// reply and then a server that is not there, and delivers the message
// exactly once when the server is back.
func TestWorkerDeliversThroughSMTPOutage(t *testing.T) {
	srv := smtptest.Start(t, smtptest.WithSTARTTLS(), smtptest.WithAuth("app", "s3cret"))
	srv.SetFailure(451)
	st, c := newFakeStore(), newClock()
	m := testMessage("inv-outage")
	if err := st.EnqueueMail(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	w := newTestWorker(t, st, newSender(t, srv, ""), c, WorkerOptions{})
	startWorker(t, w)

	first := st.waitStatus(t, m.ID, core.MailPending, 1)
	if !strings.Contains(first.LastError, "451 ") {
		t.Errorf("reason after the 451: %q", first.LastError)
	}
	if srv.Rejected() == 0 {
		t.Error("the server was never asked")
	}

	srv.SetFailure(0)
	srv.Stop()
	c.Advance(minutes(1))
	w.Notify()
	got := st.waitStatus(t, m.ID, core.MailPending, 2)
	if got.LastError == "" || got.LastError == first.LastError {
		t.Errorf("reason while the server is down: %q", got.LastError)
	}

	srv.Restart()
	c.Advance(minutes(2))
	w.Notify()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	delivered, err := srv.WaitFor(ctx, func(d smtptest.Message) bool { return d.MessageID() == m.MessageID })
	if err != nil {
		t.Fatal(err)
	}
	checkMessage(t, delivered, m)
	got = st.waitStatus(t, m.ID, core.MailSent, 3)
	if !got.SentAt.Equal(c.Now()) {
		t.Errorf("sentAt %v, want %v", got.SentAt, c.Now())
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d copies delivered, want exactly 1", n)
	}
}
