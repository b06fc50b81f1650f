package main_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/mail/smtptest"
	"guestlist/internal/servertest"
	"guestlist/internal/store/sqlstore"
)

// What guests read (internal/i18n/locales/en.json, as html/template
// writes it) and where they land.
const (
	redirectURL  = "https://app.example/welcome"
	textWrong    = "That code didn&#39;t work."
	textExpired  = "That code has expired or has been used too many times."
	textWait     = "before asking for another code."
	textOTPOff   = "Signing in with a one-time code is turned off for Fabrikam."
	textInternal = "Something went wrong on our side."
	textSignedIn = "You&#39;re signed in"
	emailPolicy  = "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email"
	// mailWait bounds every wait for a mail: a message whose sender died
	// holding its lease goes out again once the 1-minute lease expires.
	mailWait = 90 * time.Second
)

// page is a response as a browser sees it.
type page struct {
	status   int
	location string
	body     string
}

func (p page) String() string {
	return fmt.Sprintf("%d (to %q): %.400s", p.status, p.location, p.body)
}

// browser has a cookie jar and follows no redirects, so each step shows.
// Its cookies are sent to every process: they all answer on 127.0.0.1,
// and cookies ignore the port, as behind one load balancer.
type browser struct{ c *http.Client }

func newBrowser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{c: &http.Client{Jar: jar, Timeout: 20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(ctx context.Context, method, u string, form url.Values) (page, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return page{}, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept-Language", "en")
	resp, err := b.c.Do(req)
	if err != nil {
		return page{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return page{}, err
	}
	return page{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(raw)}, nil
}

// hasSession reports whether the browser holds a session cookie of tenant.
func (b *browser) hasSession(tenantID string) bool {
	u, _ := url.Parse("http://127.0.0.1/")
	return slices.ContainsFunc(b.c.Jar.Cookies(u), func(c *http.Cookie) bool {
		return c.Name == "gl-session-"+tenantID
	})
}

// api sends an admin or operator API request with a bearer token and
// decodes the JSON object it answers (nil for an empty body).
func api(ctx context.Context, method, u, token string, body any) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(raw)
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, nil, err
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || len(bytes.TrimSpace(raw)) == 0 {
		return resp.StatusCode, nil, err
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("%s %s: %d, not a JSON object: %.200q", method, u, resp.StatusCode, raw)
	}
	return resp.StatusCode, out, nil
}

// field reads a string at a path of nested JSON objects ("" if absent).
func field(m map[string]any, path ...string) string {
	for i, k := range path {
		if i == len(path)-1 {
			s, _ := m[k].(string)
			return s
		}
		m, _ = m[k].(map[string]any)
	}
	return ""
}

// tenant is Fabrikam with an admin access token.
type tenant struct{ id, token string }

// createTenant creates Fabrikam through p's operator API and gets an admin
// token from p's token endpoint, as an operator and a script would.
func createTenant(t *testing.T, p *serveProc, operatorToken string) tenant {
	t.Helper()
	status, body, err := api(t.Context(), "POST", p.url()+"/operator/v1/tenants", operatorToken,
		map[string]any{"displayName": "Fabrikam", "domains": []string{"fabrikam.example"}})
	if err != nil || status != http.StatusCreated {
		t.Fatalf("create tenant on %s: %d %v %v", p.name, status, body, err)
	}
	tn := tenant{id: field(body, "id")}
	resp, err := http.PostForm(p.url()+"/"+tn.id+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {field(body, "adminApplication", "appId")},
		"client_secret": {field(body, "adminApplication", "clientSecret")},
		"scope":         {"https://graph.microsoft.com/.default"},
	})
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&tok) != nil || tok.AccessToken == "" {
		t.Fatalf("token on %s: status %d", p.name, resp.StatusCode)
	}
	tn.token = tok.AccessToken
	return tn
}

// invitation is an invitation the API acknowledged (201).
type invitation struct {
	id, userID, email, link string
}

// invite invites email with an invitation mail through p.
func invite(ctx context.Context, p *serveProc, tn tenant, email string) (invitation, error) {
	status, body, err := api(ctx, "POST", p.url()+"/v1.0/invitations", tn.token, map[string]any{
		"invitedUserEmailAddress": email, "inviteRedirectUrl": redirectURL, "sendInvitationMessage": true})
	if err != nil {
		return invitation{}, fmt.Errorf("invite %s on %s: %w", email, p.name, err)
	}
	inv := invitation{id: field(body, "id"), userID: field(body, "invitedUser", "id"), email: email,
		link: field(body, "inviteRedeemUrl")}
	if status != http.StatusCreated || inv.id == "" || inv.userID == "" || inv.link == "" {
		return invitation{}, fmt.Errorf("invite %s on %s: %d %v", email, p.name, status, body)
	}
	return inv, nil
}

