package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

func newProvider(tenantID, id string, kind core.ProviderKind, domains ...string) *core.IdentityProvider {
	p := &core.IdentityProvider{
		TenantID: tenantID, ID: id, Kind: kind, DisplayName: "Provider " + id, Domains: domains,
		CreatedAt: t0, UpdatedAt: t0,
	}
	switch kind {
	case core.ProviderSAML:
		p.SAML = core.SAMLConfig{IssuerURI: "https://idp.example/" + id, MetadataURL: "https://idp.example/" + id + "/metadata",
			PreferredProtocol: "saml", RequireResponseSign: true}
	default:
		p.OIDC = core.OIDCConfig{ClientID: "client-" + id, Issuer: "https://op.example/" + id, Scope: "openid email",
			ResponseType: "code", ClaimsMapping: core.ClaimsMapping{UserID: "sub", Email: "email"}}
		p.ClientSecret = []byte("sealed-" + id)
	}
	return p
}

// testFederation: identity providers and the sign-ins sent to them
// (SPEC R10 steps 2 and 3, R41).
func testFederation(t *testing.T, newStore NewStore) {
	t.Run("Providers", func(t *testing.T) { testProviders(t, newStore) })
	t.Run("ProviderConflicts", func(t *testing.T) { testProviderConflicts(t, newStore) })
	t.Run("ProviderUpdate", func(t *testing.T) { testProviderUpdate(t, newStore) })
	t.Run("ProvidersToRefresh", func(t *testing.T) { testProvidersToRefresh(t, newStore) })
	t.Run("Requests", func(t *testing.T) { testFederationRequests(t, newStore) })
	t.Run("RequestSpentOnce", func(t *testing.T) { testFederationRequestRace(t, newStore) })
	t.Run("AssertionIDs", func(t *testing.T) { testAssertionIDs(t, newStore) })
	t.Run("ServiceProviderKey", func(t *testing.T) { testServiceProviderKey(t, newStore) })
	t.Run("DeleteTenant", func(t *testing.T) { testFederationDeleteTenant(t, newStore) })
}

func testProviders(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	saml := newProvider(tenantA, "idp-saml", core.ProviderSAML, "contoso.example", "contoso.example.net")
	oidc := newProvider(tenantA, "idp-oidc", core.ProviderOIDC, "tailspin.example")
	oidc.CreatedAt = at(time.Second)
	google := newProvider(tenantA, "Google-OAUTH", core.ProviderGoogle, "workspace.example")
	google.CreatedAt = at(2 * time.Second)
	wantHasProviders(t, s, tenantA, false)
	for _, p := range []*core.IdentityProvider{saml, oidc, google} {
		must(t, s.CreateIdentityProvider(ctx, p))
	}
	wantHasProviders(t, s, tenantA, true)
	wantHasProviders(t, s, tenantB, false)
	got, err := s.GetIdentityProvider(ctx, tenantA, "idp-saml")
	must(t, err)
	diff(t, "SAML provider", saml, got)
	got, err = s.GetIdentityProvider(ctx, tenantA, "idp-oidc")
	must(t, err)
	diff(t, "OpenID provider", oidc, got)
	list, err := s.ListIdentityProviders(ctx, tenantA)
	must(t, err)
	diff(t, "list, oldest first", []core.IdentityProvider{*saml, *oidc, *google}, list)

	byDomain, err := s.ProviderByDomain(ctx, tenantA, "Contoso.Example.NET")
	must(t, err)
	diff(t, "by domain", saml, byDomain)
	if _, err := s.ProviderByDomain(ctx, tenantA, "workspace.example"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("ProviderByDomain(Google's Workspace domain) = %v, want not found: Google is found by GoogleProvider", err)
	}
	g, err := s.GoogleProvider(ctx, tenantA)
	must(t, err)
	diff(t, "Google", google, g)

	// Tenant B sees none of it.
	if _, err := s.GetIdentityProvider(ctx, tenantB, "idp-saml"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("B reads A's provider: %v, want not found", err)
	}
	if _, err := s.ProviderByDomain(ctx, tenantB, "contoso.example"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("B finds A's domain: %v, want not found", err)
	}
	if _, err := s.GoogleProvider(ctx, tenantB); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("B has A's Google: %v, want not found", err)
	}
	if l, err := s.ListIdentityProviders(ctx, tenantB); err != nil || len(l) != 0 {
		t.Errorf("B's list: %v, %v", l, err)
	}
	other := *saml
	other.TenantID = tenantB
	if err := s.UpdateIdentityProvider(ctx, &other); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("B updates A's provider: %v, want not found", err)
	}
	if err := s.DeleteIdentityProvider(ctx, tenantB, "idp-saml"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("B deletes A's provider: %v, want not found", err)
	}
	if err := s.SetProviderMetadata(ctx, tenantB, "idp-saml", core.ProviderMetadata{CheckedAt: t0}); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("B sets A's metadata: %v, want not found", err)
	}

	// Metadata is kept apart from the configuration.
	m := core.ProviderMetadata{Document: []byte("<EntityDescriptor/>"), FetchedAt: at(time.Minute), CheckedAt: at(2 * time.Minute), Error: "timeout"}
	must(t, s.SetProviderMetadata(ctx, tenantA, "idp-saml", m))
	got, err = s.GetIdentityProvider(ctx, tenantA, "idp-saml")
	must(t, err)
	diff(t, "metadata", m, got.Metadata)

	must(t, s.DeleteIdentityProvider(ctx, tenantA, "idp-saml"))
	if _, err := s.GetIdentityProvider(ctx, tenantA, "idp-saml"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("after delete: %v, want not found", err)
	}
	if _, err := s.ProviderByDomain(ctx, tenantA, "contoso.example"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("deleted provider's domain: %v, want not found", err)
	}
	if err := s.DeleteIdentityProvider(ctx, tenantA, "idp-saml"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("second delete: %v, want not found", err)
	}
	for _, id := range []string{"idp-oidc", "Google-OAUTH"} {
		must(t, s.DeleteIdentityProvider(ctx, tenantA, id))
	}
	wantHasProviders(t, s, tenantA, false)
	// Its domain is free again.
	must(t, s.CreateIdentityProvider(ctx, newProvider(tenantA, "idp-saml-2", core.ProviderSAML, "contoso.example")))
	if err := s.UpdateIdentityProvider(ctx, newProvider(tenantA, "missing", core.ProviderSAML)); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("update of a missing provider: %v, want not found", err)
	}
}

