package server_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"guestlist/internal/servertest"
)

// What the provider promises in discovery and in its authorization
// responses (SPEC R32): only what works, iss in every answer (RFC 9207),
// codes that live 5 minutes, access_denied for a declined consent.

// discoveryDoc is the part of the discovery document these tests read.
type discoveryDoc struct {
	Issuer                  string   `json:"issuer"`
	ResponseTypes           []string `json:"response_types_supported"`
	GrantTypes              []string `json:"grant_types_supported"`
	SubjectTypes            []string `json:"subject_types_supported"`
	CodeChallengeMethods    []string `json:"code_challenge_methods_supported"`
	DeviceEndpoint          string   `json:"device_authorization_endpoint"`
	TokenAuthSigningAlgs    []string `json:"token_endpoint_auth_signing_alg_values_supported"`
	IntrospectionAuth       []string `json:"introspection_endpoint_auth_methods_supported"`
	ISSParameterSupported   bool     `json:"authorization_response_iss_parameter_supported"`
	RequestObjectSigningAlg []string `json:"request_object_signing_alg_values_supported"`
}

// TestDiscoveryAdvertisesOnlyWhatWorks: the code flow and its grants, S256,
// pairwise subjects, iss in responses; no implicit, hybrid, JWT bearer or
// device grant, no private_key_jwt.
func TestDiscoveryAdvertisesOnlyWhatWorks(t *testing.T) {
	s, tn := newFabrikam(t, servertest.Options{})
	rp := newRelyingParty(t, s, tn, registerApp(t, s, tn, appRedirect))
	var d discoveryDoc
	if err := rp.provider.Claims(&d); err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("response_types_supported", d.ResponseTypes, []string{"code"})
	check("grant_types_supported", d.GrantTypes, []string{"authorization_code", "refresh_token", "client_credentials"})
	check("subject_types_supported", d.SubjectTypes, []string{"pairwise"})
	check("code_challenge_methods_supported", d.CodeChallengeMethods, []string{"S256"})
	check("introspection_endpoint_auth_methods_supported", d.IntrospectionAuth, []string{"client_secret_basic"})
	if d.DeviceEndpoint != "" || d.TokenAuthSigningAlgs != nil || d.RequestObjectSigningAlg != nil {
		t.Errorf("device endpoint %q, token auth algs %v, request object algs %v: want none", d.DeviceEndpoint,
			d.TokenAuthSigningAlgs, d.RequestObjectSigningAlg)
	}
	if !d.ISSParameterSupported {
		t.Error("authorization_response_iss_parameter_supported is not true")
	}

	// What is not advertised does not work either.
	for _, rt := range []string{"id_token", "id_token token", "code id_token"} {
		a := rp.attempt(param("response_type", rt))
		p := s.NewGuest("en").Get(t, a.url)
		u, err := url.Parse(p.Location)
		if err != nil || !strings.HasPrefix(p.Location, appRedirect) {
			t.Fatalf("response_type=%s: %d to %q, want an error at the application", rt, p.Status, p.Location)
		}
		q := u.Query()
		if u.Fragment != "" { // implicit types answer in the fragment
			q, _ = url.ParseQuery(u.Fragment)
		}
		if q.Get("error") == "" || q.Get("code") != "" || q.Get("iss") != d.Issuer || q.Get("state") != a.state {
			t.Errorf("response_type=%s: %v, want an error with iss", rt, q)
		}
	}
}

// TestAuthorizationResponsesCarryIss: a code and an error alike come with
// the issuer (RFC 9207 section 2), so a client of several providers can
// tell which one answered.
func TestAuthorizationResponsesCarryIss(t *testing.T) {
	x := newSignedIn(t)
	s, rp := x.s, x.rp
	issuer := s.URL + "/" + x.tn.ID + "/v2.0"

	a := rp.attempt()
	p := open(t, s, x.g, a.url)
	if q := rp.callback(t, p, a); q.Get("code") == "" || q.Get("iss") != issuer {
		t.Errorf("code response %v, want a code and iss=%s", q, issuer)
	}
	a = rp.attempt(param("prompt", "none"))
	if q := rp.callback(t, open(t, s, s.NewGuest("en"), a.url), a); q.Get("error") != "login_required" || q.Get("iss") != issuer {
		t.Errorf("error response %v, want login_required and iss=%s", q, issuer)
	}
}

// TestCodeLivesFiveMinutes: however much time the request had left, a code
// can be exchanged for 5 minutes after it was issued, no longer.
func TestCodeLivesFiveMinutes(t *testing.T) {
	x := newSignedIn(t)
	s, rp := x.s, x.rp
	a, code := rp.singleSignOn(t, s, x.g)
	s.Clock.Advance(5*time.Minute + time.Second)
	wantTokenError(t, "a code 5 minutes old", rp.exchange(t, code, a.verifier), http.StatusBadRequest, "invalid_grant")

	a, code = rp.singleSignOn(t, s, x.g)
	s.Clock.Advance(4*time.Minute + 50*time.Second)
	wantTokens(t, "a code 4 minutes 50 old", rp.exchange(t, code, a.verifier))
}

// TestDeclineReturnsToApplication: a guest who declines consent in a flow
// of an authorization request goes back to the application with
// access_denied and the request's state (OpenID Connect Core 3.1.2.6);
// declining from an invitation's link still ends on a page.
func TestDeclineReturnsToApplication(t *testing.T) {
	s, tn := newFabrikam(t, servertest.Options{})
	const email = "alice@contoso.example"
	rp := newRelyingParty(t, s, tn, registerApp(t, s, tn, appRedirect, email))
	g := s.NewGuest("en")
	a := rp.attempt()
	typed := typeAddress(t, g, open(t, s, g, a.url), email)
	base := servertest.TenantBase(typed.Location)
	wait := newCodeTo(t, s, email)
	g.Post(t, base+"/signin/passcode", url.Values{})
	if v := g.Post(t, base+"/signin/code", url.Values{"code": {wait()}}); !strings.HasSuffix(v.Location, "/signin/consent") {
		t.Fatalf("after the code: %d to %q, want consent", v.Status, v.Location)
	}
	q := rp.callback(t, g.Post(t, base+"/signin/consent", url.Values{"action": {"decline"}}), a)
	if q.Get("error") != "access_denied" || q.Get("code") != "" || q.Get("iss") != s.URL+"/"+tn.ID+"/v2.0" {
		t.Errorf("decline: the application got %v, want error=access_denied with iss", q)
	}

	inv := s.Invite(t, tn, "bob@contoso.example", nil)
	other := s.NewGuest("en")
	verified := other.Redeem(t, inv["inviteRedeemUrl"].(string), "bob@contoso.example", 1)
	declined := other.Post(t, servertest.TenantBase(verified.Location)+"/signin/consent", url.Values{"action": {"decline"}})
	if declined.Status != http.StatusOK || declined.Location != "" || !strings.Contains(declined.Body, "Invitation declined") {
		t.Errorf("declining from the link: %d to %q, want the declined page", declined.Status, declined.Location)
	}
}
