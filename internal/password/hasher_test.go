package password

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

// cheap keeps tests fast; the cost does not change what is being tested.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(cheap)
	phc, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	ok, rehash, err := h.Verify(ctx, "correct horse battery staple", phc)
	if err != nil || !ok || rehash {
		t.Fatalf("Verify(right) = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
	ok, rehash, err = h.Verify(ctx, "correct horse battery stapler", phc)
	if err != nil || ok || rehash {
		t.Fatalf("Verify(wrong) = %v, %v, %v; want false, false, nil", ok, rehash, err)
	}
}

func TestHashEncodesParams(t *testing.T) {
	p := Params{Memory: 96, Time: 3, Threads: 2, SaltLen: 20, KeyLen: 24}
	phc, err := NewHasher(p).Hash(context.Background(), "some password")
	if err != nil {
		t.Fatal(err)
	}
	if want := "$argon2id$v=19$m=96,t=3,p=2$"; !strings.HasPrefix(phc, want) {
		t.Errorf("Hash = %q, want prefix %q", phc, want)
	}
	got, salt, key, err := decodePHC(phc)
	if err != nil {
		t.Fatal(err)
	}
	if got != p || len(salt) != 20 || len(key) != 24 {
		t.Errorf("decodePHC = %+v (salt %d, key %d bytes), want %+v", got, len(salt), len(key), p)
	}
	if strings.Contains(phc, "=$") || strings.HasSuffix(phc, "=") {
		t.Errorf("Hash = %q has base64 padding", phc)
	}
}

func TestHashesDiffer(t *testing.T) {
	h := NewHasher(cheap)
	a, err := h.Hash(context.Background(), "same password")
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.Hash(context.Background(), "same password")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Errorf("two hashes of one password are equal (%q): the salt is not random", a)
	}
}

func TestRehashOnOtherParams(t *testing.T) {
	ctx := context.Background()
	old := cheap
	old.Time = 2
	phc, err := NewHasher(old).Hash(ctx, "an old password")
	if err != nil {
		t.Fatal(err)
	}
	ok, rehash, err := NewHasher(cheap).Verify(ctx, "an old password", phc)
	if err != nil || !ok || !rehash {
		t.Fatalf("Verify = %v, %v, %v; want true, true, nil", ok, rehash, err)
	}
	// A wrong password must not ask for a rehash: the caller would store a
	// hash of the wrong password.
	ok, rehash, err = NewHasher(cheap).Verify(ctx, "not the password", phc)
	if err != nil || ok || rehash {
		t.Fatalf("Verify(wrong) = %v, %v, %v; want false, false, nil", ok, rehash, err)
	}
}

func TestNFKC(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(cheap)
	composed := "caf\u00e9 au lait tous les jours"
	decomposed := "cafe\u0301 au lait tous les jours"
	if composed == decomposed {
		t.Fatal("test strings are equal bytes")
	}
	phc, err := h.Hash(ctx, composed)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, err := h.Verify(ctx, decomposed, phc); err != nil || !ok {
		t.Errorf("decomposed é against composed hash: %v, %v", ok, err)
	}
	phc, err = h.Hash(ctx, decomposed)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, err := h.Verify(ctx, composed, phc); err != nil || !ok {
		t.Errorf("composed é against decomposed hash: %v, %v", ok, err)
	}
}

// TestReferenceVectors verifies strings made by the Argon2 reference
// implementation (phc-winner-argon2, src/test.c), so Verify and the PHC
// parsing agree with an encoder other than ours.
func TestReferenceVectors(t *testing.T) {
	h := NewHasher(cheap)
	for _, phc := range []string{
		"$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
		"$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
	} {
		ok, rehash, err := h.Verify(context.Background(), "password", phc)
		if err != nil || !ok || !rehash {
			t.Errorf("Verify(%q) = %v, %v, %v; want true, true, nil", phc, ok, rehash, err)
		}
		ok, _, err = h.Verify(context.Background(), "passwore", phc)
		if err != nil || ok {
			t.Errorf("Verify(wrong, %q) = %v, %v; want false, nil", phc, ok, err)
		}
	}
}

// TestKnownAnswer builds the PHC string by hand from argon2.IDKey, without
// the package's encoder, and checks that Verify accepts it and that Hash's
// layout matches it.
func TestKnownAnswer(t *testing.T) {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("Tr0ub4dor&3 sans accent"), salt, 2, 128, 1, 32)
	enc := base64.StdEncoding.WithPadding(base64.NoPadding)
	phc := fmt.Sprintf("$argon2id$v=19$m=128,t=2,p=1$%s$%s", enc.EncodeToString(salt), enc.EncodeToString(key))
	h := NewHasher(Params{Memory: 128, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32})
	ok, rehash, err := h.Verify(context.Background(), "Tr0ub4dor&3 sans accent", phc)
	if err != nil || !ok || rehash {
		t.Fatalf("Verify = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
	if got := encodePHC(h.Params(), salt, key); got != phc {
		t.Errorf("encodePHC = %q, want %q", got, phc)
	}
}

func TestContextWhileWaiting(t *testing.T) {
	h := NewHasherSlots(cheap, 1)
	h.slots <- struct{}{} // hold the only slot
	defer h.release()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := h.Hash(ctx, "waiting for a slot")
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Hash with a cancelled ctx and no free slot = %v, want context.Canceled", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	go func() {
		_, _, err := h.Verify(ctx, "waiting for a slot", "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4")
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Verify with a cancelled ctx and no free slot = %v, want context.Canceled", err)
	}
}

func TestSlotCount(t *testing.T) {
	n := runtime.GOMAXPROCS(0)
	if got := cap(NewHasher(cheap).slots); got != n {
		t.Errorf("slots with p=1: %d, want GOMAXPROCS=%d", got, n)
	}
	four := cheap
	four.Threads = 4
	if got, want := cap(NewHasher(four).slots), max(1, n/4); got != want {
		t.Errorf("slots with p=4: %d, want %d", got, want)
	}
}

func TestVerifyNothing(t *testing.T) {
	h := NewHasherSlots(cheap, 1)
	h.VerifyNothing(context.Background(), "anything at all")
	// The slot must be given back, or every later sign-in would block.
	select {
	case h.slots <- struct{}{}:
		h.release()
	default:
		t.Fatal("VerifyNothing kept its slot")
	}
}

func TestTooLongInput(t *testing.T) {
	h := NewHasher(cheap)
	long := strings.Repeat("a", maxInputBytes+1)
	if _, err := h.Hash(context.Background(), long); !errors.Is(err, ErrTooLong) {
		t.Errorf("Hash(%d bytes) = %v, want ErrTooLong", len(long), err)
	}
	phc, err := h.Hash(context.Background(), "short enough")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.Verify(context.Background(), long, phc); !errors.Is(err, ErrTooLong) {
		t.Errorf("Verify(%d bytes) = %v, want ErrTooLong", len(long), err)
	}
}

func TestNewHasherRefusesBadParams(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewHasher(t=0) did not panic")
		}
	}()
	NewHasher(Params{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32})
}

func TestDefaultIsValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatal(err)
	}
}