// guest is one invited person with one browser.
type guest struct {
	i        int
	inv      invitation
	b        *browser
	requests int    // requests sent; the load balancer alternates on it
	code     string // the code that signed the guest in
	acked    bool   // the accept was answered with the redirect
	lost     bool   // an earlier accept went through but its answer was lost
	resumed  bool   // the session let a second visit straight through
}

func newGuest(i int, inv invitation) *guest { return &guest{i: i, inv: inv, b: newBrowser()} }

// rig is what one test's guests share: the mail server, the tenant, where
// their requests go, and what a failed request means.
type rig struct {
	smtp *smtptest.Server
	tn   tenant
	// target is the process the guest's next request goes to: the load
	// balancer.
	target func(g *guest) *serveProc
	// recover judges a request that got no answer, a 5xx page or an
	// answer expect did not want: it
	// returns nil, once a retry makes sense, if the test staged the
	// failure (a kill, an outage) while the request ran; otherwise the
	// failure is a bug and it says so.
	recover func(ctx context.Context, p *serveProc, started time.Time, err error) error
	// gate is held for reading from Send code until the code arrives, and
	// while the code is entered, so a test holding it can stage a crash
	// while no code is in flight.
	gate     sync.RWMutex
	failures atomic.Int64 // requests that failed and were retried
	finished atomic.Int64 // guests who completed their redemption
	// onFinish is told the number of guests finished so far.
	onFinish func(n int64)
}

// do sends one request of g's flow to the process target picks, trying
// again (five tries at most) when recover excuses a failure.
func (r *rig) do(ctx context.Context, g *guest, method, path string, form url.Values) (page, error) {
	return r.expect(ctx, g, method, path, form, nil)
}

// expect is do for a request whose answer want must accept: another
// answer counts as a failure, which recover may excuse. A revisit that
// straddles the database stopping lands on the Send code page, for
// instance: the session lookup failed, and the page treats that as no
// session (internal/web Pages.session).
func (r *rig) expect(ctx context.Context, g *guest, method, path string, form url.Values, want func(page) bool) (page, error) {
	for try := 1; ; try++ {
		p := r.target(g)
		g.requests++
		started := time.Now()
		pg, err := g.b.do(ctx, method, p.url()+path, form)
		if err == nil && pg.status < 500 && (want == nil || want(pg)) {
			return pg, nil
		}
		if err == nil {
			err = fmt.Errorf("%s %s on %s: %v", method, path, p.name, pg)
		} else {
			err = fmt.Errorf("%s %s on %s: %w", method, path, p.name, err)
		}
		if try == 5 {
			return pg, fmt.Errorf("giving up after %d tries: %w", try, err)
		}
		if rerr := r.recover(ctx, p, started, err); rerr != nil {
			return pg, rerr
		}
		r.failures.Add(1)
	}
}

// run redeems every guest from queue, workers at a time, and returns what
// went wrong for whom.
func (r *rig) run(ctx context.Context, queue <-chan *guest, workers int) []error {
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for g := range queue {
				if err := r.redeem(ctx, g); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("guest %d (%s): %w", g.i, g.inv.email, err))
					mu.Unlock()
					continue
				}
				if n := r.finished.Add(1); r.onFinish != nil {
					r.onFinish(n)
				}
			}
		})
	}
	wg.Wait()
	return errs
}

