package oidcop

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// BenchmarkSignIDToken is the signing cost of one ID token with the claims
// guestlist issues, per algorithm, and of verifying it (what every relying
// party pays).
//
//	go test -run '^$' -bench SignIDToken ./internal/oidcop
func BenchmarkSignIDToken(b *testing.B) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	claims := map[string]any{
		"iss": "https://login.example.com/8c1a0d5e-3b6f-4c55-9f1e-1b2c3d4e5f60/v2.0", "sub": "q3Yb8m0S2x9A1f7DkLr5tPz4WcVhNuGe0JiOaXyBv6E",
		"aud": "3b6f4920-7dc5-44b6-95c1-acca3305a530", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(),
		"auth_time": now.Unix(), "nonce": "n-0S6_WzA2Mj", "acr": "1", "amr": []string{"otp"},
		"oid": "f11bc99e-9b91-4f36-a9b1-7495a9200260", "tid": "8c1a0d5e-3b6f-4c55-9f1e-1b2c3d4e5f60",
		"email": "alice@contoso.example", "name": "Alice Adams", "preferred_username": "alice@contoso.example", "idp": "mail",
	}
	for _, tc := range []struct {
		alg jose.SignatureAlgorithm
		key any
		pub any
	}{{jose.RS256, rsaKey, &rsaKey.PublicKey}, {jose.ES256, ecKey, &ecKey.PublicKey}} {
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: tc.alg, Key: tc.key}, (&jose.SignerOptions{}).WithType("JWT"))
		if err != nil {
			b.Fatal(err)
		}
		var token string
		b.Run("sign/"+string(tc.alg), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if token, err = jwt.Signed(signer).Claims(claims).Serialize(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("verify/"+string(tc.alg), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{tc.alg})
				if err != nil {
					b.Fatal(err)
				}
				var out map[string]any
				if err := tok.Claims(tc.pub, &out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
