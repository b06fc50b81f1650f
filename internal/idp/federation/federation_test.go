package federation_test

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/idp/federation"
	"guestlist/internal/platform"
	"guestlist/internal/store"
	"guestlist/internal/store/sqlstore"
)

// protocol is a stand-in provider for the broker's own rules: it asserts
// whoever the test says, or fails as told.
type protocol struct {
	asserts core.FederationResult
	fail    error
	relay   string // the relay of the latest Redirect
}

func (p *protocol) Redirect(_ context.Context, _ *core.IdentityProvider, req *core.FederationRequest, relay string) (string, error) {
	req.RequestID, p.relay = "request-"+relay, relay
	return "https://idp.partner.example/sso?RelayState=" + url.QueryEscape(relay), nil
}

func (p *protocol) Verify(_ context.Context, _ *core.IdentityProvider, req *core.FederationRequest, params map[string]string) (core.FederationResult, error) {
	if p.fail != nil {
		return core.FederationResult{}, p.fail
	}
	if req.RequestID != "request-"+params["RelayState"] {
		return core.FederationResult{}, federation.Errorf(federation.Invalid, errors.New("InResponseTo does not match"))
	}
	return p.asserts, nil
}

type fixture struct {
	st     store.Store
	broker *federation.Broker
	method *federation.Method
	proto  *protocol
	tenant *core.Tenant
	now    time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := t.Context()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "guestlist.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	keys, err := platform.NewKeyring(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, now: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC),
		proto: &protocol{asserts: core.FederationResult{Issuer: "https://idp.partner.example", Subject: "nameid-1", Email: "Greta@Partner.example"}}}
	f.tenant = &core.Tenant{ID: "00000000-0000-4000-8000-00000000000f", DisplayName: "Fabrikam",
		InitialDomain: "fabrikam.guestlist.test", DefaultLanguage: "en", CreatedAt: f.now, HasIdentityProviders: true}
	must(t, st.CreateTenant(ctx, f.tenant))
	must(t, st.CreateIdentityProvider(ctx, &core.IdentityProvider{TenantID: f.tenant.ID, ID: "idp-1", Kind: core.ProviderSAML,
		DisplayName: "Partner SSO", Domains: []string{"partner.example"}, SAML: core.SAMLConfig{IssuerURI: "https://idp.partner.example"},
		CreatedAt: f.now, UpdatedAt: f.now}))
	f.broker = federation.NewBroker(st, keys, func() time.Time { return f.now }, map[core.ProviderKind]federation.Protocol{core.ProviderSAML: f.proto})
	f.method = f.broker.Method(core.MethodFederation, federation.ByDomain)
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// flow starts a flow for email and sends it to the provider, returning the
// flow and the relay the provider got.
func (f *fixture) flow(t *testing.T, id, email string) (*core.Flow, string) {
	t.Helper()
	fl := &core.Flow{TenantID: f.tenant.ID, ID: id, Email: email, Step: core.FlowStarted, CreatedAt: f.now, ExpiresAt: f.now.Add(time.Hour)}
	must(t, f.st.CreateFlow(t.Context(), fl))
	began, err := f.method.Begin(t.Context(), idp.Start{Tenant: f.tenant, Flow: fl})
	must(t, err)
	if began.RedirectURL == "" {
		t.Fatal("Begin did not send the browser to the provider")
	}
	return fl, f.proto.relay
}

func problem(t *testing.T, err error, want federation.Problem) {
	t.Helper()
	var e *federation.Error
	if !errors.As(err, &e) || e.Problem != want {
		t.Fatalf("err = %v, want problem %v", err, want)
	}
}

func TestAnswerCompletesTheFlowThatBeganIt(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	fl, relay := f.flow(t, "flow-a", "greta@partner.example")
	flowID, kind, err := f.broker.Answer(ctx, f.tenant, relay, map[string]string{"RelayState": relay})
	must(t, err)
	if flowID != fl.ID || kind != core.MethodFederation {
		t.Fatalf("Answer = %q, %q; want the flow %q and federation", flowID, kind, fl.ID)
	}
	proof, err := f.method.Complete(ctx, f.tenant, fl, idp.Answer{})
	must(t, err)
	if proof.Subject() != "nameid-1" || proof.(idp.Issued).Issuer() != "https://idp.partner.example" {
		t.Fatalf("proof = %q from %q", proof.Subject(), proof.(idp.Issued).Issuer())
	}
	rejected, err := proof.Check(ctx, f.st)
	if err != nil || rejected != nil {
		t.Fatalf("first use: rejected %v, err %v", rejected, err)
	}
	// The same answer cannot sign in twice (a reload, a replayed post).
	rejected, err = proof.Check(ctx, f.st)
	must(t, err)
	problem(t, rejected, federation.NoAnswer)
	_, err = f.method.Complete(ctx, f.tenant, fl, idp.Answer{})
	problem(t, err, federation.NoAnswer)
}

