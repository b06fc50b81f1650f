package main_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"guestlist/internal/mail"
	"guestlist/internal/mail/smtptest"
	"guestlist/internal/servertest"
	"guestlist/internal/store/pgtest"
)

// TestMain gives the package's PostgreSQL tests one database for the run.
func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }

const operatorToken = "operator-multiprocess-test"

// publicURL is the deployment's --base-url, the address a load balancer
// would answer on; tests send each request to one process's --addr.
const publicURL = "http://guestlist.test"

// TestTwoProcessesOnePostgres runs a deployment of two processes on one
// PostgreSQL database (SPEC R51), as behind a load balancer: each guest's
// requests alternate between them, so flows, throttles, sessions and
// policy must be shared. Half way through the redemptions P2 is killed
// (kill -9) and P1 takes every remaining request, including retries of
// those P2 dropped. No redemption is lost or doubled, no code works
// twice, and every queued mail goes out at least once (R6, R22, R23, R52).
func TestTwoProcessesOnePostgres(t *testing.T) {
	t.Parallel()
	began := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	smtp := smtptest.Start(t)
	dsn := pgtest.Schema(t) // a fresh schema in the run's database: -count=N starts clean
	d := deployment{bin: buildBinary(t), baseURL: publicURL,
		env:  serveEnv("GUESTLIST_SECRET_KEY="+newKey(), "GUESTLIST_OPERATOR_TOKEN="+operatorToken),
		args: []string{"--database", dsn, "--smtp", smtp.URL()}}
	p1 := d.start(t, "P1", "--data", t.TempDir())
	p2 := d.start(t, "P2", "--data", t.TempDir())
	refusesAnotherKey(t, d)
	tn := createTenant(t, p1, operatorToken)

	const n = 40
	guests := make([]*guest, n)
	for i := range guests {
		inv, err := invite(ctx, []*serveProc{p1, p2}[i%2], tn, fmt.Sprintf("guest%02d@contoso.example", i))
		if err != nil {
			t.Fatal(err)
		}
		guests[i] = newGuest(i, inv)
	}
	policyIsShared(t, ctx, p1, p2, tn)
	attemptsAreShared(t, ctx, p1, p2, tn, smtp)
	codeWorksOnce(t, ctx, p1, p2, tn, smtp)

	var p2dead atomic.Bool
	r := &rig{smtp: smtp, tn: tn}
	r.target = func(g *guest) *serveProc {
		if p2dead.Load() || (g.i+g.requests)%2 == 0 {
			return p1
		}
		return p2
	}
	r.recover = func(_ context.Context, p *serveProc, _ time.Time, err error) error {
		if p == p2 && p2dead.Load() {
			return nil // P1 takes the retry
		}
		return fmt.Errorf("%w: %w", errNotStaged, err)
	}
	half := make(chan struct{})
	r.onFinish = func(k int64) {
		if k == n/2 {
			close(half)
		}
	}
	queue := make(chan *guest, n)
	for _, g := range guests {
		queue <- g
	}
	close(queue)
	result := make(chan []error, 1)
	go func() { result <- r.run(ctx, queue, 8) }()

	var errs []error
	select {
	case <-half:
	case errs = <-result:
		t.Fatalf("the load ended before half the guests were through: %v", errs)
	}
	// Kill while no guest waits for a code; mail P2's worker holds is
	// counted: it may go out twice once its lease expires.
	r.gate.Lock()
	p2dead.Store(true)
	p2.kill()
	leased, err := pendingMail(ctx, dsn, time.Now())
	r.gate.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	if errs = <-result; len(errs) > 0 {
		t.Errorf("%d of %d guests did not get through:", len(errs), n)
		for _, err := range errs {
			t.Error(err)
		}
	}

	acked, lost, resumed := checkGuests(t, ctx, r, p1, guests)
	rep := checkOutbox(t, ctx, dsn, smtp)
	if rep.duplicates > min(leased, mail.DefaultConcurrency) {
		t.Errorf("%d duplicate deliveries; at most %d can be explained (messages leased and pending when P2 died, and P2 sends %d at a time)",
			rep.duplicates, min(leased, mail.DefaultConcurrency), mail.DefaultConcurrency)
	}
	t.Logf("2 processes: %d guests redeemed (%d acknowledged, %d whose accept answer was lost), %d went back in with their session; "+
		"%d requests, %d failed when P2 was killed and were retried on P1; %d outbox messages, %d leased and pending at the kill, "+
		"%d duplicate deliveries; %s",
		acked+lost, acked, lost, resumed, totalRequests(guests), r.failures.Load(), rep.messages, leased, rep.duplicates,
		time.Since(began).Round(time.Millisecond))
}