// redeem takes g from the invitation mail to the redirect URL: open the
// link from the mail, Send code, enter the mailed code, accept; then opens
// the link again, which the session lets straight through.
func (r *rig) redeem(ctx context.Context, g *guest) error {
	if _, err := r.waitMail(ctx, g.inv.email, func(m smtptest.Message) bool {
		return strings.Contains(m.TextBody, g.inv.link)
	}); err != nil {
		return fmt.Errorf("invitation mail: %w", err)
	}
	link := requestURI(g.inv.link)
	p, err := r.do(ctx, g, "GET", link, nil)
	if err != nil {
		return err
	}
	if p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "/signin/passcode") {
		return fmt.Errorf("open link: %v", p)
	}
	base := tenantBase(p.location)
	if p, err = r.do(ctx, g, "GET", p.location, nil); err != nil {
		return err
	} else if p.status != http.StatusOK || !strings.Contains(p.body, `id="send"`) {
		return fmt.Errorf("start page: %v", p)
	}
	if err := r.sendCode(ctx, g, base); err != nil {
		return err
	}
	// The code is entered under the gate too: its answer, lost with a
	// crash, carries the flow's new cookie, and the old one names nothing
	// once the proof is accepted (a planted copy must not follow it), so
	// such a guest starts again. The lost answers this test counts are
	// those of consent.
	r.gate.RLock()
	p, err = r.do(ctx, g, "POST", base+"/signin/code", url.Values{"code": {g.code}})
	r.gate.RUnlock()
	if err != nil {
		return err
	} else if p.status != http.StatusSeeOther || p.location != base+"/signin/consent" {
		return fmt.Errorf("code %s: %v", g.code, p)
	}
	if p, err = r.do(ctx, g, "GET", p.location, nil); err != nil {
		return err
	} else if p.status != http.StatusOK || !strings.Contains(p.body, `id="accept"`) {
		return fmt.Errorf("consent page: %v", p)
	}
	if p, err = r.do(ctx, g, "POST", base+"/signin/consent", url.Values{"action": {"accept"}}); err != nil {
		return err
	}
	switch {
	case p.status == http.StatusSeeOther && p.location == redirectURL:
		g.acked = true
	case p.status == http.StatusOK && strings.Contains(p.body, textSignedIn):
		g.lost = true // a try that failed had gone through: the flow is done
	default:
		return fmt.Errorf("accept: %v", p)
	}
	if !g.b.hasSession(r.tn.id) {
		return nil // the code's answer, with the cookie, was lost
	}
	if _, err = r.expect(ctx, g, "GET", link, nil, func(p page) bool {
		return p.status == http.StatusSeeOther && p.location == redirectURL
	}); err != nil {
		return fmt.Errorf("second visit with a session, want straight to %s: %w", redirectURL, err)
	}
	g.resumed = true
	return nil
}

// sendCode presses Send code and waits for the code's mail. A 429 means
// an earlier try was sent but its answer lost: that try's mail comes.
func (r *rig) sendCode(ctx context.Context, g *guest, base string) error {
	r.gate.RLock()
	defer r.gate.RUnlock()
	before := map[string]bool{}
	for _, m := range r.smtp.Messages() {
		before[m.MessageID()] = true
	}
	p, err := r.do(ctx, g, "POST", base+"/signin/passcode", url.Values{})
	if err != nil {
		return err
	}
	switch {
	case p.status == http.StatusSeeOther && strings.Contains(p.location, "/signin/code"):
		if p, err = r.do(ctx, g, "GET", p.location, nil); err != nil {
			return err
		} else if p.status != http.StatusOK || !strings.Contains(p.body, `name="code"`) {
			return fmt.Errorf("enter code page: %v", p)
		}
	case p.status == http.StatusTooManyRequests && strings.Contains(p.body, textWait):
	default:
		return fmt.Errorf("send code: %v", p)
	}
	m, err := r.waitMail(ctx, g.inv.email, func(m smtptest.Message) bool {
		return servertest.CodeIn(m) != "" && !before[m.MessageID()]
	})
	if err != nil {
		return fmt.Errorf("passcode mail: %w", err)
	}
	g.code = servertest.CodeIn(m)
	return nil
}

// waitMail waits (at most mailWait) for a mail to `to` that match accepts.
func (r *rig) waitMail(ctx context.Context, to string, match func(smtptest.Message) bool) (smtptest.Message, error) {
	ctx, cancel := context.WithTimeout(ctx, mailWait)
	defer cancel()
	return r.smtp.WaitFor(ctx, func(m smtptest.Message) bool {
		return slices.ContainsFunc(m.To, func(a string) bool { return strings.EqualFold(a, to) }) && match(m)
	})
}

// codeRefusedAgain opens g's link in a fresh browser on p and enters the
// code g signed in with: a used code must not work again.
func (r *rig) codeRefusedAgain(ctx context.Context, p *serveProc, g *guest) error {
	b := newBrowser()
	opened, err := b.do(ctx, "GET", p.url()+requestURI(g.inv.link), nil)
	if err != nil {
		return err
	}
	if opened.status != http.StatusSeeOther || !strings.HasSuffix(opened.location, "/signin/passcode") {
		return fmt.Errorf("open link again: %v", opened)
	}
	again, err := b.do(ctx, "POST", p.url()+tenantBase(opened.location)+"/signin/code", url.Values{"code": {g.code}})
	if err != nil {
		return err
	}
	if again.status != http.StatusBadRequest || !strings.Contains(again.body, textExpired) {
		return fmt.Errorf("used code %s entered again: %v, want 400 %q", g.code, again, textExpired)
	}
	return nil
}

