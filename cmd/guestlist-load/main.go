// Command guestlist-load measures sign-ins from outside: it starts real
// `guestlist serve` processes (SQLite, or PostgreSQL with one or several
// processes), runs an SMTP server of its own that the processes deliver
// passcodes to, prepares tenants, applications and guests through the
// operator and Graph APIs (not measured), and then drives guests through
// the sign-in over loopback HTTP, each with its own cookie jar and client
// address. It reports sign-ins per second, each step's latency, errors,
// the servers' CPU and memory from /proc, their allocations from their
// metrics, and, with PostgreSQL, what the database did.
//
//	go build -o guestlist ./cmd/guestlist
//	go run ./cmd/guestlist-load -bin ./guestlist -mode returning -n 4000 -c 32
//
// Modes: returning (an invited guest who redeemed before signs in to the
// tenant's application up to the callback with a code), full (the same
// and the application's code exchange), first (a first redemption from the
// invitation's link).
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type config struct {
	bin, database, mode, alg string
	n, conc, procs, tenants  int
	warmup                   int
	maxTime                  time.Duration
}

func main() {
	var c config
	flag.StringVar(&c.bin, "bin", "", "the guestlist binary to run (go build -o guestlist ./cmd/guestlist)")
	flag.StringVar(&c.database, "database", "", "PostgreSQL URL of an empty database (default: SQLite in a temporary directory)")
	flag.StringVar(&c.mode, "mode", "returning", "returning: a returning guest up to the callback; full: and the code exchange; first: first redemptions")
	flag.StringVar(&c.alg, "alg", "RS256", "token signing algorithm of the servers (RS256 or ES256)")
	flag.IntVar(&c.n, "n", 2000, "sign-ins to measure (each by a different guest)")
	flag.IntVar(&c.conc, "c", 32, "guests signing in at once")
	flag.IntVar(&c.procs, "processes", 1, "server processes (more than one needs -database); each request of a guest goes to the next")
	flag.IntVar(&c.tenants, "tenants", 1, "tenants the guests are spread over")
	flag.IntVar(&c.warmup, "warmup", -1, "unmeasured sign-ins (by other guests) before the database is analyzed and the run starts; default n/10")
	flag.DurationVar(&c.maxTime, "max-time", 5*time.Minute, "bound on the measured run")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "guestlist-load:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	if c.bin == "" {
		return fmt.Errorf("-bin is required")
	}
	if c.procs > 1 && c.database == "" {
		return fmt.Errorf("several processes need -database (PostgreSQL)")
	}
	if c.mode != "returning" && c.mode != "full" && c.mode != "first" {
		return fmt.Errorf("unknown -mode %q", c.mode)
	}
	if c.warmup < 0 {
		c.warmup = c.n / 10
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "guestlist-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	mail, err := startMailServer()
	if err != nil {
		return err
	}
	defer mail.close()
	var pg *pgWatch
	if c.database != "" {
		if pg, err = openPG(c.database); err != nil {
			return err
		}
	}

	slots := make([]slot, c.procs)
	for i := range slots {
		if slots[i], err = newSlot(); err != nil {
			return err
		}
	}
	operatorToken := rand.Text()
	key := make([]byte, 32)
	rand.Read(key)
	args := func(i int) []string {
		a := []string{"--data", fmt.Sprintf("%s/p%d", dir, i), "--secret-key", hex.EncodeToString(key),
			"--operator-token", operatorToken, "--base-url", "http://" + slots[0].addr,
			"--smtp", mail.url(), "--mail-from", "guestlist <noreply@guestlist.test>",
			"--trusted-proxies", "127.0.0.1", "--signing-alg", c.alg}
		if c.database != "" {
			a = append(a, "--database", c.database)
		}
		return a
	}
	start := func() ([]*proc, error) {
		procs := make([]*proc, c.procs)
		for i := range procs {
			p, ready, err := startProc(ctx, c.bin, slots[i], args(i))
			if err != nil {
				for _, q := range procs[:i] {
					q.stop()
				}
				return nil, err
			}
			rss, _ := memOf(p.cmd.Process.Pid)
			fmt.Printf("process %d: ready in %s, idle RSS %.1f MiB\n", i, ready.Round(time.Millisecond), float64(rss)/1024)
			procs[i] = p
		}
		return procs, nil
	}
	stopAll := func(procs []*proc) {
		for _, p := range procs {
			p.stop()
		}
	}

	// Setup, not measured.
	procs, err := start()
	if err != nil {
		return err
	}
	tr := &http.Transport{MaxIdleConnsPerHost: c.conc * 2, MaxConnsPerHost: c.conc * 4}
	a := &api{base: procs[0].base, operatorToken: operatorToken, hc: &http.Client{Transport: tr}}
	run := rand.Text()[:6]
	t0 := time.Now()
	all, err := a.prepare(ctx, c.tenants, c.n+c.warmup, c.conc, strings.ToLower(run))
	if err != nil {
		stopAll(procs)
		return fmt.Errorf("setup: %w", err)
	}
	guests, warm := all[:c.n], all[c.n:]
	if c.mode != "first" {
		err = parallel(len(all), c.conc, func(i int) error {
			var unmeasured [numSteps][]time.Duration
			return redeem(ctx, newBrowser(tr, all[i].ip, procs, i, &unmeasured), mail, all[i])
		})
		if err != nil {
			for i, p := range procs {
				fmt.Fprintf(os.Stderr, "process %d's last log lines:\n%s\n", i, p.log())
			}
			stopAll(procs)
			return fmt.Errorf("setup: first redemptions: %w", err)
		}
	}
	// The warm-up fills the tables a sign-in writes (authorization
	// requests, flows, codes, sessions) as a running deployment has them,
	// so that the statistics ANALYZE takes below describe it.
	err = parallel(len(warm), c.conc, func(i int) error {
		var unmeasured [numSteps][]time.Duration
		b := newBrowser(tr, warm[i].ip, procs, i, &unmeasured)
		if c.mode == "first" {
			return redeem(ctx, b, mail, warm[i])
		}
		return signIn(ctx, b, mail, warm[i], c.mode == "full")
	})
	if err != nil {
		stopAll(procs)
		return fmt.Errorf("setup: warm-up: %w", err)
	}
	fmt.Printf("setup: %d tenants, %d guests ready, %d warm-up sign-ins, in %s\n", c.tenants, c.n, c.warmup, time.Since(t0).Round(time.Millisecond))
	// Start the servers again: the measurement begins from fresh
	// processes, and PostgreSQL publishes the setup's counts as the old
	// backends exit. Autovacuum is off on the project's machines, so the
	// driver analyzes, as autovacuum would have by now.
	stopAll(procs)
	tr.CloseIdleConnections()
	var pg0 pgCounters
	if pg != nil {
		if err := pg.waitIdle(ctx); err != nil {
			return err
		}
		if _, err := pg.db.ExecContext(ctx, "ANALYZE"); err != nil {
			return err
		}
		if pg0, err = pg.counters(ctx); err != nil {
			return err
		}
	}
	if procs, err = start(); err != nil {
		return err
	}
	defer func() { stopAll(procs) }()

	cpu0 := make([]time.Duration, len(procs))
	count0 := make([]float64, len(counterNames))
	for i, p := range procs {
		cpu0[i], _ = cpuOf(p.cmd.Process.Pid)
		for j, v := range p.counters() {
			count0[j] += v
		}
	}
	var pgCPU func() time.Duration
	if pg != nil {
		pgCPU = pg.backendCPU(ctx)
	}
	load0 := loadavg()
	mctx, cancel := context.WithTimeout(ctx, c.maxTime)
	defer cancel()
	var lat [numSteps][]time.Duration
	var mu sync.Mutex
	var failed, done atomic.Int64
	var firstErr atomic.Value
	var next atomic.Int64
	var wg sync.WaitGroup
	t0 = time.Now()
	for range c.conc {
		wg.Go(func() {
			var local [numSteps][]time.Duration
			for mctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if i >= c.n {
					break
				}
				b := newBrowser(tr, guests[i].ip, procs, i, &local)
				var err error
				switch c.mode {
				case "first":
					err = redeem(mctx, b, mail, guests[i])
				default:
					err = signIn(mctx, b, mail, guests[i], c.mode == "full")
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
				} else {
					done.Add(1)
				}
			}
			mu.Lock()
			for s := range local {
				lat[s] = append(lat[s], local[s]...)
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(t0)
	load1 := loadavg()
	var cpu time.Duration
	count := make([]float64, len(counterNames))
	type mem struct{ rss, hwm int64 }
	mems := make([]mem, len(procs))
	for i, p := range procs {
		c1, _ := cpuOf(p.cmd.Process.Pid)
		cpu += c1 - cpu0[i]
		for j, v := range p.counters() {
			count[j] += v
		}
		mems[i].rss, mems[i].hwm = memOf(p.cmd.Process.Pid)
	}
	var dbCPU time.Duration
	if pgCPU != nil {
		dbCPU = pgCPU()
	}
	ok := done.Load()
	per := func(d time.Duration) string {
		return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000/float64(max(ok, 1)))
	}
	db := "SQLite"
	if c.database != "" {
		db = "PostgreSQL"
	}
	fmt.Printf("\nmode %s, %s, %d process(es), %d tenant(s), %s, concurrency %d\n", c.mode, db, c.procs, c.tenants, c.alg, c.conc)
	fmt.Printf("load average before %s, after %s\n", load0, load1)
	fmt.Printf("sign-ins:      %d ok, %d failed in %s\n", ok, failed.Load(), elapsed.Round(time.Millisecond))
	if e := firstErr.Load(); e != nil {
		fmt.Printf("first error:   %v\n", e)
	}
	fmt.Printf("throughput:    %.0f sign-ins/s\n", float64(ok)/elapsed.Seconds())
	fmt.Printf("server CPU:    %s per sign-in (all processes, from /proc)\n", per(cpu))
	delta := func(j int) float64 { return (count[j] - count0[j]) / float64(max(ok, 1)) }
	if count0[0] >= 0 && count[0] >= 0 {
		fmt.Printf("allocations:   %.0f per sign-in (the servers' go_memstats_mallocs_total)\n", delta(0))
	}
	if count0[1] >= 0 && count[1] >= 0 {
		fmt.Printf("database:      %.1f statements, %.1f explicit transactions per sign-in (counted by the servers)\n", delta(1), delta(2))
	}
	for i, m := range mems {
		fmt.Printf("process %d:     RSS %.1f MiB after the run, peak %.1f MiB\n", i, float64(m.rss)/1024, float64(m.hwm)/1024)
	}
	fmt.Printf("%-14s %9s %9s %9s\n", "step", "p50", "p99", "max")
	for s := range numSteps {
		d := lat[s]
		if len(d) == 0 {
			continue
		}
		sort.Slice(d, func(a, b int) bool { return d[a] < d[b] })
		fmt.Printf("%-14s %9s %9s %9s\n", stepNames[s], pct(d, 50), pct(d, 99), d[len(d)-1].Round(time.Microsecond))
	}
	if pg != nil {
		fmt.Printf("PostgreSQL:    backends' CPU %s per sign-in\n", per(dbCPU))
		stopAll(procs)
		procs = nil
		if err := pg.waitIdle(ctx); err != nil {
			return err
		}
		pg1, err := pg.counters(ctx)
		if err != nil {
			return err
		}
		f := func(v int64) float64 { return float64(v) / float64(max(ok, 1)) }
		fmt.Printf("PostgreSQL:    per sign-in %.1f transactions, %.0f rows returned by scans, %.0f rows fetched by index, %.1f rows written, %.0f buffer reads\n",
			f(pg1.xacts-pg0.xacts), f(pg1.returned-pg0.returned), f(pg1.fetched-pg0.fetched), f(pg1.written-pg0.written), f(pg1.blocks-pg0.blocks))
		fmt.Println("(the servers' background work during the run — mail worker polls, pruning — is included)")
		printScans(pg0, pg1, int(ok))
	}
	return nil
}

func pct(d []time.Duration, p int) time.Duration {
	return d[(len(d)-1)*p/100].Round(time.Microsecond)
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}