// refusesAnotherKey: a process of the deployment started with a different
// server key refuses to start.
func refusesAnotherKey(t *testing.T, d deployment) {
	t.Helper()
	p := d.launch(t, "P3 (another key)", serveEnv("GUESTLIST_SECRET_KEY="+newKey(),
		"GUESTLIST_OPERATOR_TOKEN="+operatorToken), "--data", t.TempDir())
	select {
	case <-p.exited:
	case <-p.serving:
		t.Fatal("a process with another server key started serving")
	case <-time.After(60 * time.Second):
		t.Fatal("a process with another server key neither served nor exited within 60 s")
	}
	if p.waitErr == nil || !p.logged("same key") {
		t.Errorf("another key: exit %v, want a failure naming the shared key:\n%s", p.waitErr, p.tail(5))
	}
}

// policyIsShared: turning email one-time passcodes off through P1 stops a
// guest on P2's very next request, and turning it back on lets them in
// (R27: policy changes take effect on every process at once).
func policyIsShared(t *testing.T, ctx context.Context, p1, p2 *serveProc, tn tenant) {
	t.Helper()
	inv, err := invite(ctx, p1, tn, "policy@contoso.example")
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser()
	for _, v := range []string{"disabled", "default"} {
		status, body, err := api(ctx, "PATCH", p1.url()+emailPolicy, tn.token, map[string]any{"allowExternalIdToUseEmailOtp": v})
		if err != nil || status != http.StatusNoContent {
			t.Fatalf("PATCH email policy %s on P1: %d %v %v", v, status, body, err)
		}
		p, err := b.do(ctx, "GET", p2.url()+requestURI(inv.link), nil)
		switch {
		case err != nil:
			t.Fatal(err)
		case v == "disabled" && (p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "/signin/passcode?m=signup")):
			// R26: a pending guest falls to R10 step 6.
			t.Fatalf("P2 right after P1 turned OTP off: %v, want the sign-up of a personal account", p)
		case v == "default" && (p.status != http.StatusSeeOther || !strings.HasSuffix(p.location, "/signin/passcode")):
			t.Fatalf("P2 right after P1 turned OTP back on: %v, want the Send code page", p)
		}
	}
}

// attemptsAreShared: the resend throttle and the wrong-code budget are
// counted across processes (R23): a resend on P1 right after a send on P2
// must wait, and 3 wrong codes on P1 plus 2 on P2 void the code.
func attemptsAreShared(t *testing.T, ctx context.Context, p1, p2 *serveProc, tn tenant, smtp *smtptest.Server) {
	t.Helper()
	inv, err := invite(ctx, p2, tn, "budget@contoso.example")
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser()
	step := func(p *serveProc, method, path string, form url.Values) page {
		t.Helper()
		pg, err := b.do(ctx, method, p.url()+path, form)
		if err != nil {
			t.Fatal(err)
		}
		return pg
	}
	opened := step(p1, "GET", requestURI(inv.link), nil)
	base := tenantBase(opened.location)
	if start := step(p2, "GET", opened.location, nil); start.status != http.StatusOK || !strings.Contains(start.body, `id="send"`) {
		t.Fatalf("start page on P2 for a flow begun on P1: %v", start)
	}
	if sent := step(p2, "POST", base+"/signin/passcode", url.Values{}); sent.status != http.StatusSeeOther {
		t.Fatalf("send code on P2: %v", sent)
	}
	r := &rig{smtp: smtp}
	m, err := r.waitMail(ctx, inv.email, func(m smtptest.Message) bool { return servertest.CodeIn(m) != "" })
	if err != nil {
		t.Fatal(err)
	}
	code := servertest.CodeIn(m)
	if again := step(p1, "POST", base+"/signin/passcode?from=code", url.Values{}); again.status != http.StatusTooManyRequests ||
		!strings.Contains(again.body, textWait) {
		t.Fatalf("resend on P1 right after a send on P2: %v, want 429 %q", again, textWait)
	}
	for i, p := range []*serveProc{p1, p1, p1, p2, p2} {
		wrong := []byte(code)
		wrong[i] = '0' + (wrong[i]-'0'+1)%10
		if pg := step(p, "POST", base+"/signin/code", url.Values{"code": {string(wrong)}}); pg.status != http.StatusBadRequest ||
			!strings.Contains(pg.body, textWrong) {
			t.Fatalf("wrong code #%d on %s: %v, want 400 %q", i+1, p.name, pg, textWrong)
		}
	}
	if right := step(p1, "POST", base+"/signin/code", url.Values{"code": {code}}); right.status != http.StatusBadRequest ||
		!strings.Contains(right.body, textExpired) {
		t.Fatalf("the right code after 3 wrong on P1 and 2 on P2: %v, want 400 %q", right, textExpired)
	}
}

