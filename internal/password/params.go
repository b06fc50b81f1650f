package password

import (
	"errors"
	"fmt"
)

// Params are Argon2id cost parameters (RFC 9106 section 3.1).
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // iterations
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// Default returns the cost chosen by measurement: m=1 MiB, t=1, p=1.
//
// The requirement is a sign-in p99 under 100 ms with 32 concurrent sign-ins
// on the reference machine (2 vCPU Intel Xeon, Go 1.26.10). A Hasher runs two
// hashes at a time there, so each of 32 sign-ins waits for about 16 hashes:
// a ~70 ms p99 budget (the rest of a sign-in needs a few ms) buys ~2 ms of
// CPU per hash. Measured with `go test -run '^$' -bench . -benchtime 3s
// ./internal/password/`, m=1 MiB t=1 kept p99 at 46–63 ms, m=2 MiB t=1 at
// 57–96 ms, and OWASP's minimums (m=19 MiB t=2, m=7 MiB t=5 and their
// equivalents) at 0.8–1.2 s. So this is about 1/35 of OWASP's minimum cost
// (RFC 9106 section 4 has no lower floor): a deliberate trade of offline
// cracking cost for the latency target. BENCHMARKS.md, section "Password
// hashing (Argon2id)", has the table and how an operator raises it; stored
// hashes upgrade themselves through Verify's rehash.
//
// Threads is 1 because concurrency comes from many sign-ins, not from one
// hash, and one lane keeps one hash on one core so the Hasher's slots map to
// cores. SaltLen 16 and KeyLen 32 are RFC 9106 section 4's recommended
// 128-bit salt and 256-bit tag.
func Default() Params {
	return Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Limits on parameters, both for a Hasher and for stored PHC strings. A
// stored string is data from the database: a tampered or corrupted row must
// not make a sign-in allocate gigabytes or loop for minutes.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 100
	minSaltLen   = 8 // PHC string format: salts SHOULD be at least 8 bytes
	maxSaltLen   = 64
	minKeyLen    = 16 // shorter tags make forgeries by collision plausible
	maxKeyLen    = 128
)

// ErrParams is wrapped by every error about unacceptable parameters.
var ErrParams = errors.New("password: unacceptable Argon2id parameters")

// Validate reports whether p is within the limits this package will run.
// The service should call it on operator-supplied values before NewHasher.
func (p Params) Validate() error {
	switch {
	case p.Threads < 1:
		return fmt.Errorf("%w: p=%d, need at least 1", ErrParams, p.Threads)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("%w: t=%d, need 1..%d", ErrParams, p.Time, maxTime)
	// RFC 9106 section 3.1: memory must be at least 8*p KiB. x/crypto would
	// silently raise it, so a stored m below that would verify with a cost
	// other than the one written down.
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB:
		return fmt.Errorf("%w: m=%d KiB, need %d..%d", ErrParams, p.Memory, 8*uint32(p.Threads), maxMemoryKiB)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("%w: salt of %d bytes, need %d..%d", ErrParams, p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("%w: hash of %d bytes, need %d..%d", ErrParams, p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}
