package providers

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/idp/federation"
	"guestlist/internal/platform"
	"guestlist/internal/store"
	"guestlist/internal/store/sqlstore"
)

var clock = func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }

func fabrikam() *core.Tenant {
	return &core.Tenant{ID: "11111111-1111-4111-8111-111111111111", DisplayName: "Fabrikam", InitialDomain: "fabrikam.guestlist.test",
		Domains: []string{"fabrikam.example"}, DefaultLanguage: "en", EmailOTP: core.OTPDefault, CreatedAt: clock()}
}

func newFixture(t *testing.T, checks Checks) (*Service, store.Store, *platform.Keyring, *core.Tenant) {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "guestlist.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tn := fabrikam()
	if err := st.CreateTenant(t.Context(), tn); err != nil {
		t.Fatal(err)
	}
	keys, err := platform.NewKeyring([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	return New(st, keys, clock, checks), st, keys, tn
}

func saml(domains ...string) core.IdentityProvider {
	return core.IdentityProvider{Kind: core.ProviderSAML, DisplayName: "Contoso", Domains: domains,
		SAML: core.SAMLConfig{IssuerURI: "https://idp.contoso.example", MetadataURL: "https://idp.contoso.example/metadata"}}
}

func oidc(domains ...string) core.IdentityProvider {
	return core.IdentityProvider{Kind: core.ProviderOIDC, DisplayName: "Tailspin", Domains: domains,
		OIDC: core.OIDCConfig{ClientID: "c", Issuer: "https://op.tailspin.example"}}
}

// TestValidate: each rule of a provider, and the normalisation of what
// passes.
func TestValidate(t *testing.T) {
	tn := fabrikam()
	edit := func(p core.IdentityProvider, f func(*core.IdentityProvider)) core.IdentityProvider {
		p.Domains = slices.Clone(p.Domains)
		f(&p)
		return p
	}
	bad := map[string]core.IdentityProvider{
		"no display name":       edit(saml("contoso.example"), func(p *core.IdentityProvider) { p.DisplayName = "  " }),
		"long display name":     edit(saml("contoso.example"), func(p *core.IdentityProvider) { p.DisplayName = strings.Repeat("x", 257) }),
		"no domains":            saml(),
		"bad domain":            saml("contoso"),
		"initial domain":        saml("fabrikam.guestlist.test"),
		"verified domain":       oidc("FABRIKAM.example"),
		"gmail partner":         oidc("gmail.com"),
		"googlemail partner":    saml("googlemail.com"),
		"gmail for Google":      {Kind: core.ProviderGoogle, DisplayName: "G", Domains: []string{"gmail.com"}, OIDC: core.OIDCConfig{ClientID: "c"}},
		"Google without client": {Kind: core.ProviderGoogle, DisplayName: "G"},
		"wsFed":                 edit(saml("contoso.example"), func(p *core.IdentityProvider) { p.SAML.PreferredProtocol = "wsFed" }),
		"no issuer nor metadata": edit(saml("contoso.example"), func(p *core.IdentityProvider) {
			p.SAML.IssuerURI, p.SAML.MetadataURL = "", ""
		}),
		"no metadata, no certificate": edit(saml("contoso.example"), func(p *core.IdentityProvider) {
			p.SAML.MetadataURL, p.SAML.PassiveSignInURI = "", "https://idp.contoso.example/sso"
		}),
		"metadata not a URL":   edit(saml("contoso.example"), func(p *core.IdentityProvider) { p.SAML.MetadataURL = "ftp://x" }),
		"OIDC no client":       edit(oidc("t.example"), func(p *core.IdentityProvider) { p.OIDC.ClientID = "" }),
		"OIDC no issuer":       edit(oidc("t.example"), func(p *core.IdentityProvider) { p.OIDC.Issuer = "" }),
		"OIDC implicit":        edit(oidc("t.example"), func(p *core.IdentityProvider) { p.OIDC.ResponseType = "id_token" }),
		"OIDC scope no openid": edit(oidc("t.example"), func(p *core.IdentityProvider) { p.OIDC.Scope = "email" }),
		"unknown kind":         edit(oidc("t.example"), func(p *core.IdentityProvider) { p.Kind = "ldap" }),
	}
	for name, p := range bad {
		t.Run(name, func(t *testing.T) {
			if err := Validate(tn, &p); !errors.Is(err, core.ErrInvalid) {
				t.Errorf("Validate = %v, want ErrInvalid", err)
			}
		})
	}
	p := oidc("Tailspin.Example", "bücher.example", "tailspin.example")
	if err := Validate(tn, &p); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Domains, []string{"tailspin.example", "xn--bcher-kva.example"}) || p.OIDC.ResponseType != "code" ||
		p.OIDC.ClaimsMapping.Email != "email" || p.OIDC.ClaimsMapping.UserID != "sub" || p.OIDC.Scope != "openid email profile" {
		t.Errorf("normalised: %+v", p)
	}
	s := saml("contoso.example")
	if err := Validate(tn, &s); err != nil || s.SAML.PreferredProtocol != "saml" {
		t.Errorf("SAML defaults: %v %+v", err, s.SAML)
	}
}

// TestSecretSealed: the client secret is stored sealed to the tenant and
// provider, and never handed back.
func TestSecretSealed(t *testing.T) {
	svc, st, keys, tn := newFixture(t, Checks{})
	ctx := t.Context()
	p, err := svc.Create(ctx, tn, oidc("tailspin.example"), "hunter2")
	if err != nil {
		t.Fatal(err)
	}
	if p.ClientSecret != nil {
		t.Error("Create returned the sealed secret")
	}
	stored, err := st.GetIdentityProvider(ctx, tn.ID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(stored.ClientSecret), "hunter2") {
		t.Fatal("the secret is stored in the clear")
	}
	if got, err := keys.Open(stored.ClientSecret, federation.SecretAAD(tn.ID, p.ID)); err != nil || string(got) != "hunter2" {
		t.Errorf("Open = %q, %v", got, err)
	}
	if _, err := keys.Open(stored.ClientSecret, federation.SecretAAD(tn.ID, "other")); err == nil {
		t.Error("the sealed secret opens for another provider")
	}
	// PATCH without a secret keeps it.
	if _, err := svc.Update(ctx, tn, p.ID, Patch{Apply: func(q *core.IdentityProvider) error { q.DisplayName = "T"; return nil }}); err != nil {
		t.Fatal(err)
	}
	after, _ := st.GetIdentityProvider(ctx, tn.ID, p.ID)
	if got, err := keys.Open(after.ClientSecret, federation.SecretAAD(tn.ID, p.ID)); err != nil || string(got) != "hunter2" {
		t.Errorf("after a patch without a secret: %q, %v", got, err)
	}
	for _, g := range []func() (*core.IdentityProvider, error){
		func() (*core.IdentityProvider, error) { return svc.Get(ctx, tn.ID, p.ID) },
		func() (*core.IdentityProvider, error) { l, err := svc.List(ctx, tn.ID); return &l[0], err },
	} {
		if q, err := g(); err != nil || q.ClientSecret != nil {
			t.Errorf("read: secret %v, err %v", q.ClientSecret, err)
		}
	}
}

// TestConcurrentPatches: patches of different fields that run at once
// all stick (no lost update).
func TestConcurrentPatches(t *testing.T) {
	svc, _, _, tn := newFixture(t, Checks{})
	ctx := t.Context()
	p, err := svc.Create(ctx, tn, saml("contoso.example"), "")
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			d := fmt.Sprintf("d%d.example", i)
			if _, err := svc.AddDomain(ctx, tn, p.ID, d); err != nil {
				t.Errorf("AddDomain %s: %v", d, err)
			}
		})
	}
	wg.Wait()
	got, err := svc.Get(ctx, tn.ID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Domains) != n+1 {
		t.Errorf("domains = %v, want all %d", got.Domains, n+1)
	}
}

