package core

import "time"

// AuthRequest is one OpenID Connect authorization request (SPEC R32), kept
// in the store from /authorize until its code is exchanged, so any process
// can continue it. Once exchanged it stays as a tombstone until it expires,
// so a second use of its code can be recognised and the tokens issued from
// it revoked (RFC 6749 section 4.1.2).
type AuthRequest struct {
	TenantID            string
	ID                  string
	ClientID            string
	RedirectURI         string
	State               string
	Nonce               string
	ResponseType        string
	ResponseMode        string
	Scopes              []string
	CodeChallenge       string
	CodeChallengeMethod string
	Prompt              []string
	MaxAge              int64 // seconds; -1 when not requested
	LoginHint           string
	UILocales           string
	UserID              string // set once the guest signed in
	AuthTime            time.Time
	AMR                 []string
	Done                bool
	CodeHash            []byte // keyed hash of the issued code
	// BrowserHash is the keyed hash of the binding value of the browser
	// that opened /authorize: only that browser may complete the request
	// or collect its code (SPEC R32).
	BrowserHash []byte
	FamilyID    string // token family issued from the code, once exchanged
	Exchanged   bool
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// TokenFamily groups the tokens issued from one sign-in of one user to one
// client: refresh tokens rotate within it, and revoking it (reuse of an old
// refresh token or of the code, logout) ends every token of it.
type TokenFamily struct {
	TenantID  string
	ID        string
	ClientID  string
	UserID    string
	Scopes    []string
	AMR       []string
	AuthTime  time.Time
	CreatedAt time.Time
	RevokedAt time.Time
}

// RefreshToken is one refresh token of a family; only its keyed hash is
// stored. Each is usable once: using it issues the next (rotation).
type RefreshToken struct {
	TenantID  string
	ID        string // keyed hash of the token, hex
	FamilyID  string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
}
