package oidcfed_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/idp/federation"
	"guestlist/internal/idp/oidcfed"
)

// wantProblem checks that err is a federation error of problem p.
func wantProblem(t *testing.T, err error, p federation.Problem, why string) {
	t.Helper()
	var fe *federation.Error
	if !errors.As(err, &fe) {
		t.Fatalf("%s: got %v, want a federation error (%v)", why, err, p)
	}
	if fe.Problem != p {
		t.Fatalf("%s: got %v (%v), want %v", why, fe.Problem, err, p)
	}
}

// TestPartnerSignIn: Ann signs in at the partner's guestlist with her
// password and comes back with a code; the code is exchanged with PKCE
// and the secret, and the verified ID token names her.
func TestPartnerSignIn(t *testing.T) {
	t.Parallel()
	pt := newPartner(t)
	a := pt.register(t, "Our guest access")
	u := newUs(t, oidcfed.Options{})
	p := u.provider(t, core.ProviderOIDC, pt.issuer, a)

	req, relay, to := u.begin(t, p)
	auth, err := url.Parse(to)
	if endpoint := pt.discovery(t).AuthURL; err != nil || !strings.HasPrefix(to, endpoint+"?") {
		t.Fatalf("redirect to %q, want the partner's authorization endpoint %q", to, endpoint)
	}
	q := auth.Query()
	for k, want := range map[string]string{"response_type": "code", "client_id": a.clientID, "state": relay,
		"nonce": req.RequestID, "code_challenge_method": "S256", "scope": "openid email profile",
		"redirect_uri": ourBase + "/" + ourTenant + "/federation/callback"} {
		if q.Get(k) != want {
			t.Errorf("authorization request %s = %q, want %q", k, q.Get(k), want)
		}
	}
	if q.Get("code_challenge") == "" || q.Get("code_challenge") == req.Verifier {
		t.Errorf("code_challenge %q: want the S256 hash of the verifier, not the verifier", q.Get("code_challenge"))
	}

	params := pt.signIn(t, to)
	if params["state"] != relay || params["iss"] != pt.issuer {
		t.Fatalf("answer: state %q iss %q, want %q and %q", params["state"], params["iss"], relay, pt.issuer)
	}
	res, err := u.proto.Verify(t.Context(), p, req, params)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if res.Email != annEmail || res.Issuer != pt.issuer || res.Subject == "" || res.DisplayName != "Ann Lee" {
		t.Errorf("result %+v, want Ann (%s) issued by %s with a subject", res, annEmail, pt.issuer)
	}

	// The code is spent: the same answer again is refused by the partner.
	_, err = u.proto.Verify(t.Context(), p, req, params)
	wantProblem(t, err, federation.Invalid, "the same code twice")
}

// TestGoogleSignIn: Google is the same protocol with its endpoints from
// the configured discovery document (here the partner standing in for
// Google); the guest's issuer is google.com, whatever Google's own is.
func TestGoogleSignIn(t *testing.T) {
	t.Parallel()
	pt := newPartner(t)
	a := pt.register(t, "Our guest access")
	u := newUs(t, oidcfed.Options{GoogleDiscoveryURL: pt.issuer + "/.well-known/openid-configuration"})
	p := u.provider(t, core.ProviderGoogle, "", a)

	req, _, to := u.begin(t, p)
	res, err := u.proto.Verify(t.Context(), p, req, pt.signIn(t, to))
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if res.Issuer != "google.com" || res.Email != annEmail || res.Subject == "" {
		t.Errorf("result %+v, want Ann with the issuer google.com", res)
	}
}

