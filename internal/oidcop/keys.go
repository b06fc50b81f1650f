package oidcop

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/go-jose/go-jose/v4"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// errUnknownKey: no key of the store has the token's key id.
var errUnknownKey = errors.New("unknown signing key")

// Keys signs and verifies tokens with the store's signing keys. Keys are
// cached; an unknown key id reloads from the store, so a key another
// process created is found without a restart.
type Keys struct {
	st  store.Store
	now platform.Clock

	mu      sync.RWMutex
	signer  jose.Signer
	current jose.JSONWebKey // the newest private key, which signs
	public  map[string]jose.JSONWebKey
}

// NewKeys loads the signing keys, creating an RS256 key on first start.
func NewKeys(ctx context.Context, st store.Store, now platform.Clock) (*Keys, error) {
	k := &Keys{st: st, now: now}
	if err := k.load(ctx); err != nil {
		return nil, err
	}
	if k.signer != nil {
		return k, nil
	}
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("oidcop: generate key: %w", err)
	}
	jwk := jose.JSONWebKey{Key: priv, KeyID: platform.NewToken(), Algorithm: string(jose.RS256), Use: "sig"}
	raw, err := jwk.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("oidcop: encode key: %w", err)
	}
	sk := core.SigningKey{ID: jwk.KeyID, Algorithm: jwk.Algorithm, PrivateJWK: raw, CreatedAt: now()}
	if err := st.CreateSigningKey(ctx, &sk); err != nil {
		return nil, err
	}
	return k, k.load(ctx)
}

// load reads every key; the newest signs.
func (k *Keys) load(ctx context.Context) error {
	stored, err := k.st.SigningKeys(ctx)
	if err != nil {
		return err
	}
	public := map[string]jose.JSONWebKey{}
	var signer jose.Signer
	var current jose.JSONWebKey
	for i, sk := range stored {
		var jwk jose.JSONWebKey
		if err := json.Unmarshal(sk.PrivateJWK, &jwk); err != nil {
			return fmt.Errorf("oidcop: decode key %s: %w", sk.ID, err)
		}
		public[jwk.KeyID] = jwk.Public()
		if i == 0 {
			current = jwk
			signer, err = jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(sk.Algorithm), Key: jwk},
				(&jose.SignerOptions{}).WithType("JWT"))
			if err != nil {
				return fmt.Errorf("oidcop: signer: %w", err)
			}
		}
	}
	k.mu.Lock()
	k.signer, k.current, k.public = signer, current, public
	k.mu.Unlock()
	return nil
}

// Signer returns the current signer.
func (k *Keys) Signer() jose.Signer {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.signer
}

// Public returns the verification key with id kid.
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

// Current returns the signing key (with its private part).
func (k *Keys) Current() (jose.JSONWebKey, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.current, k.current.Key != nil
}

// PublicKeys returns every verification key, for the JWKS.
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
