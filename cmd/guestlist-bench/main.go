// Command guestlist-bench measures complete guest redemptions against a real
// guestlist server: open link → Send code → code from mail → Enter code →
// consent → landing, each step a real HTTP request over loopback to the
// production handler on a real database. Mail leaves through a capture
// sender in the same process, so SMTP delivery time is excluded, as the
// targets in BENCHMARKS.md are stated; everything else (the outbox row, the
// worker claiming and marking it) is measured.
//
//	go run ./cmd/guestlist-bench -n 4000 -c 32
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/invite"
	"guestlist/internal/server"
	"guestlist/internal/store/sqlstore"
	"guestlist/internal/tenants"
)

func main() {
	n := flag.Int("n", 2000, "complete redemptions to run")
	c := flag.Int("c", 32, "concurrent guests")
	db := flag.String("database", "", "database URL (default: SQLite in a temporary directory)")
	servers := flag.Int("servers", 1, "server instances on the database; each request of a guest goes to the next one, as behind a load balancer")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the measured run to this file")
	mode := flag.String("mode", "redeem", "redeem: complete guest redemptions; tokens: the token endpoint (code exchanges, then refresh grants); password: members signing in with their password")
	alg := flag.String("alg", "RS256", "token signing algorithm (RS256 or ES256), for -mode tokens")
	flag.Parse()
	profile = *cpuProfile
	var err error
	switch *mode {
	case "tokens":
		err = runTokens(*n, *c, *alg)
	case "password":
		err = runPasswords(*n, *c)
	default:
		err = run(*n, *c, *servers, *db)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "guestlist-bench:", err)
		os.Exit(1)
	}
}

var (
	profile     string
	serverLabel = pprof.Labels("side", "server")
)

// capture is the mail transport: it hands each passcode to the guest
// waiting for it.
type capture struct {
	mu    sync.Mutex
	boxes map[string]chan string
}

var codeRE = regexp.MustCompile(`(?m)^\s*(\d{8})\s*$`)

func (c *capture) box(addr string) chan string {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.boxes[strings.ToLower(addr)]
	if !ok {
		b = make(chan string, 4)
		c.boxes[strings.ToLower(addr)] = b
	}
	return b
}

func (c *capture) Send(_ context.Context, m *core.OutboxMessage) error {
	if m.Kind != core.MailPasscode {
		return nil
	}
	code := codeRE.FindStringSubmatch(m.TextBody)
	if code == nil {
		return fmt.Errorf("no code in passcode mail")
	}
	c.box(m.To[0]) <- code[1]
	return nil
}

type step int

const (
	stOpen step = iota
	stStart
	stSend
	stMail
	stCodePage
	stVerify
	stConsentPage
	stAccept
	numSteps
)

var stepNames = [numSteps]string{"open link", "start page", "send code", "mail arrives", "code page", "enter code", "consent page", "accept"}

func run(n, conc, servers int, dbURL string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "guestlist-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	mail := &capture{boxes: map[string]chan string{}}
	// Server goroutines carry the pprof label side=server, so a CPU profile
	// separates the server's CPU from the load driver's:
	//   go tool pprof -tagfocus=side=server -top <binary> <profile>
	wctx, stop := context.WithCancel(pprof.WithLabels(ctx, serverLabel))
	defer stop()
	var apps []*server.Server
	var bases []string
	for range servers {
		app, base, closeApp, err := startServer(wctx, dir, dbURL, mail)
		if err != nil {
			return err
		}
		defer closeApp()
		apps, bases = append(apps, app), append(bases, base)
	}
	app := apps[0]
	guests, err := setup(ctx, app, n)
	if err != nil {
		return err
	}
	fmt.Printf("%d invitations ready; %d guests redeeming concurrently on %d server(s)\n", n, conc, servers)

	transport := &http.Transport{MaxIdleConnsPerHost: conc * 2}
	var next, failures atomic.Int64
	lat := make([][]time.Duration, numSteps)
	var mu sync.Mutex
	var wg sync.WaitGroup
	var firstErr atomic.Value
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	cpu0, mem0, db0 := cpuTime(), mallocs(), dbStats(apps)
	t0 := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([][]time.Duration, numSteps)
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					break
				}
				if err := redeem(transport, bases, guests[i], mail, local); err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
			mu.Lock()
			for s := range local {
				lat[s] = append(lat[s], local[s]...)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(t0)
	cpu, mem, db := cpuTime()-cpu0, mallocs()-mem0, dbStats(apps)
	db.Statements -= db0.Statements
	db.Transactions -= db0.Transactions
	ok := int64(n) - failures.Load()
	fmt.Printf("redemptions: %d ok, %d failed in %s\n", ok, failures.Load(), elapsed.Round(time.Millisecond))
	if e := firstErr.Load(); e != nil {
		fmt.Printf("first error: %v\n", e)
	}
	fmt.Printf("throughput:  %.0f complete redemptions/s\n", float64(ok)/elapsed.Seconds())
	fmt.Printf("process CPU: %.2f ms per redemption (server and load driver together; %d cores)\n",
		float64(cpu.Microseconds())/1000/float64(ok), runtime.NumCPU())
	fmt.Printf("allocations: %d per redemption (server and driver)\n", mem/uint64(max(ok, 1)))
	fmt.Printf("database:    %.1f statements and %.1f transactions per redemption (mail worker included)\n",
		float64(db.Statements)/float64(max(ok, 1)), float64(db.Transactions)/float64(max(ok, 1)))
	fmt.Printf("%-14s %9s %9s %9s\n", "step", "p50", "p99", "max")
	for s := range numSteps {
		d := lat[s]
		sort.Slice(d, func(a, b int) bool { return d[a] < d[b] })
		if len(d) == 0 {
			continue
		}
		fmt.Printf("%-14s %9s %9s %9s\n", stepNames[s], pct(d, 50), pct(d, 99), d[len(d)-1].Round(time.Microsecond))
	}
	return nil
}