// TestChecks: the protocol's check sees the provider as it will be
// stored, may complete it, and its refusal stores nothing; a change made
// while the check ran sends the update round again.
func TestChecks(t *testing.T) {
	var seen []string
	var svc *Service
	var tn *core.Tenant
	var st store.Store
	interfere := false
	checks := Checks{SAML: func(ctx context.Context, p *core.IdentityProvider) error {
		seen = append(seen, p.DisplayName)
		if p.SAML.MetadataURL == "https://bad.example/metadata" {
			return core.Invalidf("metadataExchangeUri: not found")
		}
		if p.SAML.IssuerURI == "" {
			p.SAML.IssuerURI = "https://from-metadata.example"
		}
		if interfere {
			interfere = false
			_, err := svc.Update(ctx, tn, p.ID, Patch{Apply: func(q *core.IdentityProvider) error {
				q.SAML.AllowSHA1 = true
				return nil
			}})
			return err
		}
		return nil
	}}
	svc, st, _, tn = newFixture(t, checks)
	ctx := t.Context()
	p := saml("contoso.example")
	p.SAML.IssuerURI = ""
	created, err := svc.Create(ctx, tn, p, "")
	if err != nil || created.SAML.IssuerURI != "https://from-metadata.example" {
		t.Fatalf("Create: %v %+v", err, created)
	}
	bad := saml("other.example")
	bad.SAML.MetadataURL = "https://bad.example/metadata"
	if _, err := svc.Create(ctx, tn, bad, ""); !errors.Is(err, core.ErrInvalid) {
		t.Errorf("refused check: %v", err)
	}
	if l, _ := st.ListIdentityProviders(ctx, tn.ID); len(l) != 1 {
		t.Errorf("%d providers after a refused check, want 1", len(l))
	}
	interfere = true
	if _, err := svc.Update(ctx, tn, created.ID, Patch{Apply: func(q *core.IdentityProvider) error {
		q.DisplayName = "Contoso 2"
		q.SAML.RequireResponseSign = true
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	got, _ := svc.Get(ctx, tn.ID, created.ID)
	if got.DisplayName != "Contoso 2" || !got.SAML.RequireResponseSign || !got.SAML.AllowSHA1 {
		t.Errorf("after an update raced by another: %+v", got)
	}
}

// TestUpdateKeepsCheckedMetadata: the metadata a check fetched for a
// changed configuration is stored with it (sign-ins verify against it),
// not left at the copy of the partner's old metadata URL.
func TestUpdateKeepsCheckedMetadata(t *testing.T) {
	fetched := clock()
	checks := Checks{SAML: func(ctx context.Context, p *core.IdentityProvider) error {
		if p.SAML.MetadataURL != "" {
			p.Metadata = core.ProviderMetadata{Document: []byte("<md of " + p.SAML.MetadataURL + ">"), FetchedAt: fetched, CheckedAt: fetched}
		}
		return nil
	}}
	svc, _, _, tn := newFixture(t, checks)
	ctx := t.Context()
	p, err := svc.Create(ctx, tn, saml("contoso.example"), "")
	if err != nil {
		t.Fatal(err)
	}
	fetched = fetched.Add(time.Hour)
	if _, err := svc.Update(ctx, tn, p.ID, Patch{Apply: func(q *core.IdentityProvider) error {
		q.SAML.MetadataURL = "https://idp2.contoso.example/metadata"
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Get(ctx, tn.ID, p.ID)
	if err != nil || !got.Metadata.FetchedAt.Equal(fetched) || string(got.Metadata.Document) != "<md of https://idp2.contoso.example/metadata>" {
		t.Fatalf("after pointing at metadata: %v %+v", err, got.Metadata)
	}
}