func testProviderConflicts(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	must(t, s.CreateIdentityProvider(ctx, newProvider(tenantA, "p1", core.ProviderSAML, "contoso.example")))
	for name, p := range map[string]*core.IdentityProvider{
		"same domain, other kind": newProvider(tenantA, "p2", core.ProviderOIDC, "other.example", "contoso.example"),
		"same domain, Google":     newProvider(tenantA, "p3", core.ProviderGoogle, "CONTOSO.example"),
		"same id":                 newProvider(tenantA, "p1", core.ProviderOIDC, "fresh.example"),
	} {
		if err := s.CreateIdentityProvider(ctx, p); !errors.Is(err, core.ErrConflict) {
			t.Errorf("%s: %v, want conflict", name, err)
		}
		// Nothing of the refused provider is left behind.
		if _, err := s.ProviderByDomain(ctx, tenantA, "other.example"); !errors.Is(err, core.ErrNotFound) {
			t.Errorf("%s: a refused provider's domain is stored: %v", name, err)
		}
	}
	must(t, s.CreateIdentityProvider(ctx, newProvider(tenantA, "g1", core.ProviderGoogle)))
	if err := s.CreateIdentityProvider(ctx, newProvider(tenantA, "g2", core.ProviderGoogle)); !errors.Is(err, core.ErrConflict) {
		t.Errorf("second Google: %v, want conflict", err)
	}
	// Another tenant may federate the same domain, and have Google.
	must(t, s.CreateIdentityProvider(ctx, newProvider(tenantB, "p1", core.ProviderSAML, "contoso.example")))
	must(t, s.CreateIdentityProvider(ctx, newProvider(tenantB, "g1", core.ProviderGoogle)))
	list, err := s.ListIdentityProviders(ctx, tenantA)
	must(t, err)
	if len(list) != 2 {
		t.Errorf("A has %d providers, want 2", len(list))
	}
}

