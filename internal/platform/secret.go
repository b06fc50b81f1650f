package platform

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// Secret is a string that never reaches a log.
type Secret string

// LogValue redacts the secret in structured logs.
func (Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// String redacts the secret in fmt output; use string(s) deliberately.
func (Secret) String() string { return "[redacted]" }

// Keyring holds the server key that every stored secret (passcodes, redeem
// tokens, session and flow ids, client secrets) is hashed with. A database
// copy without the key reveals none of them. All processes of a deployment
// must share it (GUESTLIST_SECRET_KEY or the key file in the data directory).
type Keyring struct {
	key []byte
}

// NewKeyring uses key (at least 32 bytes).
func NewKeyring(key []byte) (*Keyring, error) {
	if len(key) < 32 {
		return nil, errors.New("secret key must be at least 32 bytes")
	}
	return &Keyring{key: append([]byte(nil), key...)}, nil
}

// Hash is HMAC-SHA256(key, purpose || 0 || value). The purpose separates
// domains, so a session id can never be presented as a redeem token.
func (k *Keyring) Hash(purpose, value string) []byte {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return m.Sum(nil)
}

// HashID is Hash as lower-case hex, for secrets used as row ids.
func (k *Keyring) HashID(purpose, value string) string {
	return hex.EncodeToString(k.Hash(purpose, value))
}

// NewToken returns a fresh random token (26 base32 characters, 130 bits).
func NewToken() string { return rand.Text() }

// LoadOrCreateKey returns the hex key from env if set, else the key in
// dir/secret.key, creating it (mode 0600) on first start.
func LoadOrCreateKey(env, dir string) ([]byte, error) {
	if env != "" {
		key, err := hex.DecodeString(strings.TrimSpace(env))
		if err != nil || len(key) < 32 {
			return nil, errors.New("GUESTLIST_SECRET_KEY must be at least 64 hex characters")
		}
		return key, nil
	}
	path := filepath.Join(dir, "secret.key")
	if b, err := os.ReadFile(path); err == nil {
		return LoadOrCreateKey(string(b), dir)
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read secret key: %w", err)
	}
	key := make([]byte, 32)
	rand.Read(key)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) { // another process won the race
		return LoadOrCreateKey("", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("create secret key: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		return nil, fmt.Errorf("write secret key: %w", err)
	}
	return key, f.Sync()
}

// sealPurpose derives the key that seals stored secrets (Seal) from the
// server key, apart from every hash.
const sealPurpose = "seal-v1"

// Seal encrypts a secret that must be used again as it is (a partner's
// OpenID client secret, sent to it at every sign-in), with AES-256-GCM
// under a key derived from the server key: a database copy without the
// key reveals none of them. aad binds the sealed value to where it is
// stored (say, the tenant and provider ids), so it cannot be moved.
func (k *Keyring) Seal(plain, aad string) ([]byte, error) {
	gcm, err := k.aead()
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	rand.Read(nonce)
	return gcm.Seal(nonce, nonce, []byte(plain), []byte(aad)), nil
}

// Open decrypts what Seal sealed with the same aad.
func (k *Keyring) Open(sealed []byte, aad string) (Secret, error) {
	gcm, err := k.aead()
	if err != nil {
		return "", err
	}
	if len(sealed) < gcm.NonceSize() {
		return "", errors.New("sealed secret is too short")
	}
	plain, err := gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], []byte(aad))
	if err != nil {
		return "", errors.New("sealed secret does not open with the server key")
	}
	return Secret(plain), nil
}

func (k *Keyring) aead() (cipher.AEAD, error) {
	block, err := aes.NewCipher(k.Hash(sealPurpose, ""))
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
