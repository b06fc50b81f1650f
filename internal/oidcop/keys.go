package oidcop

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// errUnknownKey: no published key has the token's key id.
var errUnknownKey = errors.New("unknown signing key")

// KeyPolicy says how tokens are signed and keys rotated.
type KeyPolicy struct {
	// Algorithm is RS256 (what every client supports; the default) or
	// ES256 (smaller, cheaper signatures).
	Algorithm jose.SignatureAlgorithm
	// RotateAfter is the age at which a new key takes over signing; 0
	// means 90 days.
	RotateAfter time.Duration
	// Retain keeps a key in the JWKS this long after it stopped signing,
	// so tokens it signed still verify until they expire; 0 means 24h
	// (longer than any token's lifetime but refresh tokens, which are not
	// signed).
	Retain time.Duration
}

func (p *KeyPolicy) defaults() {
	if p.Algorithm == "" {
		p.Algorithm = jose.RS256
	}
	if p.RotateAfter <= 0 {
		p.RotateAfter = 90 * 24 * time.Hour
	}
	if p.Retain <= 0 {
		p.Retain = 24 * time.Hour
	}
}

// Keys holds the signing keys, which live in the store so every process
// signs and verifies alike. The newest key of the policy's algorithm
// signs; older keys stay published until Retain after their successor
// took over. An unknown key id reloads from the store, so a key another
// process created is found at once; Maintain reloads and rotates.
type Keys struct {
	st     store.Store
	now    platform.Clock
	policy KeyPolicy

	mu             sync.RWMutex
	current        jose.JSONWebKey            // the private key that signs
	currentCreated time.Time                  // when it was made
	public         map[string]jose.JSONWebKey // what the JWKS publishes
	loaded         time.Time                  // when the store was last read
	newest         time.Time                  // creation time of the newest key
}

// reloadAfter bounds how long a process serves keys without looking at the
// store: another process's rotation shows in every JWKS within it.
const reloadAfter = time.Minute

// Fresh reloads the keys when they were last read over reloadAfter ago.
func (k *Keys) Fresh(ctx context.Context) error {
	k.mu.RLock()
	stale := k.now().Sub(k.loaded) >= reloadAfter
	k.mu.RUnlock()
	if !stale {
		return nil
	}
	return k.load(ctx)
}

// NewKeys loads the signing keys, creating one on first start (or when no
// key of the policy's algorithm exists yet).
func NewKeys(ctx context.Context, st store.Store, now platform.Clock, policy KeyPolicy) (*Keys, error) {
	policy.defaults()
	if policy.Algorithm != jose.RS256 && policy.Algorithm != jose.ES256 {
		return nil, fmt.Errorf("signing algorithm must be RS256 or ES256, not %s", policy.Algorithm)
	}
	k := &Keys{st: st, now: now, policy: policy}
	if err := k.load(ctx); err != nil {
		return nil, err
	}
	if _, ok := k.Current(); ok {
		return k, nil
	}
	return k, k.Rotate(ctx)
}

// Rotate creates a new key of the policy's algorithm, which signs from now
// on; the previous one stays published for Retain.
func (k *Keys) Rotate(ctx context.Context) error {
	var priv crypto.Signer
	var err error
	if k.policy.Algorithm == jose.ES256 {
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		return fmt.Errorf("oidcop: generate key: %w", err)
	}
	jwk := jose.JSONWebKey{Key: priv, KeyID: platform.NewToken(), Algorithm: string(k.policy.Algorithm), Use: "sig"}
	raw, err := jwk.MarshalJSON()
	if err != nil {
		return fmt.Errorf("oidcop: encode key: %w", err)
	}
	// Strictly after every key so far: keys are ordered by creation time,
	// and a tie could leave the old key signing.
	created := k.now().Truncate(time.Microsecond) // the store keeps microseconds
	k.mu.RLock()
	if !created.After(k.newest) {
		created = k.newest.Add(time.Microsecond)
	}
	k.mu.RUnlock()
	sk := core.SigningKey{ID: jwk.KeyID, Algorithm: jwk.Algorithm, PrivateJWK: raw, CreatedAt: created}
	if err := k.st.CreateSigningKey(ctx, &sk); err != nil {
		return err
	}
	return k.load(ctx)
}

