package server_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"guestlist/internal/mail"
	"guestlist/internal/mail/smtptest"
	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

// The invitation mail's way out (SPEC R8, R52): the API answers without
// waiting for SMTP, the outbox rides out temporary failures and restarts,
// gives up on permanent ones, and the administrator sees which is which.

// backoff is the wait after a failed attempt in these tests; the tests move
// the clock past it instead of waiting.
const backoff = time.Minute

// workerEvents is a log handler that signals every record the mail worker
// writes. The worker logs after it has recorded an outcome in the store, so
// a test waits for the next record and then reads the state from the API,
// instead of sleeping.
type workerEvents struct {
	mu      *sync.Mutex
	changed *chan struct{}
	mail    bool // a logger derived with a "mail" attribute
}

func newWorkerEvents() *workerEvents {
	ch := make(chan struct{})
	return &workerEvents{mu: &sync.Mutex{}, changed: &ch}
}

func (e *workerEvents) Enabled(context.Context, slog.Level) bool { return true }

func (e *workerEvents) Handle(_ context.Context, r slog.Record) error {
	fromWorker := e.mail || strings.HasPrefix(r.Message, "mail")
	r.Attrs(func(a slog.Attr) bool {
		fromWorker = fromWorker || a.Key == "mail"
		return !fromWorker
	})
	if fromWorker {
		e.mu.Lock()
		close(*e.changed)
		*e.changed = make(chan struct{})
		e.mu.Unlock()
	}
	return nil
}

func (e *workerEvents) WithAttrs(as []slog.Attr) slog.Handler {
	c := *e
	for _, a := range as {
		c.mail = c.mail || a.Key == "mail"
	}
	return &c
}

func (e *workerEvents) WithGroup(string) slog.Handler { return e }

// next is closed when the worker logs its next record.
func (e *workerEvents) next() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	return *e.changed
}

// mailServer starts a server whose mail worker retries after backoff and
// polls the outbox often, so a clock move is noticed at once.
func mailServer(t *testing.T, o servertest.Options) (*servertest.Server, *workerEvents) {
	t.Helper()
	ev := newWorkerEvents()
	o.Logger = slog.New(ev)
	o.MailWorker = mail.WorkerOptions{
		Backoff:      func(int) time.Duration { return backoff },
		MaxAttempts:  5,
		PollInterval: 10 * time.Millisecond,
	}
	return servertest.New(t, o), ev
}

// delivery is an invitation's messageDelivery as the API shows it.
type delivery struct {
	Status    string
	Attempts  int
	LastError string
	Sent      string
	Next      string
}

func getDelivery(t testing.TB, s *servertest.Server, tn servertest.Tenant, invID string) (delivery, bool) {
	t.Helper()
	status, inv := s.Do(t, "GET", "/v1.0/invitations/"+invID, tn.Token, nil)
	if status != http.StatusOK {
		t.Fatalf("GET invitation: %d %v", status, inv)
	}
	return toDelivery(inv)
}

func toDelivery(inv map[string]any) (delivery, bool) {
	m, ok := inv["messageDelivery"].(map[string]any)
	if !ok {
		return delivery{}, false
	}
	d := delivery{}
	d.Status, _ = m["status"].(string)
	if n, ok := m["attempts"].(float64); ok {
		d.Attempts = int(n)
	}
	d.LastError, _ = m["lastError"].(string)
	d.Sent, _ = m["sentDateTime"].(string)
	d.Next, _ = m["nextAttemptDateTime"].(string)
	return d, true
}

// waitDelivery reads the invitation's delivery state each time the mail
// worker records something, until cond holds (at most 10 s).
func waitDelivery(t testing.TB, s *servertest.Server, ev *workerEvents, tn servertest.Tenant, invID string, what string, cond func(delivery) bool) delivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for {
		next := ev.next() // before reading, so no outcome slips between
		d, ok := getDelivery(t, s, tn, invID)
		if ok && cond(d) {
			return d
		}
		select {
		case <-next:
		case <-ctx.Done():
			t.Fatalf("invitation %s: waiting for %s; delivery is %+v", invID, what, d)
		}
	}
}

func retried(d delivery) bool { return d.Status == "queued" && d.Attempts >= 1 && d.LastError != "" }

// mailsTo counts the messages the SMTP server accepted for addr.
func mailsTo(srv *smtptest.Server, addr string) []smtptest.Message {
	var out []smtptest.Message
	for _, m := range srv.Messages() {
		if containsFold(m.To, addr) {
			out = append(out, m)
		}
	}
	return out
}

func inviteWithMail(t testing.TB, s *servertest.Server, tn servertest.Tenant, email string) map[string]any {
	t.Helper()
	return s.Invite(t, tn, email, map[string]any{"sendInvitationMessage": true})
}