// checkRedeemed: the invitation exists and is Completed, and its user is
// Accepted with exactly one identity, the mail one.
func checkRedeemed(ctx context.Context, p *serveProc, tn tenant, inv invitation) error {
	status, body, err := api(ctx, "GET", p.url()+"/v1.0/invitations/"+inv.id, tn.token, nil)
	if err != nil || status != http.StatusOK || field(body, "status") != core.InvitationCompleted {
		return fmt.Errorf("invitation %s: %d %v %v, want it Completed", inv.id, status, body, err)
	}
	status, u, err := api(ctx, "GET", p.url()+"/v1.0/users/"+inv.userID+"?$select=identities,externalUserState", tn.token, nil)
	if err != nil || status != http.StatusOK {
		return fmt.Errorf("user %s: %d %v %v", inv.userID, status, u, err)
	}
	ids, _ := u["identities"].([]any)
	var id map[string]any
	if len(ids) == 1 {
		id, _ = ids[0].(map[string]any)
	}
	if u["externalUserState"] != "Accepted" || id == nil || id["issuer"] != "mail" ||
		id["signInType"] != "federated" || !strings.EqualFold(fmt.Sprint(id["issuerAssignedId"]), inv.email) {
		return fmt.Errorf("user %s: state %v, identities %v; want Accepted with exactly the mail identity",
			inv.userID, u["externalUserState"], u["identities"])
	}
	return nil
}

// outboxReport is what checkOutbox found.
type outboxReport struct {
	messages   int // rows in the outbox
	duplicates int // deliveries beyond the first of a Message-ID
}

// checkOutbox waits until the outbox (read from the database at dsn) has
// nothing pending — a message whose sender died holding its lease goes
// out again once the lease expires — then checks that every message was
// sent and delivered, and counts duplicate deliveries by Message-ID.
func checkOutbox(t *testing.T, ctx context.Context, dsn string, smtp *smtptest.Server) outboxReport {
	t.Helper()
	st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{MaxConns: 2})
	if err != nil {
		t.Fatalf("open the outbox: %v", err)
	}
	defer st.Close()
	var msgs []core.OutboxMessage
	// A bounded poll of the outbox: no event says "nothing pending".
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(mailWait)
	for {
		if msgs, err = st.ListMail(ctx, 0); err != nil {
			t.Fatalf("outbox: %v", err)
		}
		if pending(msgs, time.Time{}) == 0 {
			break
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("%d messages still pending in the outbox after %s", pending(msgs, time.Time{}), mailWait)
		}
	}
	got := map[string]int{}
	for _, m := range smtp.Messages() {
		got[m.MessageID()]++
	}
	rep := outboxReport{messages: len(msgs)}
	for _, m := range msgs {
		id := strings.Trim(m.MessageID, "<>")
		if m.Status != core.MailSent || got[id] == 0 {
			t.Errorf("outbox message %s (%s to %v): status %s, delivered %d times; want sent and delivered",
				id, m.Kind, m.To, m.Status, got[id])
		}
	}
	for _, n := range got {
		rep.duplicates += n - 1
	}
	return rep
}

// pendingMail counts the outbox's pending messages, only those leased
// beyond leasedAfter unless it is zero.
func pendingMail(ctx context.Context, dsn string, leasedAfter time.Time) (int, error) {
	st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{MaxConns: 1})
	if err != nil {
		return 0, err
	}
	defer st.Close()
	msgs, err := st.ListMail(ctx, 0)
	return pending(msgs, leasedAfter), err
}

func pending(msgs []core.OutboxMessage, leasedAfter time.Time) int {
	n := 0
	for _, m := range msgs {
		if m.Status == core.MailPending && (leasedAfter.IsZero() || m.LeaseUntil.After(leasedAfter)) {
			n++
		}
	}
	return n
}

// requestURI is the path and query of an absolute URL (a redeem link
// names the public base URL; the request goes to one process).
func requestURI(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return u
	}
	return pu.RequestURI()
}

// tenantBase is the "/{tenant}" prefix of a guest page path.
func tenantBase(path string) string {
	parts := strings.SplitN(strings.TrimPrefix(requestURI(path), "/"), "/", 2)
	return "/" + parts[0]
}

// totalRequests adds up the guests' requests.
func totalRequests(guests []*guest) int {
	n := 0
	for _, g := range guests {
		n += g.requests
	}
	return n
}

var errNotStaged = errors.New("no crash or outage was staged while it ran")
