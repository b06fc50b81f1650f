package oidcfed_test

import (
	"errors"
	"strings"
	"testing"

	"guestlist/internal/core"
	"guestlist/internal/idp/oidcfed"
)

// TestCheck: what the admin API is told of a provider before saving it.
// A good one gets its defaults; each bad one is ErrInvalid saying what
// is wrong.
func TestCheck(t *testing.T) {
	t.Parallel()
	pt := newPartner(t)
	u := newUs(t, oidcfed.Options{GoogleDiscoveryURL: pt.issuer + "/.well-known/openid-configuration"})
	good := func() *core.IdentityProvider {
		return u.provider(t, core.ProviderOIDC, pt.issuer, app{clientID: "partner-client"})
	}

	p := good()
	if err := u.proto.Check(t.Context(), p); err != nil {
		t.Fatalf("good provider: %v", err)
	}
	if p.OIDC.ResponseType != "code" || p.OIDC.ClaimsMapping.Email != "email" {
		t.Errorf("defaults: responseType %q, claimsMapping.email %q; want code and email", p.OIDC.ResponseType, p.OIDC.ClaimsMapping.Email)
	}
	if err := u.proto.Check(t.Context(), u.provider(t, core.ProviderGoogle, "", app{clientID: "google-client"})); err != nil {
		t.Errorf("Google: %v", err)
	}

	down := newMinOP(t)
	down.srv.Close()
	for _, tc := range []struct {
		name   string
		change func(p *core.IdentityProvider)
		want   string
	}{
		{"no client id", func(p *core.IdentityProvider) { p.OIDC.ClientID = "" }, "clientId is required"},
		{"implicit flow", func(p *core.IdentityProvider) { p.OIDC.ResponseType = "id_token" }, "only code"},
		{"no issuer", func(p *core.IdentityProvider) { p.OIDC.Issuer = "" }, "issuer or metadataUrl is required"},
		{"another issuer", func(p *core.IdentityProvider) {
			p.OIDC.MetadataURL, p.OIDC.Issuer = pt.issuer+"/.well-known/openid-configuration", pt.issuer+"/other"
		}, "not the configured"},
		{"provider down", func(p *core.IdentityProvider) { p.OIDC.Issuer = down.issuer() }, "cannot be reached"},
		{"SAML", func(p *core.IdentityProvider) { p.Kind = core.ProviderSAML }, "not OpenID Connect"},
		{"not a URL", func(p *core.IdentityProvider) { p.OIDC.Issuer = "partner.example" }, "not an absolute URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := good()
			tc.change(p)
			err := u.proto.Check(t.Context(), p)
			if !errors.Is(err, core.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want ErrInvalid saying %q", err, tc.want)
			}
		})
	}
}
