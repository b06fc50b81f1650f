package oidcfed_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/idp/federation"
	"guestlist/internal/idp/oidcfed"
	"guestlist/internal/platform"
)

// TestPartnerDown: the partner stops between the guest's sign-in there
// and the code exchange, and before another guest is sent to it: both
// are "unavailable", at once, not after the timeout.
func TestPartnerDown(t *testing.T) {
	t.Parallel()
	pt := newPartner(t)
	a := pt.register(t, "Our guest access")
	const timeout = 3 * time.Second
	u := newUs(t, oidcfed.Options{Timeout: timeout})
	p := u.provider(t, core.ProviderOIDC, pt.issuer, a)
	req, _, to := u.begin(t, p)
	params := pt.signIn(t, to)
	pt.s.Stop()

	start := time.Now()
	_, err := u.proto.Verify(t.Context(), p, req, params)
	wantProblem(t, err, federation.Unavailable, "code exchange with the partner down")
	// Another provider version is discovered afresh, from a partner
	// that is not there.
	p.UpdatedAt = p.UpdatedAt.Add(time.Second)
	_, err = u.proto.Redirect(t.Context(), p, &core.FederationRequest{}, "relay")
	wantProblem(t, err, federation.Unavailable, "discovery with the partner down")
	if took := time.Since(start); took >= timeout {
		t.Errorf("took %v, want less than the timeout %v", took, timeout)
	}
}

// TestSlowProvider: a provider that takes the connection and never
// answers is unavailable once the timeout passes, at discovery and at the
// code exchange.
func TestSlowProvider(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	t.Run("discovery", func(t *testing.T) {
		t.Parallel()
		done := make(chan struct{})
		slow := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done(): // the client gave up
			case <-done: // the test ends
			}
		}))
		t.Cleanup(slow.Close)
		t.Cleanup(func() { close(done) }) // first: Close waits for the handler
		u := newUs(t, oidcfed.Options{Timeout: timeout})
		p := u.provider(t, core.ProviderOIDC, slow.URL, app{clientID: "c"})
		start := time.Now()
		_, err := u.proto.Redirect(t.Context(), p, &core.FederationRequest{}, "relay")
		wantProblem(t, err, federation.Unavailable, "slow discovery")
		if took := time.Since(start); took < timeout || took > 10*timeout {
			t.Errorf("gave up after %v, want about %v", took, timeout)
		}
	})
	t.Run("code exchange", func(t *testing.T) {
		t.Parallel()
		op := newMinOP(t)
		u := newUs(t, oidcfed.Options{Timeout: timeout})
		p := u.provider(t, core.ProviderOIDC, op.issuer(), app{clientID: op.clientID, secret: op.secret})
		req, _, to := u.begin(t, p)
		params := op.follow(t, to)
		op.stall.Store(true)
		start := time.Now()
		_, err := u.proto.Verify(t.Context(), p, req, params)
		wantProblem(t, err, federation.Unavailable, "slow code exchange")
		if took := time.Since(start); took < timeout || took > 10*timeout {
			t.Errorf("gave up after %v, want about %v", took, timeout)
		}
	})
}

// TestDiscoveryRefused: discovery documents that cannot be used make
// the provider unavailable, and the guest is not sent anywhere.
func TestDiscoveryRefused(t *testing.T) {
	t.Parallel()
	serve := func(t *testing.T, status int, body string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			w.Write([]byte(body))
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, p *core.IdentityProvider)
		want  string
	}{
		{name: "not JSON", want: "not a discovery document", setup: func(t *testing.T, p *core.IdentityProvider) {
			p.OIDC.Issuer = serve(t, http.StatusOK, `<html>maintenance</html>`)
		}},
		{name: "server error", want: "500", setup: func(t *testing.T, p *core.IdentityProvider) {
			p.OIDC.Issuer = serve(t, http.StatusInternalServerError, `{}`)
		}},
		{name: "no token endpoint", want: "no token_endpoint", setup: func(t *testing.T, p *core.IdentityProvider) {
			p.OIDC.MetadataURL = serve(t, http.StatusOK, `{"issuer":"https://idp.example","authorization_endpoint":"https://idp.example/a","jwks_uri":"https://idp.example/k"}`)
			p.OIDC.Issuer = "https://idp.example"
		}},
		{name: "another issuer at the metadata URL", want: "not the configured", setup: func(t *testing.T, p *core.IdentityProvider) {
			// A metadata document must not vouch for another issuer's
			// tokens.
			p.OIDC.MetadataURL = serve(t, http.StatusOK, `{"issuer":"https://evil.example","authorization_endpoint":"https://evil.example/a","token_endpoint":"https://evil.example/t","jwks_uri":"https://evil.example/k"}`)
			p.OIDC.Issuer = "https://idp.example"
		}},
		{name: "implicit flow only", want: "authorization code flow", setup: func(t *testing.T, p *core.IdentityProvider) {
			p.OIDC.MetadataURL = serve(t, http.StatusOK, `{"issuer":"https://idp.example","authorization_endpoint":"https://idp.example/a","token_endpoint":"https://idp.example/t","jwks_uri":"https://idp.example/k","response_types_supported":["id_token"]}`)
			p.OIDC.Issuer = "https://idp.example"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := newUs(t, oidcfed.Options{})
			p := u.provider(t, core.ProviderOIDC, "", app{clientID: "c"})
			tc.setup(t, p)
			_, err := u.proto.Redirect(t.Context(), p, &core.FederationRequest{}, "relay")
			wantProblem(t, err, federation.Unavailable, tc.name)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to say %q", err, tc.want)
			}
		})
	}
}

