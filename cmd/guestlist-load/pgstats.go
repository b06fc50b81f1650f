package main

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// pgWatch reads what PostgreSQL did for the servers: the database's
// transaction and row counters, per-table scans, and the CPU of the
// backends serving the database.
type pgWatch struct {
	db *sql.DB
}

type pgCounters struct {
	xacts, returned, fetched, written, blocks int64
	tables                                    map[string]tableScans
}

type tableScans struct{ seqScans, seqRows, idxScans, idxRows int64 }

func openPG(url string) (*pgWatch, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return &pgWatch{db: db}, db.Ping()
}

// counters reads the cumulative statistics. PostgreSQL publishes a
// backend's counts when it goes idle (at most once a second) or exits:
// read them when the servers are stopped.
func (w *pgWatch) counters(ctx context.Context) (pgCounters, error) {
	var c pgCounters
	err := w.db.QueryRowContext(ctx, `SELECT xact_commit + xact_rollback, tup_returned, tup_fetched,
		tup_inserted + tup_updated + tup_deleted, blks_hit + blks_read
		FROM pg_stat_database WHERE datname = current_database()`).Scan(&c.xacts, &c.returned, &c.fetched, &c.written, &c.blocks)
	if err != nil {
		return c, err
	}
	rows, err := w.db.QueryContext(ctx, `SELECT relname, coalesce(seq_scan, 0), coalesce(seq_tup_read, 0),
		coalesce(idx_scan, 0), coalesce(idx_tup_fetch, 0) FROM pg_stat_user_tables`)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	c.tables = map[string]tableScans{}
	for rows.Next() {
		var name string
		var s tableScans
		if err := rows.Scan(&name, &s.seqScans, &s.seqRows, &s.idxScans, &s.idxRows); err != nil {
			return c, err
		}
		c.tables[name] = s
	}
	return c, rows.Err()
}

// waitIdle waits until no other session is connected to the database
// (the servers have stopped and their backends have published their
// counts on exit).
func (w *pgWatch) waitIdle(ctx context.Context) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		var n int
		if err := w.db.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			// pg_stat_activity drops a backend before its exit hooks
			// finish; its counters follow within the same exit.
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d sessions still on the database after 30s", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// backendCPU samples the CPU of the database's backends while a run
// lasts: start it before, call the returned function after.
func (w *pgWatch) backendCPU(ctx context.Context) func() time.Duration {
	var mu sync.Mutex
	first, last := map[int]time.Duration{}, map[int]time.Duration{}
	sample := func(initial bool) {
		rows, err := w.db.QueryContext(ctx, `SELECT pid FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()`)
		if err != nil {
			return
		}
		var pids []int
		for rows.Next() {
			var pid int
			if rows.Scan(&pid) == nil {
				pids = append(pids, pid)
			}
		}
		rows.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, pid := range pids {
			cpu, err := cpuOf(pid)
			if err != nil {
				continue
			}
			if _, seen := last[pid]; !seen && initial {
				first[pid] = cpu
			}
			last[pid] = cpu // a backend started during the run counts from 0
		}
	}
	sample(true)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				sample(false)
			}
		}
	}()
	return func() time.Duration {
		close(stop)
		<-done
		sample(false)
		mu.Lock()
		defer mu.Unlock()
		var total time.Duration
		for pid, c := range last {
			total += c - first[pid]
		}
		return total
	}
}

// printScans lists the tables read sequentially during the run, most rows
// first.
func printScans(before, after pgCounters, logins int) {
	type row struct {
		name string
		d    tableScans
	}
	var list []row
	for name, a := range after.tables {
		b := before.tables[name]
		d := tableScans{a.seqScans - b.seqScans, a.seqRows - b.seqRows, a.idxScans - b.idxScans, a.idxRows - b.idxRows}
		if d.seqScans > 0 || d.idxScans > 0 {
			list = append(list, row{name, d})
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].d.seqRows+list[i].d.idxRows > list[j].d.seqRows+list[j].d.idxRows })
	fmt.Printf("%-28s %12s %12s %12s %12s   (per login)\n", "table", "seq scans", "seq rows", "idx scans", "idx rows")
	per := func(v int64) float64 { return float64(v) / float64(max(logins, 1)) }
	for _, r := range list {
		fmt.Printf("%-28s %12.2f %12.1f %12.2f %12.1f\n", r.name, per(r.d.seqScans), per(r.d.seqRows), per(r.d.idxScans), per(r.d.idxRows))
	}
}
