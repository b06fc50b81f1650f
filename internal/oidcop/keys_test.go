package oidcop

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"guestlist/internal/store/sqlstore"
)

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newTestKeys(t *testing.T, policy KeyPolicy) (*Keys, *testClock, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keys.db")
	st, err := sqlstore.Open(t.Context(), path, sqlstore.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock := &testClock{now: time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
	k, err := NewKeys(t.Context(), st, clock.Now, policy)
	if err != nil {
		t.Fatal(err)
	}
	return k, clock, path
}

func published(k *Keys) map[string]bool {
	m := map[string]bool{}
	for _, key := range k.PublicKeys() {
		m[key.KeyID] = true
	}
	return m
}

// TestKeyRotation: a rotated key keeps signing tokens' verification alive
// for Retain after its successor took over, then leaves the JWKS;
// Maintain rotates a key older than RotateAfter.
func TestKeyRotation(t *testing.T) {
	k, clock, _ := newTestKeys(t, KeyPolicy{RotateAfter: 48 * time.Hour, Retain: 24 * time.Hour})
	first, ok := k.Current()
	if !ok || first.Algorithm != string(jose.RS256) {
		t.Fatalf("first key: %v %q, want an RS256 key by default", ok, first.Algorithm)
	}
	clock.Advance(time.Hour)
	if err := k.Maintain(t.Context()); err != nil {
		t.Fatal(err)
	}
	if cur, _ := k.Current(); cur.KeyID != first.KeyID {
		t.Fatal("Maintain rotated a key younger than RotateAfter")
	}
	if err := k.Rotate(t.Context()); err != nil {
		t.Fatal(err)
	}
	second, _ := k.Current()
	if second.KeyID == first.KeyID {
		t.Fatal("Rotate kept the same signing key")
	}
	if p := published(k); !p[first.KeyID] || !p[second.KeyID] {
		t.Fatalf("after rotation the JWKS has %v, want both keys", p)
	}
	if _, err := k.Public(t.Context(), first.KeyID); err != nil {
		t.Fatalf("the old key no longer verifies right after rotation: %v", err)
	}
	clock.Advance(24*time.Hour - time.Second)
	if err := k.Maintain(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !published(k)[first.KeyID] {
		t.Fatal("the old key left the JWKS before Retain was over")
	}
	clock.Advance(time.Second)
	if err := k.Maintain(t.Context()); err != nil {
		t.Fatal(err)
	}
	if published(k)[first.KeyID] {
		t.Fatal("the old key is still published Retain after its successor took over")
	}
	if _, err := k.Public(t.Context(), first.KeyID); err == nil {
		t.Fatal("a retired key still verifies")
	}
	clock.Advance(24 * time.Hour) // second is now 48h old
	if err := k.Maintain(t.Context()); err != nil {
		t.Fatal(err)
	}
	if cur, _ := k.Current(); cur.KeyID == second.KeyID {
		t.Fatal("Maintain did not rotate a key older than RotateAfter")
	}
}

// TestKeysES256AndSharedStore: the ES256 policy signs with P-256 keys, and
// a second process on the same store sees a rotation once it reloads.
func TestKeysES256AndSharedStore(t *testing.T) {
	k, clock, path := newTestKeys(t, KeyPolicy{Algorithm: jose.ES256})
	cur, _ := k.Current()
	if cur.Algorithm != string(jose.ES256) {
		t.Fatalf("algorithm %q, want ES256", cur.Algorithm)
	}
	st2, err := sqlstore.Open(t.Context(), path, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	other, err := NewKeys(t.Context(), st2, clock.Now, KeyPolicy{Algorithm: jose.ES256})
	if err != nil {
		t.Fatal(err)
	}
	if oc, _ := other.Current(); oc.KeyID != cur.KeyID {
		t.Fatal("a second process made its own key instead of using the stored one")
	}
	if err := k.Rotate(t.Context()); err != nil {
		t.Fatal(err)
	}
	next, _ := k.Current()
	if err := other.Fresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if published(other)[next.KeyID] {
		t.Fatal("Fresh reloaded before reloadAfter passed") // it must only reload when stale
	}
	clock.Advance(reloadAfter)
	if err := other.Fresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if oc, _ := other.Current(); oc.KeyID != next.KeyID || !published(other)[cur.KeyID] {
		t.Fatal("after reloading, the other process neither signs with the new key nor keeps the old one published")
	}
	if _, err := NewKeys(t.Context(), st2, clock.Now, KeyPolicy{Algorithm: "HS256"}); err == nil {
		t.Fatal("HS256 accepted as a signing algorithm")
	}
}