// TestPlainHTTPRefused: without AllowInsecureHTTP, a provider at an
// http:// URL is never asked (its answers could be anyone's).
func TestPlainHTTPRefused(t *testing.T) {
	t.Parallel()
	op := newMinOP(t)
	keys, err := platform.NewKeyring([]byte("our server key, 32 bytes or more, for sealing"))
	if err != nil {
		t.Fatal(err)
	}
	proto := oidcfed.New(keys, ourBase, platform.SystemClock, oidcfed.Options{})
	for _, p := range []*core.IdentityProvider{
		{TenantID: ourTenant, ID: "oidc", Kind: core.ProviderOIDC, OIDC: core.OIDCConfig{ClientID: op.clientID, Issuer: op.issuer()}},
		{TenantID: ourTenant, ID: "google", Kind: core.ProviderGoogle, OIDC: core.OIDCConfig{ClientID: op.clientID}},
	} {
		proto := proto
		if p.Kind == core.ProviderGoogle {
			proto = oidcfed.New(keys, ourBase, platform.SystemClock, oidcfed.Options{GoogleDiscoveryURL: op.issuer() + "/.well-known/openid-configuration"})
		}
		_, err := proto.Redirect(t.Context(), p, &core.FederationRequest{}, "relay")
		wantProblem(t, err, federation.Unavailable, string(p.Kind)+" over http")
		if !strings.Contains(err.Error(), "https only") {
			t.Errorf("%s: error %v, want https required", p.Kind, err)
		}
	}
	if n := op.discovery.Load(); n != 0 {
		t.Errorf("the http provider was asked %d times, want never", n)
	}
}

// TestDiscoveryCache: a provider's discovery document is fetched once
// per hour and per provider version; a failed fetch is not kept, so the
// provider is usable again as soon as it recovers.
func TestDiscoveryCache(t *testing.T) {
	t.Parallel()
	op := newMinOP(t)
	u := newUs(t, oidcfed.Options{})
	p := u.provider(t, core.ProviderOIDC, op.issuer(), app{clientID: op.clientID, secret: op.secret})
	wantFetched := func(n int32, why string) {
		t.Helper()
		if got := op.discovery.Load(); got != n {
			t.Fatalf("%s: discovery fetched %d times, want %d", why, got, n)
		}
	}

	op.broken.Store(true)
	_, err := u.proto.Redirect(t.Context(), p, &core.FederationRequest{}, "relay")
	wantProblem(t, err, federation.Unavailable, "truncated discovery")
	op.broken.Store(false)
	if _, err := minSignIn(t, op, p, u); err != nil {
		t.Fatalf("sign-in after the provider recovered: %v", err)
	}
	wantFetched(2, "a failure and a success")
	if _, err := minSignIn(t, op, p, u); err != nil {
		t.Fatalf("second sign-in: %v", err)
	}
	wantFetched(2, "a second sign-in")

	p.UpdatedAt = p.UpdatedAt.Add(time.Minute) // the administrator edited it
	u.begin(t, p)
	wantFetched(3, "an edited provider")
	u.clock.Advance(61 * time.Minute)
	u.begin(t, p)
	wantFetched(4, "an hour later")
}
