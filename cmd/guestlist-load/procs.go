package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is one `guestlist serve` process the driver started.
type proc struct {
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:port
	metrics string // its Prometheus endpoint
	mu      sync.Mutex
	tail    []string // its last log lines
	exited  chan struct{}
}

// clockTick is the unit of /proc/<pid>/stat's times: USER_HZ, 100 on
// every Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// slot is where one process listens: the same addresses when it is
// started again.
type slot struct{ addr, metricsAddr string }

func newSlot() (slot, error) {
	a, err := freePort()
	if err != nil {
		return slot{}, err
	}
	m, err := freePort()
	return slot{a, m}, err
}

// startProc runs `bin serve` with args at sl and waits until it answers
// /readyz; it returns how long that took.
func startProc(ctx context.Context, bin string, sl slot, args []string) (*proc, time.Duration, error) {
	t0 := time.Now()
	addr, maddr := sl.addr, sl.metricsAddr
	argv := append([]string{"serve", "--addr", addr, "--metrics-addr", maddr, "--log-level", "warn"}, args...)
	cmd := exec.Command(bin, argv...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, 0, err
	}
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	p := &proc{cmd: cmd, base: "http://" + addr, metrics: "http://" + maddr + "/metrics", exited: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.tail = append(p.tail, sc.Text())
			if len(p.tail) > 20 {
				p.tail = p.tail[1:]
			}
			p.mu.Unlock()
		}
		_ = cmd.Wait()
		close(p.exited)
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(p.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, time.Since(t0), nil
			}
		}
		select {
		case <-p.exited:
			return nil, 0, fmt.Errorf("guestlist serve exited before it was ready:\n%s", p.log())
		case <-ctx.Done():
			p.stop()
			return nil, 0, ctx.Err()
		case <-time.After(2 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, 0, fmt.Errorf("guestlist serve not ready within 60s:\n%s", p.log())
		}
	}
}

func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.tail, "\n")
}

// stop ends the process with SIGTERM (a graceful drain) and waits for it.
func (p *proc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// cpuOf is the CPU time (user + system) a process has used so far.
func cpuOf(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; fields count from
	// after its closing parenthesis.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("malformed stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("malformed stat")
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, _ := strconv.ParseInt(f[12], 10, 64) // field 15
	return time.Duration(utime+stime) * clockTick, nil
}

// memOf reads the resident set size and its peak, in KiB.
func memOf(pid int) (rss, hwm int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	return rss, hwm
}

// counters the driver reads from each process's metrics.
var counterNames = []string{"go_memstats_mallocs_total", "guestlist_db_statements_total", "guestlist_db_transactions_total"}

// counters reads counterNames from the process's metrics endpoint; a
// counter it cannot read is -1.
func (p *proc) counters() []float64 {
	out := make([]float64, len(counterNames))
	for i := range out {
		out[i] = -1
	}
	resp, err := http.Get(p.metrics)
	if err != nil {
		return out
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for line := range strings.SplitSeq(string(b), "\n") {
		for i, name := range counterNames {
			if v, ok := strings.CutPrefix(line, name+" "); ok {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					out[i] = f
				}
			}
		}
	}
	return out
}
