package oidcop

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"guestlist/internal/core"
	"guestlist/internal/platform"
)

// leeway is the clock skew allowed on expiry between processes.
const leeway = 30 * time.Second

// Verifier checks the access tokens the admin API is called with; the
// provider (client credentials grant of the admin application) issues them.
type Verifier struct {
	keys    *Keys
	now     platform.Clock
	baseURL string
}

// NewVerifier returns the checker of the admin API's tokens for the
// deployment at baseURL.
func NewVerifier(keys *Keys, now platform.Clock, baseURL string) *Verifier {
	return &Verifier{keys: keys, now: now, baseURL: strings.TrimSuffix(baseURL, "/")}
}

// Claims are an admin access token's claims (Entra's app-only token shape).
type Claims struct {
	jwt.Claims
	TenantID string   `json:"tid"`
	AppID    string   `json:"appid"`
	Roles    []string `json:"roles,omitempty"`
}

// Audience of admin access tokens: the Graph-shaped API.
func (i *Verifier) Audience() string { return i.baseURL + "/v1.0" }

func (i *Verifier) issuer(tenantID string) string { return i.baseURL + "/" + tenantID + "/v2.0" }

// Verify checks a bearer token: signature by one of our keys, issuer of its
// own tenant, our audience, not expired. Errors: core.ErrUnauthenticated.
func (i *Verifier) Verify(ctx context.Context, raw string) (*Claims, error) {
	bad := func(msg string) error {
		return core.Errorf(core.ErrUnauthenticated, "InvalidAuthenticationToken", "%s", msg)
	}
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil || len(tok.Headers) != 1 {
		return nil, bad("the access token is malformed")
	}
	key, err := i.keys.Public(ctx, tok.Headers[0].KeyID)
	if errors.Is(err, errUnknownKey) {
		return nil, bad("the access token's signature is not valid")
	} else if err != nil {
		return nil, err // the key store could not be read: not the caller's fault
	}
	var c Claims
	if err := tok.Claims(key, &c); err != nil {
		return nil, bad("the access token's signature is not valid")
	}
	// Issuer and audience as usual. Of the times, only expiry is checked,
	// against the server's clock: the token is our own (the signature says
	// so), and the library stamps iat and nbf from the wall clock, which a
	// test's clock does not follow.
	err = c.Validate(jwt.Expected{Issuer: i.issuer(c.TenantID), AnyAudience: jwt.Audience{i.Audience()},
		Time: c.IssuedAt.Time()})
	expired := c.Expiry == nil || !i.now().Before(c.Expiry.Time().Add(leeway))
	if err != nil || expired || c.TenantID == "" || c.AppID == "" {
		return nil, bad("the access token has expired or is not for this API")
	}
	return &c, nil
}
