package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"runtime"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// maxInputBytes bounds what Hash and Verify will feed to Argon2id. Any
// password Check accepts (256 code points of at most 4 bytes) fits; the bound
// keeps a megabyte-long "password" from costing more than a real one.
const maxInputBytes = 4096

// ErrTooLong is returned by Hash and Verify for input above maxInputBytes.
var ErrTooLong = errors.New("password: input too long to hash")

// Hasher hashes and verifies passwords with one set of Params, running at
// most a fixed number of hashes at once. Argon2id's memory is deliberate
// (RFC 9106 section 4): 32 concurrent sign-ins at m=19 MiB would hold
// 600 MiB, so callers beyond the slots wait, and waiting respects ctx.
// A Hasher is safe for concurrent use.
type Hasher struct {
	params Params
	slots  chan struct{}
}

// NewHasher returns a Hasher with one slot per GOMAXPROCS core per Argon2id
// lane: a hash with p lanes keeps p cores busy, so more slots than that would
// only add memory without adding throughput. It panics if p fails Validate,
// as the parameters are configuration, checked once at startup.
func NewHasher(p Params) *Hasher {
	return NewHasherSlots(p, max(1, runtime.GOMAXPROCS(0)/int(max(1, p.Threads))))
}

// NewHasherSlots is NewHasher with an explicit number of concurrent hashes
// (at least 1), for deployments whose memory budget differs from the default.
func NewHasherSlots(p Params, slots int) *Hasher {
	if err := p.Validate(); err != nil {
		panic(err)
	}
	return &Hasher{params: p, slots: make(chan struct{}, max(1, slots))}
}

// Params returns the parameters new hashes are made with.
func (h *Hasher) Params() Params { return h.params }

// acquire waits for a slot or for ctx; the caller must call release.
func (h *Hasher) acquire(ctx context.Context) error {
	// Checked first so a cancelled request never hashes, even with free slots.
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.slots }

// derive runs Argon2id inside a slot.
func (h *Hasher) derive(ctx context.Context, plain string, salt []byte, p Params) ([]byte, error) {
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	defer h.release()
	return argon2.IDKey([]byte(plain), salt, p.Time, p.Memory, p.Threads, p.KeyLen), nil
}

// normalize applies NFKC, as NIST SP 800-63B section 5.1.1.2 recommends
// before hashing, so the same password typed on different keyboards or
// input methods (composed vs decomposed accents) yields the same bytes.
func normalize(plain string) (string, error) {
	if len(plain) > maxInputBytes {
		return "", ErrTooLong
	}
	n := norm.NFKC.String(plain)
	if len(n) > maxInputBytes {
		return "", ErrTooLong
	}
	return n, nil
}

// Hash returns a PHC string for plain:
// $argon2id$v=19$m=<KiB>,t=<n>,p=<n>$<salt>$<hash>, base64 without padding.
// The salt comes from crypto/rand (RFC 9106 section 3.1: unique per
// password). Callers should run Check first; Hash does not judge passwords.
func (h *Hasher) Hash(ctx context.Context, plain string) (string, error) {
	n, err := normalize(plain)
	if err != nil {
		return "", err
	}
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: salt: %w", err)
	}
	key, err := h.derive(ctx, n, salt, h.params)
	if err != nil {
		return "", err
	}
	return encodePHC(h.params, salt, key), nil
}

// Verify checks plain against a stored PHC string, comparing in constant
// time. rehash is true when the stored parameters differ from h's, so the
// caller stores a fresh Hash after a successful sign-in. A malformed string,
// or one whose parameters exceed this package's limits, is an error wrapping
// ErrMalformed and is never run.
func (h *Hasher) Verify(ctx context.Context, plain, phc string) (ok, rehash bool, err error) {
	p, salt, want, err := decodePHC(phc)
	if err != nil {
		return false, false, err
	}
	n, err := normalize(plain)
	if err != nil {
		return false, false, err
	}
	got, err := h.derive(ctx, n, salt, p)
	if err != nil {
		return false, false, err
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, p != h.params, nil
}

// VerifyNothing spends what a Verify against a hash with h's parameters
// spends, waiting for a slot included, and finds nothing. A sign-in for an
// address without an account calls it so that its response time matches a
// wrong password and does not reveal which addresses have accounts (OWASP
// Authentication Cheat Sheet, "Authentication Responses").
func (h *Hasher) VerifyNothing(ctx context.Context, plain string) {
	n, err := normalize(plain)
	if err != nil {
		// Verify returns at the same point for such input.
		return
	}
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return
	}
	want := make([]byte, h.params.KeyLen)
	got, err := h.derive(ctx, n, salt, h.params)
	if err != nil {
		return
	}
	// Kept for symmetry with Verify's cost; the result is meaningless.
	_ = subtle.ConstantTimeCompare(got, want)
}
