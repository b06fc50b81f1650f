package main_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"guestlist/internal/mail/smtptest"
)

// outage is a failure a test stages (a database stopped, a process
// killed): requests that were running while it lasted may fail, and wait
// for its end before they try again. Any other failure is a bug.
type outage struct {
	mu      sync.Mutex
	to      time.Time
	over    chan struct{}
	hits    chan struct{} // one token per request that failed and waits
	started bool
}

func (o *outage) begin() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.over, o.hits, o.started = make(chan struct{}), make(chan struct{}, 1024), true
}

// waitHits waits until k requests have failed and wait for the end.
func (o *outage) waitHits(t *testing.T, k int, limit time.Duration) {
	t.Helper()
	timeout := time.After(limit)
	for i := range k {
		select {
		case <-o.hits:
		case <-timeout:
			t.Fatalf("only %d of %d guests ran into the outage within %s", i, k, limit)
		}
	}
}

func (o *outage) end() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.to = time.Now()
	close(o.over)
}

// excuse waits for the outage to end if a request that began at started
// may have been hit by it, and otherwise returns err as a bug.
func (o *outage) excuse(ctx context.Context, started time.Time, err error) error {
	o.mu.Lock()
	begun, to, over, hits := o.started, o.to, o.over, o.hits
	o.mu.Unlock()
	if !begun || (!to.IsZero() && started.After(to)) {
		return fmt.Errorf("%w: %w", errNotStaged, err)
	}
	select {
	case hits <- struct{}{}:
	default:
	}
	select {
	case <-over:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// waitReadyz asks p's /readyz (at most every 100 ms, for at most limit)
// until it answers want, and returns how long that took.
func waitReadyz(t *testing.T, ctx context.Context, p *serveProc, want int, limit time.Duration) time.Duration {
	t.Helper()
	began := time.Now()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	client := &http.Client{Timeout: 5 * time.Second}
	last := "no answer"
	for time.Since(began) < limit {
		req, _ := http.NewRequestWithContext(ctx, "GET", p.url()+"/readyz", nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == want {
				return time.Since(began)
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		}
	}
	t.Fatalf("/readyz did not answer %d within %s (last: %s)", want, limit, last)
	return 0
}

// TestReadyzFollowsTheDatabase stops the database under a running process
// and its guests, on a PostgreSQL cluster of the test's own: /readyz turns
// 503 and guest pages answer with an error page at once (no hang beyond
// the statement timeout); once the database is back /readyz is 200 again
// without a restart, the interrupted redemptions finish and new ones
// complete (R51, R52, R54).
func TestReadyzFollowsTheDatabase(t *testing.T) {
	t.Parallel()
	began := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	pg := startPrivatePostgres(t)
	smtp := smtptest.Start(t)
	d := deployment{bin: buildBinary(t), baseURL: publicURL,
		env:  serveEnv("GUESTLIST_SECRET_KEY="+newKey(), "GUESTLIST_OPERATOR_TOKEN="+operatorToken),
		args: []string{"--database", pg.URL(), "--smtp", smtp.URL(), "--db-statement-timeout", "2s"}}
	p := d.start(t, "serve", "--data", t.TempDir())
	waitReadyz(t, ctx, p, http.StatusOK, 5*time.Second)
	tn := createTenant(t, p, operatorToken)

	const n, workers = 12, 3
	guests := make([]*guest, n)
	for i := range guests {
		inv, err := invite(ctx, p, tn, fmt.Sprintf("guest%02d@contoso.example", i))
		if err != nil {
			t.Fatal(err)
		}
		guests[i] = newGuest(i, inv)
	}
	late, err := invite(ctx, p, tn, "late@contoso.example") // opens the link during the outage
	if err != nil {
		t.Fatal(err)
	}
	stuck := stuckQueryEnds(t, ctx, p, pg.URL(), late.link)
	var out outage
	r := &rig{smtp: smtp, tn: tn, target: func(*guest) *serveProc { return p }}
	r.recover = func(ctx context.Context, _ *serveProc, started time.Time, err error) error {
		return out.excuse(ctx, started, err)
	}
	some := make(chan struct{})
	r.onFinish = func(k int64) {
		if k == 3 {
			close(some)
		}
	}
	queue := make(chan *guest, n)
	for _, g := range guests {
		queue <- g
	}
	close(queue)
	result := make(chan []error, 1)
	go func() { result <- r.run(ctx, queue, workers) }()
	var errs []error
	select {
	case <-some:
	case errs = <-result:
		t.Fatalf("the load ended before the outage: %v", errs)
	}

	r.gate.Lock() // no guest waits for a code when the database stops
	pending, err := pendingMail(ctx, pg.URL(), time.Time{})
	if err != nil {
		r.gate.Unlock()
		t.Fatal(err)
	}
	out.begin()
	stopped := time.Now()
	err = pg.stop()
	r.gate.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	notReady := waitReadyz(t, ctx, p, http.StatusServiceUnavailable, 10*time.Second)
	// Keep the database down until every worker's guest has run into it.
	out.waitHits(t, min(workers, n-int(r.finished.Load())), 20*time.Second)
	asked := time.Now()
	pageDown, err := newBrowser().do(ctx, "GET", p.url()+requestURI(late.link), nil)
	answered := time.Since(asked)
	if err != nil || pageDown.status != http.StatusServiceUnavailable || !strings.Contains(pageDown.body, textInternal) {
		t.Errorf("redeem link with the database down: %v %v, want 503 %q", pageDown, err, textInternal)
	}
	if answered > 4*time.Second {
		t.Errorf("redeem link with the database down took %s, beyond the 2 s statement timeout", answered)
	}
	// The admin API says the same in Graph's shape: 503, try again.
	status, body, err := api(ctx, "GET", p.url()+"/v1.0/users", tn.token, nil)
	if e, _ := body["error"].(map[string]any); err != nil || status != http.StatusServiceUnavailable || e["code"] != "serviceNotAvailable" {
		t.Errorf("admin API with the database down: %d %v %v, want 503 serviceNotAvailable", status, body, err)
	}
	if err := pg.start(); err != nil {
		t.Fatal(err)
	}
	ready := waitReadyz(t, ctx, p, http.StatusOK, 30*time.Second)
	outageFor := time.Since(stopped)
	out.end()

	if errs = <-result; len(errs) > 0 {
		t.Errorf("%d of %d guests did not get through:", len(errs), n)
		for _, err := range errs {
			t.Error(err)
		}
	}
	lg := newGuest(n, late)
	if err := r.redeem(ctx, lg); err != nil {
		t.Errorf("a redemption begun after the database came back: %v", err)
	}
	guests = append(guests, lg)
	acked, lost, resumed := checkGuests(t, ctx, r, p, guests)
	rep := checkOutbox(t, ctx, pg.URL(), smtp)
	if rep.duplicates > pending {
		t.Errorf("%d duplicate deliveries; at most %d (the messages pending when the database stopped) can be explained",
			rep.duplicates, pending)
	}
	t.Logf("a guest page stuck behind a lock answered after %s; "+
		"database outage of %s: /readyz 503 after %s, a guest page answered in %s with the database down, "+
		"/readyz 200 %s after the restart; %d guests redeemed (%d acknowledged, %d whose accept answer was lost), %d went back in with their session; "+
		"%d requests, %d failed during the outage and were retried; %d outbox messages, %d pending at the stop, %d duplicate deliveries; %s",
		stuck.Round(time.Millisecond), outageFor.Round(time.Millisecond), notReady.Round(time.Millisecond),
		answered.Round(100*time.Microsecond),
		ready.Round(time.Millisecond),
		acked+lost, acked, lost, resumed, totalRequests(guests), r.failures.Load(), rep.messages, pending, rep.duplicates,
		time.Since(began).Round(time.Millisecond))
}

// stuckQueryEnds: while another session holds the tenants table locked, a
// guest page's query waits for the lock only until the statement timeout
// (2 s) ends it: the guest gets the error page, not a hung request. It
// returns how long the page took.
func stuckQueryEnds(t *testing.T, ctx context.Context, p *serveProc, dsn, link string) time.Duration {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "LOCK TABLE tenants IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	pg, err := newBrowser().do(ctx, "GET", p.url()+requestURI(link), nil)
	took := time.Since(began)
	if err != nil || pg.status != http.StatusServiceUnavailable || !strings.Contains(pg.body, textInternal) {
		t.Errorf("redeem link with the tenants table locked: %v %v, want 503 %q", pg, err, textInternal)
	}
	if took < 1500*time.Millisecond || took > 4*time.Second {
		t.Errorf("redeem link with the tenants table locked answered after %s, want about the 2 s statement timeout", took)
	}
	return took
}

// TestKill9SQLite kills (kill -9) a single process on SQLite in the middle
// of invitations and redemptions, starts a new one on the same data
// directory (and so the same key file), and finishes every guest on it:
// every acknowledged invitation and redemption survived, flows begun
// before the crash go on, and mail queued before the crash goes out at
// least once, by the new process once the dead one's leases expire (R52).
func TestKill9SQLite(t *testing.T) {
	t.Parallel()
	began := time.Now()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	smtp := smtptest.Start(t)
	data := t.TempDir()
	d := deployment{bin: buildBinary(t), baseURL: publicURL,
		env: serveEnv("GUESTLIST_OPERATOR_TOKEN=" + operatorToken), args: []string{"--smtp", smtp.URL()}}
	first := d.start(t, "first", "--data", data)
	tn := createTenant(t, first, operatorToken)

	var cur atomic.Pointer[serveProc]
	cur.Store(first)
	var out outage
	r := &rig{smtp: smtp, tn: tn, target: func(*guest) *serveProc { return cur.Load() }}
	r.recover = func(ctx context.Context, p *serveProc, started time.Time, err error) error {
		if p != first {
			return fmt.Errorf("%w: %w", errNotStaged, err)
		}
		return out.excuse(ctx, started, err)
	}
	const n = 32
	half := make(chan struct{})
	r.onFinish = func(k int64) {
		if k == n/4 {
			close(half)
		}
	}
	// Guests are invited one at a time as workers free up, so invitations
	// are still being made when the process dies.
	queue := make(chan *guest)
	var guests []*guest
	var doubted []invitation // invitations whose first try died with the process
	inviterDone := make(chan error, 1)
	go func() {
		defer close(queue)
		for i := range n {
			inv, doubt, err := inviteThroughCrash(ctx, r, &cur, tn, fmt.Sprintf("guest%02d@contoso.example", i))
			if err != nil {
				inviterDone <- err
				return
			}
			if doubt {
				doubted = append(doubted, inv)
			}
			g := newGuest(i, inv)
			guests = append(guests, g)
			queue <- g
		}
		inviterDone <- nil
	}()
	result := make(chan []error, 1)
	go func() { result <- r.run(ctx, queue, 6) }()
	var errs []error
	select {
	case <-half:
	case errs = <-result:
		t.Fatalf("the load ended before the crash: %v", errs)
	}

	out.begin()
	first.kill()
	killed := time.Now()
	dbFile := filepath.Join(data, "guestlist.db")
	stranded, err := pendingMail(ctx, dbFile, killed) // leased by the dead process
	if err != nil {
		t.Fatal(err)
	}
	second := d.start(t, "second", "--data", data)
	cur.Store(second)
	out.end()
	downFor := time.Since(killed)

	if err := <-inviterDone; err != nil {
		t.Errorf("inviting: %v", err)
	}
	if errs = <-result; len(errs) > 0 {
		t.Errorf("%d of %d guests did not get through:", len(errs), len(guests))
		for _, err := range errs {
			t.Error(err)
		}
	}
	for _, inv := range doubted {
		oneUser(t, ctx, second, tn, inv)
	}
	acked, lost, resumed := checkGuests(t, ctx, r, second, guests)
	rep := checkOutbox(t, ctx, dbFile, smtp)
	if rep.duplicates > min(stranded, 4) {
		t.Errorf("%d duplicate deliveries; at most %d can be explained (messages the dead process had leased, 4 at a time)",
			rep.duplicates, min(stranded, 4))
	}
	t.Logf("kill -9 on SQLite: restarted in %s; %d invitations (%d re-sent after their first try died), "+
		"%d guests redeemed (%d acknowledged, %d whose accept answer was lost), %d went back in with their session; "+
		"%d requests, %d failed at the crash and were retried; %d outbox messages, %d leased by the dead process, %d duplicate deliveries; %s",
		downFor.Round(time.Millisecond), len(guests), len(doubted), acked+lost, acked, lost, resumed,
		totalRequests(guests), r.failures.Load(), rep.messages, stranded, rep.duplicates, time.Since(began).Round(time.Millisecond))
}

// inviteThroughCrash invites email, trying again on the new process when
// the old one died under the request. doubt says an earlier try may have
// gone through: the answer then must be the same user (R2).
func inviteThroughCrash(ctx context.Context, r *rig, cur *atomic.Pointer[serveProc], tn tenant, email string) (invitation, bool, error) {
	doubt := false
	for {
		p := cur.Load()
		started := time.Now()
		inv, err := invite(ctx, p, tn, email)
		if err == nil {
			return inv, doubt, nil
		}
		if doubt {
			return inv, doubt, err
		}
		if err := r.recover(ctx, p, started, err); err != nil {
			return inv, doubt, err
		}
		doubt = true
	}
}

// oneUser: the address of an invitation made twice across a crash has one
// user, the one the acknowledged invitation names.
func oneUser(t *testing.T, ctx context.Context, p *serveProc, tn tenant, inv invitation) {
	t.Helper()
	q := url.Values{"$filter": {"mail eq '" + inv.email + "'"}}
	status, body, err := api(ctx, "GET", p.url()+"/v1.0/users?"+q.Encode(), tn.token, nil)
	users, _ := body["value"].([]any)
	if err != nil || status != http.StatusOK || len(users) != 1 {
		t.Errorf("users with mail %s: %d %v %v, want exactly one", inv.email, status, body, err)
		return
	}
	if u, _ := users[0].(map[string]any); field(u, "id") != inv.userID {
		t.Errorf("user with mail %s is %v, want %s", inv.email, u["id"], inv.userID)
	}
}