func testProviderUpdate(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	p := newProvider(tenantA, "p1", core.ProviderOIDC, "a.example", "b.example")
	must(t, s.CreateIdentityProvider(ctx, p))
	must(t, s.CreateIdentityProvider(ctx, newProvider(tenantA, "p2", core.ProviderSAML, "c.example")))
	m := core.ProviderMetadata{Document: []byte("doc"), FetchedAt: t0, CheckedAt: t0}
	must(t, s.SetProviderMetadata(ctx, tenantA, "p1", m))

	// Domains are replaced; metadata is left alone.
	p.DisplayName, p.Domains, p.ClientSecret, p.UpdatedAt = "Renamed", []string{"b.example", "d.example"}, []byte("new"), at(time.Hour)
	p.OIDC.Scope = "openid"
	must(t, s.UpdateIdentityProvider(ctx, p))
	got, err := s.GetIdentityProvider(ctx, tenantA, "p1")
	must(t, err)
	want := *p
	want.Metadata = m
	diff(t, "updated", &want, got)
	if _, err := s.ProviderByDomain(ctx, tenantA, "a.example"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("removed domain still served: %v", err)
	}

	// A domain of another provider: conflict, and nothing changes.
	bad := *p
	bad.DisplayName, bad.Domains = "Bad", []string{"c.example"}
	if err := s.UpdateIdentityProvider(ctx, &bad); !errors.Is(err, core.ErrConflict) {
		t.Errorf("update to another provider's domain: %v, want conflict", err)
	}
	got, err = s.GetIdentityProvider(ctx, tenantA, "p1")
	must(t, err)
	diff(t, "after refused update", &want, got)

	// Inside a transaction with the provider's lock, as the service does.
	must(t, s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.Lock(ctx, tenantA, "idp:p1"); err != nil {
			return err
		}
		q, err := tx.GetIdentityProvider(ctx, tenantA, "p1")
		if err != nil {
			return err
		}
		q.Domains = append(q.Domains, "e.example")
		return tx.UpdateIdentityProvider(ctx, q)
	}))
	got, err = s.GetIdentityProvider(ctx, tenantA, "p1")
	must(t, err)
	if !slices.Equal(got.Domains, []string{"b.example", "d.example", "e.example"}) {
		t.Errorf("domains after update in a transaction = %v", got.Domains)
	}
}

func testProvidersToRefresh(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	checked := func(tenant, id string, d time.Duration) {
		must(t, s.CreateIdentityProvider(ctx, newProvider(tenant, id, core.ProviderSAML, id+".example")))
		if d >= 0 {
			must(t, s.SetProviderMetadata(ctx, tenant, id, core.ProviderMetadata{CheckedAt: at(d)}))
		}
	}
	checked(tenantA, "recent", 50*time.Minute)
	checked(tenantA, "never", -1)
	checked(tenantB, "old", 10*time.Minute)
	checked(tenantA, "older", 5*time.Minute)
	// A provider with a pinned certificate and no metadata URL is never
	// refreshed, nor is an OpenID provider.
	pinned := newProvider(tenantA, "pinned", core.ProviderSAML, "pinned.example")
	pinned.SAML.MetadataURL, pinned.SAML.PassiveSignInURI, pinned.SAML.SigningCertificate = "", "https://idp.example/sso", "MIIB"
	must(t, s.CreateIdentityProvider(ctx, pinned))
	must(t, s.CreateIdentityProvider(ctx, newProvider(tenantA, "oidc", core.ProviderOIDC, "oidc.example")))

	ids := func(before time.Time, limit int) []string {
		ps, err := s.ProvidersToRefresh(ctx, before, limit)
		must(t, err)
		var out []string
		for _, p := range ps {
			out = append(out, p.TenantID[len(p.TenantID)-1:]+"/"+p.ID)
		}
		return out
	}
	diff(t, "due, least recently checked first", []string{"a/never", "a/older", "b/old"}, ids(at(30*time.Minute), 10))
	diff(t, "limited", []string{"a/never", "a/older"}, ids(at(30*time.Minute), 2))

	// A provider that changes to a pinned certificate stops refreshing.
	p, err := s.GetIdentityProvider(ctx, tenantA, "older")
	must(t, err)
	p.SAML.MetadataURL, p.SAML.PassiveSignInURI, p.SAML.SigningCertificate = "", "https://idp.example/sso", "MIIB"
	must(t, s.UpdateIdentityProvider(ctx, p))
	diff(t, "after pinning", []string{"a/never", "b/old"}, ids(at(30*time.Minute), 10))
}

func newFedRequest(tenantID, id, flowID string, created time.Time) *core.FederationRequest {
	return &core.FederationRequest{TenantID: tenantID, ID: id, FlowID: flowID, ProviderID: "idp-1",
		RequestID: "req-" + id, Verifier: "verifier-" + id, CreatedAt: created, ExpiresAt: created.Add(10 * time.Minute)}
}