// TestMailSurvivesSMTPOutage: the SMTP server answers 451 (try later); the
// invitation is created at once, the admin sees the mail pending with the
// reason, and once the server heals the mail goes out exactly once.
func TestMailSurvivesSMTPOutage(t *testing.T) {
	t.Parallel()
	s, ev := mailServer(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam")
	s.SMTP.SetFailure(451)

	const email = "alice@contoso.example"
	inv := inviteWithMail(t, s, tn, email) // 201, though no mail can go out
	id := inv["id"].(string)
	if d, ok := getDelivery(t, s, tn, id); !ok || d.Status != "queued" {
		t.Fatalf("new invitation's mail: %+v (present %v), want pending", d, ok)
	}

	d := waitDelivery(t, s, ev, tn, id, "a failed first attempt", retried)
	if !strings.Contains(d.LastError, "451") {
		t.Errorf("lastError %q does not say what the SMTP server answered (451)", d.LastError)
	}
	if d.Next == "" {
		t.Error("pending mail does not say when it is tried next")
	}
	if s.SMTP.Rejected() == 0 {
		t.Error("the SMTP server was never asked")
	}
	if n := len(mailsTo(s.SMTP, email)); n != 0 {
		t.Fatalf("%d mails delivered during the outage", n)
	}
	// The pending list shows it, too (R8).
	status, list := s.Do(t, "GET", "/v1.0/invitations", tn.Token, nil)
	if status != http.StatusOK || len(values(t, list)) != 1 {
		t.Fatalf("pending invitations: %d %v", status, list)
	}
	if ld, _ := toDelivery(values(t, list)[0]); ld.Status != "queued" || ld.LastError == "" {
		t.Errorf("pending list shows delivery %+v", ld)
	}

	s.SMTP.SetFailure(0)
	s.Clock.Advance(backoff + time.Second)
	m := s.WaitMail(t, email, 1, "")
	if !strings.Contains(m.TextBody, inv["inviteRedeemUrl"].(string)) {
		t.Errorf("the delayed mail lacks the redeem link:\n%s", m.TextBody)
	}
	d = waitDelivery(t, s, ev, tn, id, "sent", func(d delivery) bool { return d.Status == "sent" })
	if d.Sent == "" || d.Attempts < 2 {
		t.Errorf("delivered mail: %+v, want a sent time and the retry counted", d)
	}
	if n := len(mailsTo(s.SMTP, email)); n != 1 {
		t.Errorf("%d copies delivered, want exactly 1", n)
	}
	if m.MessageID() == "" {
		t.Error("the delivered mail has no Message-ID")
	}
}

// TestMailSurvivesSMTPDown: nothing listens on the SMTP port; once it is
// back the mail goes out.
func TestMailSurvivesSMTPDown(t *testing.T) {
	t.Parallel()
	s, ev := mailServer(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam")
	s.SMTP.Stop()

	const email = "bob@contoso.example"
	inv := inviteWithMail(t, s, tn, email)
	id := inv["id"].(string)
	d := waitDelivery(t, s, ev, tn, id, "a failed first attempt", retried)
	t.Logf("while the SMTP server is down: %s", d.LastError)

	s.SMTP.Restart()
	s.Clock.Advance(backoff + time.Second)
	s.WaitMail(t, email, 1, "")
	waitDelivery(t, s, ev, tn, id, "sent", func(d delivery) bool { return d.Status == "sent" })
	if n := len(mailsTo(s.SMTP, email)); n != 1 {
		t.Errorf("%d copies delivered, want exactly 1", n)
	}
}

// TestMailPermanentFailure: 550 (no such mailbox) is not retried; the
// invitation shows the mail failed and why, in its own state and in the
// pending list.
func TestMailPermanentFailure(t *testing.T) {
	t.Parallel()
	s, ev := mailServer(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam")
	s.SMTP.SetFailure(550)

	inv := inviteWithMail(t, s, tn, "nobody@contoso.example")
	id := inv["id"].(string)
	d := waitDelivery(t, s, ev, tn, id, "failed", func(d delivery) bool { return d.Status == "failed" })
	if !strings.Contains(d.LastError, "550") {
		t.Errorf("lastError %q does not give the reason (550)", d.LastError)
	}
	if d.Attempts != 1 || d.Next != "" || d.Sent != "" {
		t.Errorf("failed delivery %+v: want one attempt, no next attempt, no sent time", d)
	}

	status, list := s.Do(t, "GET", "/v1.0/invitations", tn.Token, nil)
	if status != http.StatusOK {
		t.Fatalf("pending invitations: %d %v", status, list)
	}
	var found bool
	for _, inv := range values(t, list) {
		if inv["id"] != id {
			continue
		}
		found = true
		if ld, _ := toDelivery(inv); ld.Status != "failed" || !strings.Contains(ld.LastError, "550") {
			t.Errorf("pending list shows delivery %+v, want failed with the reason", ld)
		}
	}
	if !found {
		t.Fatalf("the invitation with the undeliverable mail is not in the pending list: %v", list)
	}

	// A failed mail stays failed: healing the server and moving the clock
	// far on sends nothing. The next invitation's mail is delivered, so the
	// worker did run past the failed one.
	s.SMTP.SetFailure(0)
	s.Clock.Advance(24 * time.Hour)
	tn.Token = s.AdminToken(t, tn) // the old one expired
	inviteWithMail(t, s, tn, "somebody@contoso.example")
	s.WaitMail(t, "somebody@contoso.example", 1, "")
	if n := len(mailsTo(s.SMTP, "nobody@contoso.example")); n != 0 {
		t.Errorf("a permanently failed mail went out %d times", n)
	}
	if d, _ := getDelivery(t, s, tn, id); d.Status != "failed" {
		t.Errorf("failed mail changed to %+v", d)
	}
}

// TestMailSurvivesRestart: the process stops while a mail waits for a
// retry; a new process on the same data directory delivers it, and the
// tenant, its credentials and its users are all still there.
func TestMailSurvivesRestart(t *testing.T) {
	t.Parallel()
	old, oldEv := mailServer(t, servertest.Options{})
	tn := old.CreateTenant(t, "Fabrikam", "fabrikam.example")
	old.SMTP.SetFailure(451)
	const email = "carol@contoso.example"
	inv := inviteWithMail(t, old, tn, email)
	id, user := inv["id"].(string), userID(inv)
	waitDelivery(t, old, oldEv, tn, id, "a failed first attempt", retried)
	old.Stop()

	// The new process has the deployment's public URL, as a restart
	// behind the same name would, though its listener is a new one.
	s, ev := mailServer(t, servertest.Options{DataDir: old.DataDir, SMTP: old.SMTP, Clock: old.Clock,
		Config: func(c *server.Config) { c.BaseURL = old.URL }})
	s.SMTP.SetFailure(0)
	s.Clock.Advance(backoff + time.Second)
	m := s.WaitMail(t, email, 1, "")
	if !strings.Contains(m.TextBody, inv["inviteRedeemUrl"].(string)) {
		t.Errorf("mail delivered after the restart lacks the redeem link %s:\n%s", inv["inviteRedeemUrl"], m.TextBody)
	}

	fresh := s.AdminToken(t, tn) // the same client secret still works
	if status, body := s.Do(t, "GET", "/v1.0/users/"+user, fresh, nil); status != http.StatusOK || body["mail"] != email {
		t.Fatalf("user after restart: %d %v", status, body)
	}
	if status, body := s.Do(t, "GET", "/v1.0/users", tn.Token, nil); status != http.StatusOK {
		t.Errorf("a token issued before the restart (and not expired): %d %v", status, body)
	}
	tn.Token = fresh
	d := waitDelivery(t, s, ev, tn, id, "sent", func(d delivery) bool { return d.Status == "sent" })
	if d.Attempts < 2 {
		t.Errorf("delivery after restart %+v: want the first process's attempt counted", d)
	}
	if n := len(mailsTo(s.SMTP, email)); n != 1 {
		t.Errorf("%d copies delivered, want exactly 1", n)
	}
	status, body := s.Do(t, "GET", "/operator/v1/tenants/"+tn.ID, s.OperatorToken, nil)
	if status != http.StatusOK || body["displayName"] != "Fabrikam" {
		t.Errorf("tenant after restart: %d %v", status, body)
	}
	// The verified domain still names the tenant.
	resp, err := http.PostForm(s.URL+"/fabrikam.example/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {tn.AppID}, "client_secret": {tn.ClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("token by verified domain after restart: %d", resp.StatusCode)
	}
}

// TestMessageIDs: every mail has a Message-ID (so a copy sent again after
// a lost acknowledgement is recognisable) and no two mails share one.
func TestMessageIDs(t *testing.T) {
	t.Parallel()
	s, _ := mailServer(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam")
	addrs := []string{"a@contoso.example", "b@contoso.example", "c@contoso.example"}
	seen := map[string]string{}
	for _, a := range addrs {
		inviteWithMail(t, s, tn, a)
	}
	// The same guest invited twice gets two mails: two messages.
	inviteWithMail(t, s, tn, addrs[0])
	for i, a := range append(addrs, addrs[0]) {
		n := 1
		if i == len(addrs) {
			n = 2
		}
		m := s.WaitMail(t, a, n, "")
		raw := m.Header.Get("Message-Id")
		id := m.MessageID()
		if !strings.HasPrefix(raw, "<") || !strings.HasSuffix(raw, ">") || strings.Count(id, "@") != 1 ||
			strings.HasPrefix(id, "@") || strings.HasSuffix(id, "@") || strings.ContainsAny(id, " <>") {
			t.Errorf("mail to %s: Message-ID %q is not <left@right> (RFC 5322 3.6.4)", a, raw)
		}
		if prev, dup := seen[id]; dup {
			t.Errorf("mails to %s and %s share Message-ID %s", prev, a, id)
		}
		seen[id] = a
		if m.Header.Get("Date") == "" {
			t.Errorf("mail to %s has no Date header", a)
		}
	}
}