func TestAnswerForAnotherBrowsersFlowSignsNobodyIn(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	// The attacker begins a sign-in in their browser and gets the
	// provider's answer for their own account...
	_, attackerRelay := f.flow(t, "flow-attacker", "greta@partner.example")
	// ...and makes the victim's browser post it: the victim's own flow
	// has no answer, and the answer stays on the attacker's flow.
	victim, _ := f.flow(t, "flow-victim", "greta@partner.example")
	_, _, err := f.broker.Answer(ctx, f.tenant, attackerRelay, map[string]string{"RelayState": attackerRelay})
	must(t, err)
	_, err = f.method.Complete(ctx, f.tenant, victim, idp.Answer{})
	problem(t, err, federation.NoAnswer)
}

func TestAnswerIsTakenOnce(t *testing.T) {
	f := newFixture(t)
	_, relay := f.flow(t, "flow-a", "greta@partner.example")
	_, _, err := f.broker.Answer(t.Context(), f.tenant, relay, map[string]string{"RelayState": relay})
	must(t, err)
	_, _, err = f.broker.Answer(t.Context(), f.tenant, relay, map[string]string{"RelayState": relay})
	problem(t, err, federation.Expired)
}

func TestUnknownOrLateAnswerIsRefused(t *testing.T) {
	f := newFixture(t)
	_, _, err := f.broker.Answer(t.Context(), f.tenant, "made-up", map[string]string{"RelayState": "made-up"})
	problem(t, err, federation.Expired)
	_, _, err = f.broker.Answer(t.Context(), f.tenant, "", nil)
	problem(t, err, federation.Expired)

	_, relay := f.flow(t, "flow-a", "greta@partner.example")
	f.now = f.now.Add(federation.RequestTTL)
	_, _, err = f.broker.Answer(t.Context(), f.tenant, relay, map[string]string{"RelayState": relay})
	problem(t, err, federation.Expired)
}

func TestAnotherAddressIsNotRedeemed(t *testing.T) {
	f := newFixture(t)
	f.proto.asserts.Email = "someone.else@partner.example"
	fl, relay := f.flow(t, "flow-a", "greta@partner.example")
	_, _, err := f.broker.Answer(t.Context(), f.tenant, relay, map[string]string{"RelayState": relay})
	must(t, err)
	_, err = f.method.Complete(t.Context(), f.tenant, fl, idp.Answer{})
	var e *federation.Error
	if !errors.As(err, &e) || e.Problem != federation.Mismatch || e.Expected != "greta@partner.example" ||
		e.Got != "someone.else@partner.example" || e.Provider != "Partner SSO" {
		t.Fatalf("err = %#v, want a mismatch naming both addresses and the provider", err)
	}
	// The wrong account's answer is spent, not tried again.
	_, err = f.method.Complete(t.Context(), f.tenant, fl, idp.Answer{})
	problem(t, err, federation.NoAnswer)
}

func TestProviderFailureNamesTheProviderAndTheFlow(t *testing.T) {
	f := newFixture(t)
	f.proto.fail = errors.New("dial tcp: connection refused")
	fl, relay := f.flow(t, "flow-a", "greta@partner.example")
	flowID, _, err := f.broker.Answer(t.Context(), f.tenant, relay, map[string]string{"RelayState": relay})
	var e *federation.Error
	if !errors.As(err, &e) || e.Problem != federation.Unavailable || e.Provider != "Partner SSO" {
		t.Fatalf("err = %v, want the provider unavailable, named", err)
	}
	if flowID != fl.ID {
		t.Fatalf("flow = %q, want %q, so the failure is logged for it", flowID, fl.ID)
	}
}

func TestSameAddress(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"Greta@Partner.Example", "greta@partner.example", true},
		{"greta@bücher.example", "greta@xn--bcher-kva.example", true},
		{"greta@partner.example", "greta@partner.example.evil", false},
		{"not an address", "not an address", false},
	} {
		if got := federation.SameAddress(tc.a, tc.b); got != tc.want {
			t.Errorf("SameAddress(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
