package password

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// candidates are the costs weighed for Default: OWASP's Argon2id minimums
// (m=19 MiB t=2, m=12 MiB t=3, m=9 MiB t=4, m=7 MiB t=5), a memory-heavy
// single pass, and cheaper settings the latency target may force.
var candidates = []Params{
	{Memory: 46 * 1024, Time: 1},
	{Memory: 19 * 1024, Time: 2},
	{Memory: 12 * 1024, Time: 3},
	{Memory: 9 * 1024, Time: 4},
	{Memory: 7 * 1024, Time: 5},
	{Memory: 16 * 1024, Time: 1},
	{Memory: 8 * 1024, Time: 1},
	{Memory: 4 * 1024, Time: 2},
	{Memory: 4 * 1024, Time: 1},
	{Memory: 2 * 1024, Time: 2},
	{Memory: 3 * 1024, Time: 1},
	{Memory: 2 * 1024, Time: 1},
	{Memory: 1 * 1024, Time: 2},
	{Memory: 1 * 1024, Time: 1},
}

func candidate(p Params) (Params, string) {
	p.Threads, p.SaltLen, p.KeyLen = 1, 16, 32
	return p, fmt.Sprintf("m=%dKiB/t=%d", p.Memory, p.Time)
}

// BenchmarkHash is the cost of one hash alone: ns/op is the CPU time a
// sign-in spends in Argon2id, B/op its memory.
func BenchmarkHash(b *testing.B) {
	for _, c := range candidates {
		p, name := candidate(c)
		b.Run(name, func(b *testing.B) {
			h := NewHasher(p)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifyConcurrent32 has 32 goroutines call Verify on one Hasher
// back to back, as 32 concurrent sign-ins would, and reports the latency
// each call saw, waiting for a slot included. ns/op is the inverse of
// throughput.
func BenchmarkVerifyConcurrent32(b *testing.B) {
	const workers = 32
	for _, c := range candidates {
		p, name := candidate(c)
		b.Run(name, func(b *testing.B) {
			h := NewHasher(p)
			ctx := context.Background()
			phc, err := h.Hash(ctx, "correct horse battery staple")
			if err != nil {
				b.Fatal(err)
			}
			var left atomic.Int64
			left.Store(int64(b.N))
			lat := make([][]time.Duration, workers)
			var wg sync.WaitGroup
			b.ResetTimer()
			for w := range workers {
				wg.Go(func() {
					for left.Add(-1) >= 0 {
						start := time.Now()
						if ok, _, err := h.Verify(ctx, "correct horse battery staple", phc); !ok || err != nil {
							b.Error("Verify failed", err)
							return
						}
						lat[w] = append(lat[w], time.Since(start))
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			all := slices.Sorted(slices.Values(slices.Concat(lat...)))
			b.ReportMetric(msAt(all, 0.50), "p50-ms")
			b.ReportMetric(msAt(all, 0.99), "p99-ms")
		})
	}
}

func msAt(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return float64(sorted[int(q*float64(len(sorted)-1))]) / float64(time.Millisecond)
}

// BenchmarkVerifyNothing against BenchmarkVerify shows that a sign-in for an
// unknown address costs what a wrong password costs.
func BenchmarkVerifyNothing(b *testing.B) {
	h := NewHasher(Default())
	ctx := context.Background()
	for b.Loop() {
		h.VerifyNothing(ctx, "correct horse battery staple")
	}
}

func BenchmarkVerify(b *testing.B) {
	h := NewHasher(Default())
	ctx := context.Background()
	phc, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _, _ := h.Verify(ctx, "wrong horse battery staple", phc); ok {
			b.Fatal("wrong password accepted")
		}
	}
}