// TestAnswerTampered: each check of the answer, played by an attacker who
// holds a real answer from the partner and changes one thing.
func TestAnswerTampered(t *testing.T) {
	t.Parallel()
	pt := newPartner(t)
	a := pt.register(t, "Our guest access")
	u := newUs(t, oidcfed.Options{})
	p := u.provider(t, core.ProviderOIDC, pt.issuer, a)

	t.Run("nonce of another sign-in", func(t *testing.T) {
		// A token issued for one sign-in, replayed into another: the
		// request's nonce is not the one the token carries.
		req, _, to := u.begin(t, p)
		params := pt.signIn(t, to)
		other, _, _ := u.begin(t, p)
		req.RequestID = other.RequestID
		_, err := u.proto.Verify(t.Context(), p, req, params)
		wantProblem(t, err, federation.Invalid, "another sign-in's nonce")
	})
	t.Run("stolen code without the verifier", func(t *testing.T) {
		// A code intercepted on its way back, redeemed with another
		// sign-in's PKCE verifier: the partner refuses it.
		req, _, to := u.begin(t, p)
		params := pt.signIn(t, to)
		other, _, _ := u.begin(t, p)
		req.Verifier = other.Verifier
		_, err := u.proto.Verify(t.Context(), p, req, params)
		wantProblem(t, err, federation.Invalid, "another verifier")
		if !strings.Contains(err.Error(), "invalid_grant") {
			t.Errorf("error %v, want the partner's invalid_grant", err)
		}
	})
	t.Run("answer from another issuer", func(t *testing.T) {
		// RFC 9207: an answer that says it comes from another provider
		// is a mix-up; its code is not spent on this partner.
		req, _, to := u.begin(t, p)
		params := pt.signIn(t, to)
		mixed := map[string]string{"code": params["code"], "state": params["state"], "iss": "https://evil.example/v2.0"}
		_, err := u.proto.Verify(t.Context(), p, req, mixed)
		wantProblem(t, err, federation.Invalid, "another issuer")
		if _, err := u.proto.Verify(t.Context(), p, req, params); err != nil {
			t.Errorf("the genuine answer after the mixed-up one: %v, want it still good", err)
		}
	})
	t.Run("answer without iss", func(t *testing.T) {
		// The partner announces that its answers carry iss (RFC 9207
		// section 3): one without it is not the partner's.
		req, _, to := u.begin(t, p)
		params := pt.signIn(t, to)
		_, err := u.proto.Verify(t.Context(), p, req, map[string]string{"code": params["code"], "state": params["state"]})
		wantProblem(t, err, federation.Invalid, "no iss")
	})
	t.Run("no code", func(t *testing.T) {
		req, relay, _ := u.begin(t, p)
		_, err := u.proto.Verify(t.Context(), p, req, map[string]string{"state": relay})
		wantProblem(t, err, federation.Invalid, "no code")
	})
	t.Run("expired ID token", func(t *testing.T) {
		// The guest's answer verified two hours later by our clock: the
		// partner's ID token (valid one hour) has expired.
		clocked := newUs(t, oidcfed.Options{})
		cp := clocked.provider(t, core.ProviderOIDC, pt.issuer, a)
		req, _, to := clocked.begin(t, cp)
		params := pt.signIn(t, to)
		clocked.clock.Advance(2 * time.Hour)
		_, err := clocked.proto.Verify(t.Context(), cp, req, params)
		wantProblem(t, err, federation.Invalid, "expired ID token")
		if !strings.Contains(err.Error(), "expired") {
			t.Errorf("error %v, want the token's expiry", err)
		}
	})
}

// TestGuestDeclines: a guest of the partner who declines consent comes
// back with error=access_denied; that is the partner refusing the
// sign-in, with its reason kept for the log.
func TestGuestDeclines(t *testing.T) {
	t.Parallel()
	pt := newPartner(t)
	a := pt.register(t, "Our guest access")
	pt.invite(t, a, "bob@contoso.example")
	u := newUs(t, oidcfed.Options{})
	p := u.provider(t, core.ProviderOIDC, pt.issuer, a)

	req, relay, to := u.begin(t, p)
	params := pt.decline(t, to, "bob@contoso.example")
	if params["error"] != "access_denied" || params["state"] != relay {
		t.Fatalf("answer %v, want access_denied with our state", params)
	}
	_, err := u.proto.Verify(t.Context(), p, req, params)
	wantProblem(t, err, federation.Refused, "declined")
	if !strings.Contains(err.Error(), "access_denied") || !strings.Contains(err.Error(), params["error_description"]) {
		t.Errorf("error %v, want the partner's error and description", err)
	}
}