func pct(d []time.Duration, p int) time.Duration {
	return d[(len(d)-1)*p/100].Round(time.Microsecond)
}

// guest is one invited address and its redeem link.
type guest struct{ email, link string }

// setup creates a tenant and n invitations through the services (not
// measured).
func setup(ctx context.Context, app *server.Server, n int) ([]guest, error) {
	c, err := app.Tenants.Create(ctx, tenants.Request{DisplayName: "Fabrikam"})
	if err != nil {
		return nil, err
	}
	guests := make([]guest, n)
	for i := range n {
		g := guest{email: fmt.Sprintf("guest%d@contoso.example", i)}
		res, err := app.Invites.Invite(ctx, &c.Tenant, invite.Request{Email: g.email, RedirectURL: "https://app.example/welcome"})
		if err != nil {
			return nil, err
		}
		g.link = res.RedeemURL
		guests[i] = g
	}
	return guests, nil
}

func redeem(tr http.RoundTripper, bases []string, g guest, mail *capture, lat [][]time.Duration) error {
	jar, _ := cookiejar.New(nil)
	req := 0
	// next is the server of the guest's next request: round robin, so with
	// several servers consecutive steps of one guest land on different ones.
	next := func() string { req++; return bases[req%len(bases)] }
	cl := &http.Client{Transport: tr, Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	u, _ := url.Parse(g.link)
	tenantPath := "/" + strings.Split(strings.TrimPrefix(u.Path, "/"), "/")[0]
	do := func(s step, method, target string, form url.Values, want int) (*http.Response, error) {
		t := time.Now()
		var resp *http.Response
		var err error
		if method == http.MethodGet {
			resp, err = cl.Get(target)
		} else {
			resp, err = cl.PostForm(target, form)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", stepNames[s], err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		lat[s] = append(lat[s], time.Since(t))
		if resp.StatusCode != want {
			return nil, fmt.Errorf("%s: status %d, want %d", stepNames[s], resp.StatusCode, want)
		}
		return resp, nil
	}
	if _, err := do(stOpen, "GET", next()+u.RequestURI(), nil, http.StatusSeeOther); err != nil {
		return err
	}
	if _, err := do(stStart, "GET", next()+tenantPath+"/signin/passcode", nil, http.StatusOK); err != nil {
		return err
	}
	t := time.Now()
	if _, err := do(stSend, "POST", next()+tenantPath+"/signin/passcode", url.Values{}, http.StatusSeeOther); err != nil {
		return err
	}
	var code string
	select {
	case code = <-mail.box(g.email):
	case <-time.After(10 * time.Second):
		return fmt.Errorf("mail arrives: no code within 10s")
	}
	lat[stMail] = append(lat[stMail], time.Since(t))
	if _, err := do(stCodePage, "GET", next()+tenantPath+"/signin/code", nil, http.StatusOK); err != nil {
		return err
	}
	if _, err := do(stVerify, "POST", next()+tenantPath+"/signin/code", url.Values{"code": {code}}, http.StatusSeeOther); err != nil {
		return err
	}
	if _, err := do(stConsentPage, "GET", next()+tenantPath+"/signin/consent", nil, http.StatusOK); err != nil {
		return err
	}
	resp, err := do(stAccept, "POST", next()+tenantPath+"/signin/consent", url.Values{"action": {"accept"}}, http.StatusSeeOther)
	if err != nil {
		return err
	}
	if loc := resp.Header.Get("Location"); loc != "https://app.example/welcome" {
		return fmt.Errorf("accept: landed at %q", loc)
	}
	return nil
}

// startServer starts one server instance on the database, serving on a
// loopback port; links in mail use the first instance's address, as all
// instances behind one load balancer share one public URL.
func startServer(ctx context.Context, dir, dbURL string, mail *capture) (*server.Server, string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, err
	}
	base := "http://" + ln.Addr().String()
	app, err := server.New(ctx, server.Config{BaseURL: "http://guestlist.bench", DataDir: dir, Database: dbURL,
		SecretKey: strings.Repeat("ab", 32), OperatorToken: "bench", DB: server.DBConfig{MaxConns: 16}},
		server.Deps{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Sender: mail})
	if err != nil {
		ln.Close()
		return nil, "", nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	pprof.SetGoroutineLabels(ctx)
	app.Start(ctx)
	hs := &http.Server{Handler: app.Handler}
	// Connection goroutines inherit the label from the accept loop.
	go hs.Serve(ln)
	pprof.SetGoroutineLabels(context.Background())
	return app, base, func() { hs.Close(); cancel(); app.Close() }, nil
}

func dbStats(apps []*server.Server) sqlstore.Stats {
	var total sqlstore.Stats
	for _, a := range apps {
		if s, ok := a.Store.(*sqlstore.Store); ok {
			st := s.Stats()
			total.Statements += st.Statements
			total.Transactions += st.Transactions
		}
	}
	return total
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func mallocs() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.Mallocs
}