// Maintain reloads the keys (another process may have rotated) and rotates
// when the signing key is older than RotateAfter. The server runs it
// periodically.
func (k *Keys) Maintain(ctx context.Context) error {
	if err := k.load(ctx); err != nil {
		return err
	}
	k.mu.RLock()
	created := k.currentCreated
	k.mu.RUnlock()
	if k.now().Sub(created) < k.policy.RotateAfter {
		return nil
	}
	return k.Rotate(ctx)
}

// load reads every key (newest first): the newest of the policy's
// algorithm signs; a key is published while it is the newest of all, or
// until Retain after the key that followed it was created.
func (k *Keys) load(ctx context.Context) error {
	stored, err := k.st.SigningKeys(ctx)
	if err != nil {
		return err
	}
	now := k.now()
	public := map[string]jose.JSONWebKey{}
	var current jose.JSONWebKey
	var currentCreated time.Time
	for i, sk := range stored {
		if i > 0 && now.Sub(stored[i-1].CreatedAt) >= k.policy.Retain {
			break // retired: its successor took over more than Retain ago
		}
		var jwk jose.JSONWebKey
		if err := json.Unmarshal(sk.PrivateJWK, &jwk); err != nil {
			return fmt.Errorf("oidcop: decode key %s: %w", sk.ID, err)
		}
		public[jwk.KeyID] = jwk.Public()
		if current.Key == nil && sk.Algorithm == string(k.policy.Algorithm) {
			current, currentCreated = jwk, sk.CreatedAt
		}
	}
	k.mu.Lock()
	var newest time.Time
	if len(stored) > 0 {
		newest = stored[0].CreatedAt
	}
	k.current, k.currentCreated, k.public, k.loaded, k.newest = current, currentCreated, public, now, newest
	k.mu.Unlock()
	return nil
}

// Current returns the signing key (with its private part).
func (k *Keys) Current() (jose.JSONWebKey, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.current, k.current.Key != nil
}

// Algorithms are the algorithms of the published keys.
func (k *Keys) Algorithms() []jose.SignatureAlgorithm {
	k.mu.RLock()
	defer k.mu.RUnlock()
	seen := map[jose.SignatureAlgorithm]bool{}
	var out []jose.SignatureAlgorithm
	for _, key := range k.public {
		if a := jose.SignatureAlgorithm(key.Algorithm); !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}

// Public returns the published verification key with id kid, reloading
// once when it is unknown.
func (k *Keys) Public(ctx context.Context, kid string) (jose.JSONWebKey, error) {
	k.mu.RLock()
	key, ok := k.public[kid]
	k.mu.RUnlock()
	if ok {
		return key, nil
	}
	if err := k.load(ctx); err != nil {
		return jose.JSONWebKey{}, err
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	if key, ok = k.public[kid]; !ok {
		return jose.JSONWebKey{}, errUnknownKey
	}
	return key, nil
}

// PublicKeys returns every published verification key, for the JWKS.
func (k *Keys) PublicKeys() []jose.JSONWebKey {
	k.mu.RLock()
	defer k.mu.RUnlock()
	out := make([]jose.JSONWebKey, 0, len(k.public))
	for _, key := range k.public {
		out = append(out, key)
	}
	return out
}

// signingKey and publicKey adapt JSON Web Keys to the provider's types.
type signingKey struct{ jose.JSONWebKey }

func (s signingKey) SignatureAlgorithm() jose.SignatureAlgorithm {
	return jose.SignatureAlgorithm(s.Algorithm)
}
func (s signingKey) Key() any   { return s.JSONWebKey.Key }
func (s signingKey) ID() string { return s.KeyID }

type publicKey struct{ jose.JSONWebKey }

func (p publicKey) ID() string { return p.KeyID }
func (p publicKey) Algorithm() jose.SignatureAlgorithm {
	return jose.SignatureAlgorithm(p.JSONWebKey.Algorithm)
}
func (p publicKey) Use() string { return "sig" }
func (p publicKey) Key() any    { return p.JSONWebKey.Key }
