package oidcfed_test

import (
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"

	"guestlist/internal/core"
	"guestlist/internal/idp/federation"
	"guestlist/internal/idp/oidcfed"
)

// minSignIn runs a sign-in at the minimal provider op and returns what
// Verify says of its answer.
func minSignIn(t *testing.T, op *minOP, p *core.IdentityProvider, u *us) (core.FederationResult, error) {
	t.Helper()
	req, _, to := u.begin(t, p)
	return u.proto.Verify(t.Context(), p, req, op.follow(t, to))
}

// TestIDTokenRefused: ID tokens a careless or hostile provider might
// sign, each refused as invalid. The second guestlist always sends a
// verified address for its own audience, so a minimal provider signs
// these.
func TestIDTokenRefused(t *testing.T) {
	t.Parallel()
	forger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		claims map[string]any
		forged bool
		want   string
	}{
		{name: "unverified address", claims: map[string]any{"email_verified": false}, want: "not verified"},
		{name: "unverified address as text", claims: map[string]any{"email_verified": "false"}, want: "not verified"},
		{name: "no address", claims: map[string]any{"email": nil}, want: "no address"},
		{name: "another audience", claims: map[string]any{"aud": "another-client"}, want: "audience"},
		{name: "another issuer", claims: map[string]any{"iss": "https://evil.example"}, want: "issued by a different provider"},
		{name: "signed with another key", forged: true, want: "signature"},
		{name: "no subject", claims: map[string]any{"sub": nil}, want: "no user id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			op := newMinOP(t)
			op.set(tc.claims)
			if tc.forged {
				op.forged = forger
			}
			u := newUs(t, oidcfed.Options{})
			p := u.provider(t, core.ProviderOIDC, op.issuer(), app{clientID: op.clientID, secret: op.secret})
			_, err := minSignIn(t, op, p, u)
			wantProblem(t, err, federation.Invalid, tc.name)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to say %q", err, tc.want)
			}
		})
	}
}

// TestClaimsMapping: the provider's claims mapping names where the user
// id, address and name are; an address whose verification the provider
// does not state is taken (many providers never send email_verified).
func TestClaimsMapping(t *testing.T) {
	t.Parallel()
	op := newMinOP(t)
	op.set(map[string]any{"email_verified": nil, "upn": "cy.upn@partner.example", "oid": "cy-object-id", "name": nil,
		"given_name": "Cy", "family_name": "Young"})
	u := newUs(t, oidcfed.Options{})
	p := u.provider(t, core.ProviderOIDC, op.issuer(), app{clientID: op.clientID, secret: op.secret})
	p.OIDC.ClaimsMapping = core.ClaimsMapping{UserID: "oid", Email: "upn"}
	res, err := minSignIn(t, op, p, u)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	want := core.FederationResult{Issuer: op.issuer(), Subject: "cy-object-id", Email: "cy.upn@partner.example", DisplayName: "Cy Young"}
	if res != want {
		t.Errorf("result %+v, want %+v", res, want)
	}
}

// TestWrongClientSecret: a secret the provider does not take is our
// configuration failing, not the guest's answer: unavailable.
func TestWrongClientSecret(t *testing.T) {
	t.Parallel()
	op := newMinOP(t)
	u := newUs(t, oidcfed.Options{})
	p := u.provider(t, core.ProviderOIDC, op.issuer(), app{clientID: op.clientID, secret: "not the secret"})
	_, err := minSignIn(t, op, p, u)
	wantProblem(t, err, federation.Unavailable, "wrong client secret")
	if !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("error %v, want the provider's invalid_client", err)
	}
}