func testFederationRequests(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	r := newFedRequest(tenantA, "state-1", "flow-1", t0)
	must(t, s.CreateFederationRequest(ctx, r))
	if err := s.CreateFederationRequest(ctx, r); !errors.Is(err, core.ErrConflict) {
		t.Errorf("same state twice: %v, want conflict", err)
	}
	got, err := s.GetFederationRequest(ctx, tenantA, "state-1", at(time.Minute))
	must(t, err)
	diff(t, "request", r, got)
	if _, err := s.GetFederationRequest(ctx, tenantA, "state-1", r.ExpiresAt); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("expired request: %v, want not found", err)
	}
	if _, err := s.GetFederationRequest(ctx, tenantB, "state-1", t0); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("B reads A's request: %v, want not found", err)
	}
	if _, err := s.AnsweredFederationRequest(ctx, tenantA, "flow-1", t0); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("unanswered request found as answered: %v", err)
	}

	res := core.FederationResult{Issuer: "https://idp.example", Subject: "sub-1", Email: "rob@contoso.example", DisplayName: "Rob"}
	if err := s.SetFederationResult(ctx, tenantB, "state-1", res); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("B answers A's request: %v, want not found", err)
	}
	must(t, s.SetFederationResult(ctx, tenantA, "state-1", res))
	other := res
	other.Subject = "attacker"
	if err := s.SetFederationResult(ctx, tenantA, "state-1", other); !errors.Is(err, core.ErrConflict) {
		t.Errorf("second answer: %v, want conflict", err)
	}
	if err := s.SetFederationResult(ctx, tenantA, "missing", res); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("answer to a missing request: %v, want not found", err)
	}

	// The flow's newest answered request, until it expires.
	older := newFedRequest(tenantA, "state-0", "flow-1", at(-time.Minute))
	must(t, s.CreateFederationRequest(ctx, older))
	must(t, s.SetFederationResult(ctx, tenantA, "state-0", core.FederationResult{Subject: "old"}))
	must(t, s.CreateFederationRequest(ctx, newFedRequest(tenantA, "state-2", "flow-1", at(time.Second)))) // unanswered
	answered, err := s.AnsweredFederationRequest(ctx, tenantA, "flow-1", at(time.Minute))
	must(t, err)
	want := *r
	want.Result = &res
	diff(t, "answered", &want, answered)
	if _, err := s.AnsweredFederationRequest(ctx, tenantA, "flow-1", at(time.Hour)); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("expired answer: %v, want not found", err)
	}
	if _, err := s.AnsweredFederationRequest(ctx, tenantB, "flow-1", t0); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("B reads A's answer: %v, want not found", err)
	}

	if err := s.DeleteFederationRequest(ctx, tenantB, "state-1"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("B spends A's request: %v, want not found", err)
	}
	must(t, s.DeleteFederationRequest(ctx, tenantA, "state-1"))
	if err := s.DeleteFederationRequest(ctx, tenantA, "state-1"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("spent twice: %v, want not found", err)
	}
	if _, err := s.GetFederationRequest(ctx, tenantA, "state-1", t0); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("spent request read: %v, want not found", err)
	}
}

// testFederationRequestRace: an answer is spent once however many
// callbacks race for it (the losers see not found).
func testFederationRequestRace(t *testing.T, newStore NewStore) {
	for _, inTx := range []bool{false, true} {
		s, ctx := newStore(t), t.Context()
		twoTenants(ctx, t, s)
		must(t, s.CreateFederationRequest(ctx, newFedRequest(tenantA, "state-1", "flow-1", t0)))
		must(t, s.SetFederationResult(ctx, tenantA, "state-1", core.FederationResult{Subject: "s"}))
		race(t, func() error {
			spend := func(tx store.Tx) error { return tx.DeleteFederationRequest(ctx, tenantA, "state-1") }
			var err error
			if inTx {
				err = s.InTx(ctx, spend)
			} else {
				err = spend(s)
			}
			if errors.Is(err, core.ErrNotFound) {
				return core.Errorf(core.ErrConflict, "", "spent") // race counts conflicts as losses
			}
			return err
		})
		// Answering races the same way.
		must(t, s.CreateFederationRequest(ctx, newFedRequest(tenantA, "state-2", "flow-2", t0)))
		race(t, func() error {
			return s.SetFederationResult(ctx, tenantA, "state-2", core.FederationResult{Subject: "s"})
		})
	}
}

func testAssertionIDs(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	must(t, s.UseAssertionID(ctx, tenantA, "https://idp.example|_a1", at(time.Hour)))
	if err := s.UseAssertionID(ctx, tenantA, "https://idp.example|_a1", at(time.Hour)); !errors.Is(err, core.ErrConflict) {
		t.Errorf("replayed assertion: %v, want conflict", err)
	}
	must(t, s.UseAssertionID(ctx, tenantB, "https://idp.example|_a1", at(time.Hour)))
	must(t, s.UseAssertionID(ctx, tenantA, "https://idp.example|_a2", at(time.Hour)))
	s2 := newStore(t)
	twoTenants(ctx, t, s2)
	race(t, func() error { return s2.UseAssertionID(ctx, tenantA, "https://idp.example|_race", at(time.Hour)) })
}