// codeWorksOnce: one flow open in two browsers, the same code entered in
// both at the same moment, one on each process, signs in exactly one of
// them (R22: usable once).
func codeWorksOnce(t *testing.T, ctx context.Context, p1, p2 *serveProc, tn tenant, smtp *smtptest.Server) {
	t.Helper()
	r := &rig{smtp: smtp}
	for i := range 4 {
		inv, err := invite(ctx, p1, tn, fmt.Sprintf("twice%d@contoso.example", i))
		if err != nil {
			t.Fatal(err)
		}
		a := newBrowser()
		opened, err := a.do(ctx, "GET", p1.url()+requestURI(inv.link), nil)
		if err != nil || opened.status != http.StatusSeeOther {
			t.Fatalf("open link: %v %v", opened, err)
		}
		base := tenantBase(opened.location)
		if sent, err := a.do(ctx, "POST", p2.url()+base+"/signin/passcode", url.Values{}); err != nil || sent.status != http.StatusSeeOther {
			t.Fatalf("send code: %v %v", sent, err)
		}
		m, err := r.waitMail(ctx, inv.email, func(m smtptest.Message) bool { return servertest.CodeIn(m) != "" })
		if err != nil {
			t.Fatal(err)
		}
		b := newBrowser()
		all, _ := url.Parse("http://127.0.0.1/")
		b.c.Jar.SetCookies(all, a.c.Jar.Cookies(all))
		browsers, procs := []*browser{a, b}, []*serveProc{p1, p2}
		var answers [2]page
		var errs [2]error
		var wg sync.WaitGroup
		start := make(chan struct{})
		for j := range 2 {
			wg.Go(func() {
				<-start
				answers[j], errs[j] = browsers[j].do(ctx, "POST", procs[j].url()+base+"/signin/code",
					url.Values{"code": {servertest.CodeIn(m)}})
			})
		}
		close(start)
		wg.Wait()
		signedIn := 0
		for j := range 2 {
			if errs[j] != nil || answers[j].status >= 500 {
				t.Fatalf("code on %s: %v %v", procs[j].name, answers[j], errs[j])
			}
			if browsers[j].hasSession(tn.id) {
				signedIn++
			}
		}
		if signedIn != 1 {
			t.Fatalf("one code entered at once on P1 and P2 signed in %d browsers, want exactly 1: P1 %v; P2 %v",
				signedIn, answers[0], answers[1])
		}
	}
}

// checkGuests checks, on p, that every invitation's user exists and its
// mail was delivered, and what every guest who got through left behind:
// the invitation Completed, the user Accepted with one mail identity, and
// the code refused in a fresh flow. It
// returns how many accepts were acknowledged, how many lost their answer,
// and how many guests went back in with their session.
func checkGuests(t *testing.T, ctx context.Context, r *rig, p *serveProc, guests []*guest) (acked, lost, resumed int) {
	t.Helper()
	delivered := map[string]bool{}
	for _, m := range r.smtp.Messages() {
		for _, g := range guests {
			if strings.Contains(m.TextBody, g.inv.link) {
				delivered[g.inv.id] = true
			}
		}
	}
	for _, g := range guests {
		if !delivered[g.inv.id] {
			t.Errorf("guest %d: the invitation mail with %s was never delivered", g.i, g.inv.link)
		}
		if !g.acked && !g.lost { // the load reported why; the invitation must still exist
			if status, u, err := api(ctx, "GET", p.url()+"/v1.0/users/"+g.inv.userID, r.tn.token, nil); err != nil || status != http.StatusOK {
				t.Errorf("guest %d: the invited user %s is gone: %d %v %v", g.i, g.inv.userID, status, u, err)
			}
			continue
		}
		if g.acked {
			acked++
		} else {
			lost++
		}
		if g.resumed {
			resumed++
		}
		if err := checkRedeemed(ctx, p, r.tn, g.inv); err != nil {
			t.Errorf("guest %d: %v", g.i, err)
		}
		if err := r.codeRefusedAgain(ctx, p, g); err != nil {
			t.Errorf("guest %d: %v", g.i, err)
		}
	}
	return acked, lost, resumed
}
