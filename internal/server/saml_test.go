package server_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/xml"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	crewsaml "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"guestlist/internal/core"
	"guestlist/internal/servertest"
)

// samlEntity is the part of our SAML metadata a partner registers us by.
type samlEntity struct {
	EntityID string `xml:"entityID,attr"`
	SP       struct {
		ACS []struct {
			Binding  string `xml:"Binding,attr"`
			Location string `xml:"Location,attr"`
		} `xml:"AssertionConsumerService"`
		Certs []string `xml:"KeyDescriptor>KeyInfo>X509Data>X509Certificate"`
	} `xml:"SPSSODescriptor"`
}

// TestSAMLServiceProviderMetadataServed: a partner's administrator reads
// the tenant's SAML metadata from its entity id; the key is the
// deployment's, the same on every read.
func TestSAMLServiceProviderMetadataServed(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	read := func(path string) (int, string, samlEntity) {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var e samlEntity
		if resp.StatusCode == http.StatusOK {
			if err := xml.Unmarshal(body, &e); err != nil {
				t.Fatalf("%s: %v\n%s", path, err, body)
			}
		}
		return resp.StatusCode, resp.Header.Get("Content-Type"), e
	}
	code, ctype, e := read("/" + tn.ID + "/saml/metadata")
	if code != http.StatusOK || ctype != "application/samlmetadata+xml" {
		t.Fatalf("metadata: %d %s", code, ctype)
	}
	if e.EntityID != s.URL+"/"+tn.ID+"/saml/metadata" || len(e.SP.ACS) != 1 ||
		e.SP.ACS[0].Location != s.URL+"/"+tn.ID+"/saml/acs" || e.SP.ACS[0].Binding != "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" ||
		len(e.SP.Certs) != 1 {
		t.Fatalf("metadata: %+v", e)
	}
	if _, _, again := read("/" + tn.ID + "/saml/metadata"); again.SP.Certs[0] != e.SP.Certs[0] {
		t.Fatal("the signing certificate changed between two reads")
	}
	if code, _, _ := read("/3f0e0a4c-9a53-4c1e-9d51-0c7c1e1f2a3b/saml/metadata"); code != http.StatusNotFound {
		t.Fatalf("unknown tenant: %d", code)
	}
}

// partnerIdP is a partner's SAML identity provider (crewjam's) on a
// loopback server, which knows our tenant's service provider from the
// metadata we serve.
func partnerIdP(t *testing.T, s *servertest.Server, tn servertest.Tenant) *crewsaml.IdentityProvider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := s.Clock.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "partner"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	resp, err := http.Get(s.URL + "/" + tn.ID + "/saml/metadata")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sp crewsaml.EntityDescriptor
	if err := xml.NewDecoder(resp.Body).Decode(&sp); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	md, _ := url.Parse(srv.URL + "/metadata")
	sso, _ := url.Parse(srv.URL + "/sso")
	idp := &crewsaml.IdentityProvider{Key: key, Certificate: cert, MetadataURL: *md, SSOURL: *sso,
		SignatureMethod: dsig.RSASHA256SignatureMethod, ServiceProviderProvider: knownSP{&sp}}
	mux.HandleFunc("GET /metadata", idp.ServeMetadata)
	return idp
}

type knownSP struct{ ed *crewsaml.EntityDescriptor }

func (k knownSP) GetServiceProvider(_ *http.Request, id string) (*crewsaml.EntityDescriptor, error) {
	if id != k.ed.EntityID {
		return nil, os.ErrNotExist
	}
	return k.ed, nil
}

// partnerSignIn has the partner sign nameID in, answering the AuthnRequest the
// browser was sent with: the form its page posts back to us.
func partnerSignIn(t *testing.T, s *servertest.Server, idp *crewsaml.IdentityProvider, authURL, nameID string) url.Values {
	t.Helper()
	ar, err := crewsaml.NewIdpAuthnRequest(idp, httptest.NewRequest("GET", authURL, nil))
	if err != nil {
		t.Fatal(err)
	}
	ar.Now = s.Clock.Now()
	if err := ar.Validate(); err != nil {
		t.Fatalf("the partner refused our AuthnRequest: %v", err)
	}
	session := &crewsaml.Session{ID: "s", CreateTime: ar.Now, NameID: nameID,
		NameIDFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"}
	if err := (crewsaml.DefaultAssertionMaker{}).MakeAssertion(ar, session); err != nil {
		t.Fatal(err)
	}
	form, err := ar.PostBinding()
	if err != nil {
		t.Fatal(err)
	}
	return url.Values{"SAMLResponse": {form.SAMLResponse}, "RelayState": {form.RelayState}}
}

// TestSAMLGuestRedeemsWithPartner: a guest whose domain is federated with
// a SAML partner is sent there, signs in, and the partner's signed answer
// posted to the ACS redeems the invitation; the same answer posted again
// is refused.
func TestSAMLGuestRedeemsWithPartner(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	idp := partnerIdP(t, s, tn)
	p := &core.IdentityProvider{TenantID: tn.ID, ID: "partner", Kind: core.ProviderSAML, DisplayName: "Partner",
		Domains: []string{"partner.example"}, SAML: core.SAMLConfig{MetadataURL: idp.MetadataURL.String()},
		CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
	if err := s.App.SAML.Check(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	if err := s.App.Store.CreateIdentityProvider(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	inv := s.Invite(t, tn, "ann@partner.example", nil)
	g := s.NewGuest("en")
	page := g.Get(t, inv["inviteRedeemUrl"].(string))
	for i := 0; i < 5 && !strings.HasPrefix(page.Location, idp.SSOURL.String()); i++ {
		page = g.Follow(t, page)
	}
	if !strings.HasPrefix(page.Location, idp.SSOURL.String()) {
		t.Fatalf("the guest was not sent to the partner: %d %s %.300s", page.Status, page.Location, page.Body)
	}
	form := partnerSignIn(t, s, idp, page.Location, "ann@partner.example")
	acs := g.Post(t, "/"+tn.ID+"/saml/acs", form)
	if acs.Status != http.StatusSeeOther || !strings.Contains(acs.Location, "/signin/federation/done") {
		t.Fatalf("ACS: %d %s %.300s", acs.Status, acs.Location, acs.Body)
	}
	done := g.Follow(t, acs)
	// A first redemption goes on to consent.
	if done.Status != http.StatusSeeOther || !strings.HasSuffix(done.Location, "/signin/consent") {
		t.Fatalf("done: %d %s %.300s", done.Status, done.Location, done.Body)
	}
	if again := g.Post(t, "/"+tn.ID+"/saml/acs", form); again.Status == http.StatusSeeOther {
		t.Fatalf("the same answer was taken twice: %d %s", again.Status, again.Location)
	}
}