func testServiceProviderKey(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	var calls atomic.Int32
	create := func() (string, string, error) {
		n := calls.Add(1)
		return "key-" + string(rune('0'+n)), "cert-" + string(rune('0'+n)), nil
	}
	k1, c1, err := s.ServiceProviderKey(ctx, t0, create)
	must(t, err)
	k2, c2, err := s.ServiceProviderKey(ctx, t0, create)
	must(t, err)
	if k1 != "key-1" || c1 != "cert-1" || k2 != k1 || c2 != c1 || calls.Load() != 1 {
		t.Errorf("keys %q/%q then %q/%q, create called %d times; want the first key twice, one call", k1, c1, k2, c2, calls.Load())
	}
	// Processes starting at once agree on one key.
	s3 := newStore(t)
	var n atomic.Int32
	keys := make([]string, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			k, _, err := s3.ServiceProviderKey(ctx, t0, func() (string, string, error) {
				return fmt.Sprintf("key-%d", n.Add(1)), "cert", nil
			})
			if err != nil {
				t.Errorf("racer %d: %v", i, err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	slices.Sort(keys)
	if len(slices.Compact(keys)) != 1 {
		t.Errorf("racers got different keys: %v", keys)
	}
	// A failed creation stores nothing.
	s2 := newStore(t)
	boom := errors.New("boom")
	if _, _, err := s2.ServiceProviderKey(ctx, t0, func() (string, string, error) { return "", "", boom }); !errors.Is(err, boom) {
		t.Errorf("failed create: %v", err)
	}
	k, _, err := s2.ServiceProviderKey(ctx, t0, func() (string, string, error) { return "k", "c", nil })
	if err != nil || k != "k" {
		t.Errorf("after a failed create: %q, %v", k, err)
	}
}

func testFederationDeleteTenant(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	for _, tn := range []string{tenantA, tenantB} {
		must(t, s.CreateIdentityProvider(ctx, newProvider(tn, "p1", core.ProviderSAML, "contoso.example")))
		must(t, s.CreateIdentityProvider(ctx, newProvider(tn, "g", core.ProviderGoogle)))
		must(t, s.CreateFederationRequest(ctx, newFedRequest(tn, "state-1", "flow-1", t0)))
		must(t, s.UseAssertionID(ctx, tn, "a1", at(time.Hour)))
	}
	must(t, s.DeleteTenant(ctx, tenantA))
	if l, err := s.ListIdentityProviders(ctx, tenantA); err != nil || len(l) != 0 {
		t.Errorf("deleted tenant's providers: %v, %v", l, err)
	}
	if _, err := s.GetFederationRequest(ctx, tenantA, "state-1", t0); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("deleted tenant's request: %v", err)
	}
	// A tenant of the same id starts from nothing.
	must(t, s.CreateTenant(ctx, newTenant(tenantA, "a")))
	must(t, s.CreateIdentityProvider(ctx, newProvider(tenantA, "p1", core.ProviderSAML, "contoso.example")))
	must(t, s.UseAssertionID(ctx, tenantA, "a1", at(time.Hour)))
	// B's are untouched.
	if l, err := s.ListIdentityProviders(ctx, tenantB); err != nil || len(l) != 2 {
		t.Errorf("B's providers after A's deletion: %d, %v", len(l), err)
	}
	if _, err := s.GetFederationRequest(ctx, tenantB, "state-1", t0); err != nil {
		t.Errorf("B's request after A's deletion: %v", err)
	}
}

// wantHasProviders checks the tenant's HasIdentityProviders, as read with
// the tenant by id and by domain.
func wantHasProviders(t *testing.T, s store.Store, tenantID string, want bool) {
	t.Helper()
	tn, err := s.GetTenant(t.Context(), tenantID)
	must(t, err)
	if tn.HasIdentityProviders != want {
		t.Errorf("tenant %s: HasIdentityProviders = %v, want %v", tenantID, tn.HasIdentityProviders, want)
	}
	byDomain, err := s.TenantByDomain(t.Context(), tn.InitialDomain)
	must(t, err)
	if byDomain.HasIdentityProviders != want {
		t.Errorf("tenant %s by domain: HasIdentityProviders = %v, want %v", tenantID, byDomain.HasIdentityProviders, want)
	}
}
