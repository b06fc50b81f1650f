package saml_test

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	crewsaml "github.com/crewjam/saml"

	"guestlist/internal/core"
	"guestlist/internal/idp/saml"
)

func encodeCert(c *x509.Certificate) string { return base64.StdEncoding.EncodeToString(c.Raw) }

func TestSAMLServiceProviderMetadata(t *testing.T) {
	f := newFixture(t, nil)
	ed := f.spMetadata(t.Context())
	if ed.EntityID != baseURL+"/"+f.tenant.ID+"/saml/metadata" || len(ed.SPSSODescriptors) != 1 {
		t.Fatalf("entity %q, %d SP descriptors", ed.EntityID, len(ed.SPSSODescriptors))
	}
	sp := ed.SPSSODescriptors[0]
	acs := sp.AssertionConsumerServices
	if len(acs) != 1 || acs[0].Binding != crewsaml.HTTPPostBinding || acs[0].Location != baseURL+"/"+f.tenant.ID+"/saml/acs" {
		t.Fatalf("ACS %+v", acs)
	}
	if len(sp.NameIDFormats) != 1 || sp.NameIDFormats[0] != emailFmt {
		t.Fatalf("NameID formats %v", sp.NameIDFormats)
	}
	if len(sp.KeyDescriptors) != 1 || sp.KeyDescriptors[0].Use != "signing" {
		t.Fatalf("key descriptors %+v", sp.KeyDescriptors)
	}
	mux := http.NewServeMux()
	f.proto.Routes(mux, f.resolve)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/22222222-2222-4222-8222-222222222222/saml/metadata", nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("unknown tenant: %d", rec.Code)
	}
}

// stored is the provider as the store has it now.
func (f *fixture) stored() *core.IdentityProvider {
	f.t.Helper()
	p, err := f.st.GetIdentityProvider(f.t.Context(), f.tenant.ID, f.provider.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

func TestSAMLMetadataRefresh(t *testing.T) {
	failures := map[string]func(f *fixture){
		"server down": func(f *fixture) { f.srv.Close() },
		"malformed XML": func(f *fixture) {
			f.serveMetadata(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("<EntityDescriptor><oops")) })
		},
		"no signing certificate": func(f *fixture) {
			f.serveMetadata(func(w http.ResponseWriter, _ *http.Request) {
				w.Write([]byte(`<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="` + f.provider.SAML.IssuerURI + `">
<IDPSSODescriptor><SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/sso"/></IDPSSODescriptor></EntityDescriptor>`))
			})
		},
	}
	for name, fail := range failures {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, nil)
			before := f.stored().Metadata
			fail(f)
			f.clock.Add(13 * time.Hour)
			if err := f.proto.Refresh(t.Context()); err != nil {
				t.Fatal(err)
			}
			m := f.stored().Metadata
			if string(m.Document) != string(before.Document) || !m.FetchedAt.Equal(t0) || !m.CheckedAt.Equal(f.clock.Now()) || m.Error == "" {
				t.Fatalf("after a failed refresh: fetched %s checked %s error %q, document kept: %v",
					m.FetchedAt, m.CheckedAt, m.Error, string(m.Document) == string(before.Document))
			}
			// The last good copy still signs guests in.
			if name != "server down" {
				req, u := f.begin()
				if _, err := f.verify(f.proto, req, f.respond(u, answer{})); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestSAMLMetadataRefreshTakesNewCertificate(t *testing.T) {
	f := newFixture(t, nil)
	f.clock.Add(time.Hour)
	if err := f.proto.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if m := f.stored().Metadata; !m.CheckedAt.Equal(t0) {
		t.Fatalf("refreshed metadata an hour old (checked %s)", m.CheckedAt)
	}
	// The partner rolls its key; its metadata says so.
	f.idpKey = newKey(t)
	f.idp.Key, f.idp.Certificate = f.idpKey, selfSigned(t, f.idpKey)
	f.clock.Add(12 * time.Hour)
	if err := f.proto.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	m := f.stored().Metadata
	if !m.FetchedAt.Equal(f.clock.Now()) || m.Error != "" {
		t.Fatalf("fetched %s, error %q", m.FetchedAt, m.Error)
	}
	req, u := f.begin()
	if _, err := f.verify(f.proto, req, f.respond(u, answer{})); err != nil {
		t.Fatalf("signed with the new key: %v", err)
	}
}

func TestSAMLCheck(t *testing.T) {
	f := newFixture(t, nil)
	malformed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("<html>not metadata</html>"))
	}))
	t.Cleanup(malformed.Close)
	cert := encodeCert(f.idp.Certificate)
	cases := map[string]struct {
		cfg  core.SAMLConfig
		want string
	}{
		"malformed metadata":     {core.SAMLConfig{MetadataURL: malformed.URL}, "is not usable"},
		"issuer differs":         {core.SAMLConfig{MetadataURL: f.srv.URL + "/metadata", IssuerURI: "https://other.example"}, "differs from the metadata's entityID"},
		"no certificate":         {core.SAMLConfig{IssuerURI: "urn:partner", PassiveSignInURI: "https://idp.example/sso"}, "signingCertificate"},
		"certificate not DER":    {core.SAMLConfig{IssuerURI: "urn:partner", PassiveSignInURI: "https://idp.example/sso", SigningCertificate: "bm90IGEgY2VydA=="}, "X.509"},
		"no sign-in URL":         {core.SAMLConfig{IssuerURI: "urn:partner", SigningCertificate: cert}, "passiveSignInUri"},
		"sign-in URL not a URL":  {core.SAMLConfig{IssuerURI: "urn:partner", SigningCertificate: cert, PassiveSignInURI: "idp.example/sso"}, "https://"},
		"no issuer without URL":  {core.SAMLConfig{SigningCertificate: cert, PassiveSignInURI: "https://idp.example/sso"}, "issuerUri"},
		"metadata URL not a URL": {core.SAMLConfig{MetadataURL: "ftp://idp.example/md"}, "https://"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p := &core.IdentityProvider{TenantID: f.tenant.ID, ID: "x", Kind: core.ProviderSAML, SAML: c.cfg}
			err := f.proto.Check(t.Context(), p)
			if !errors.Is(err, core.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want invalid mentioning %q", err, c.want)
			}
		})
	}
	t.Run("http refused unless allowed", func(t *testing.T) {
		strict := saml.New(f.st, baseURL, f.clock.Now, saml.Options{})
		p := &core.IdentityProvider{TenantID: f.tenant.ID, Kind: core.ProviderSAML, SAML: core.SAMLConfig{MetadataURL: f.srv.URL + "/metadata"}}
		if err := strict.Check(t.Context(), p); !errors.Is(err, core.ErrInvalid) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("pinned certificate and sign-in URL", func(t *testing.T) {
		p := &core.IdentityProvider{TenantID: f.tenant.ID, Kind: core.ProviderSAML, SAML: core.SAMLConfig{
			IssuerURI: "urn:partner", SigningCertificate: cert, PassiveSignInURI: "https://idp.example/sso"}}
		if err := f.proto.Check(t.Context(), p); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSAMLParseMetadata(t *testing.T) {
	f := newFixture(t, nil)
	entityID, sso, certs, err := saml.ParseMetadata(f.stored().Metadata.Document)
	if err != nil {
		t.Fatal(err)
	}
	if entityID != f.srv.URL+"/metadata" || sso != f.srv.URL+"/sso" || len(certs) != 1 || !certs[0].Equal(f.idp.Certificate) {
		t.Fatalf("entity %q sso %q certs %d", entityID, sso, len(certs))
	}
}
