package saml_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/beevik/etree"
	crewsaml "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"guestlist/internal/core"
	"guestlist/internal/idp/saml"
	"guestlist/internal/store/sqlstore"
)

const (
	baseURL    = "https://guestlist.test"
	guestEmail = "ann@partner.example"
	emailFmt   = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
)

// t0 is the fixed start of every test's clock.
var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// clock is a test clock that tests move.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

// fixture is a tenant of a real store federated with a real crewjam
// identity provider on a loopback server, whose metadata our service
// provider fetched, and which registered our service provider from the
// metadata we serve.
type fixture struct {
	t        *testing.T
	st       *sqlstore.Store
	tenant   *core.Tenant
	clock    *clock
	proto    *saml.Protocol
	idp      *crewsaml.IdentityProvider
	idpKey   *rsa.PrivateKey
	srv      *httptest.Server
	provider *core.IdentityProvider

	mu       sync.Mutex
	metadata http.HandlerFunc // what the partner's metadata URL answers
}

// newFixture builds the fixture; cfg adjusts the provider's settings
// before it is checked and stored.
func newFixture(t *testing.T, cfg func(*core.SAMLConfig)) *fixture {
	t.Helper()
	ctx := t.Context()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "guestlist.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{t: t, st: st, clock: &clock{now: t0}}
	f.tenant = &core.Tenant{ID: "11111111-1111-4111-8111-111111111111", DisplayName: "Fabrikam",
		InitialDomain: "fabrikam.guestlist.test", Domains: []string{"fabrikam.example"}, DefaultLanguage: "en",
		EmailOTP: core.OTPDefault, CreatedAt: t0}
	if err := st.CreateTenant(ctx, f.tenant); err != nil {
		t.Fatal(err)
	}
	f.proto = saml.New(st, baseURL, f.clock.Now, saml.Options{AllowInsecureHTTP: true})

	f.idpKey = newKey(t)
	cert := selfSigned(t, f.idpKey)
	mux := http.NewServeMux()
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	mustURL := func(s string) url.URL { u, _ := url.Parse(s); return *u }
	f.idp = &crewsaml.IdentityProvider{Key: f.idpKey, Certificate: cert,
		MetadataURL: mustURL(f.srv.URL + "/metadata"), SSOURL: mustURL(f.srv.URL + "/sso"),
		SignatureMethod: dsig.RSASHA256SignatureMethod, ServiceProviderProvider: spProvider{f.spMetadata(ctx)}}
	f.metadata = f.idp.ServeMetadata
	mux.HandleFunc("GET /metadata", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		h := f.metadata
		f.mu.Unlock()
		h(w, r)
	})

	f.provider = &core.IdentityProvider{TenantID: f.tenant.ID, ID: "partner", Kind: core.ProviderSAML,
		DisplayName: "Partner", Domains: []string{"partner.example"},
		SAML: core.SAMLConfig{MetadataURL: f.srv.URL + "/metadata"}, CreatedAt: t0, UpdatedAt: t0}
	if cfg != nil {
		cfg(&f.provider.SAML)
	}
	if err := f.proto.Check(ctx, f.provider); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateIdentityProvider(ctx, f.provider); err != nil {
		t.Fatal(err)
	}
	return f
}

// serveMetadata changes what the partner's metadata URL answers.
func (f *fixture) serveMetadata(h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.metadata = h
}

// spMetadata is our metadata as served, as the partner reads it.
func (f *fixture) spMetadata(ctx context.Context) *crewsaml.EntityDescriptor {
	f.t.Helper()
	mux := http.NewServeMux()
	f.proto.Routes(mux, f.resolve)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequestWithContext(ctx, "GET", "/"+f.tenant.ID+"/saml/metadata", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/samlmetadata+xml" {
		f.t.Fatalf("SP metadata: %d %s %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	var ed crewsaml.EntityDescriptor
	if err := xml.Unmarshal(rec.Body.Bytes(), &ed); err != nil {
		f.t.Fatalf("SP metadata: %v\n%s", err, rec.Body)
	}
	return &ed
}

func (f *fixture) resolve(_ context.Context, name string) (*core.Tenant, error) {
	if name == f.tenant.ID {
		return f.tenant, nil
	}
	return nil, core.NotFoundf("tenant %q not found", name)
}

// spProvider is the partner's registration of our service provider.
type spProvider struct{ ed *crewsaml.EntityDescriptor }

func (p spProvider) GetServiceProvider(_ *http.Request, id string) (*crewsaml.EntityDescriptor, error) {
	if id != p.ed.EntityID {
		return nil, os.ErrNotExist
	}
	return p.ed, nil
}

// begin sends a sign-in to the partner: the request and the URL the
// browser is sent to.
func (f *fixture) begin() (*core.FederationRequest, string) {
	f.t.Helper()
	req := &core.FederationRequest{TenantID: f.tenant.ID, ID: "request", FlowID: "flow", ProviderID: f.provider.ID}
	u, err := f.proto.Redirect(f.t.Context(), f.provider, req, "relay-state")
	if err != nil {
		f.t.Fatal(err)
	}
	return req, u
}

// answer is how the partner answers: by default a signed response with a
// signed assertion naming guestEmail.
type answer struct {
	unsignedAssertion bool
	unsignedResponse  bool
	noAssertion       bool
	key               *rsa.PrivateKey // signs instead of the partner's key
	sigMethod         string
	session           func(*crewsaml.Session)
	assertion         func(*crewsaml.Assertion)
	response          func(*crewsaml.Response)
	tamper            func(response *etree.Element) // after signing
}

// respond has the partner's identity provider answer the AuthnRequest
// the browser brought it (at authURL), as its SSO endpoint would, and
// returns the SAMLResponse it posts back.
func (f *fixture) respond(authURL string, a answer) string {
	f.t.Helper()
	ar, err := crewsaml.NewIdpAuthnRequest(f.idp, httptest.NewRequest("GET", authURL, nil))
	if err != nil {
		f.t.Fatal(err)
	}
	ar.Now = f.clock.Now()
	if err := ar.Validate(); err != nil {
		f.t.Fatalf("the partner refused our AuthnRequest: %v", err)
	}
	session := &crewsaml.Session{ID: "s", NameID: guestEmail, NameIDFormat: emailFmt, CreateTime: ar.Now,
		CustomAttributes: []crewsaml.Attribute{{Name: "displayName", Values: []crewsaml.AttributeValue{{Type: "xs:string", Value: "Ann Partner"}}}}}
	if a.session != nil {
		a.session(session)
	}
	if err := (crewsaml.DefaultAssertionMaker{}).MakeAssertion(ar, session); err != nil {
		f.t.Fatal(err)
	}
	if a.assertion != nil {
		a.assertion(ar.Assertion)
	}
	sign := f.signer(a)
	assertionEl := ar.Assertion.Element()
	if !a.unsignedAssertion {
		signed, err := sign.SignEnveloped(assertionEl)
		if err != nil {
			f.t.Fatal(err)
		}
		ar.Assertion.Signature = signed.ChildElements()[len(signed.ChildElements())-1]
		assertionEl = ar.Assertion.Element()
	}
	el := f.response(ar, a, sign, assertionEl)
	if a.tamper != nil {
		a.tamper(el)
	}
	doc := etree.NewDocument()
	doc.SetRoot(el)
	b, err := doc.WriteToBytes()
	if err != nil {
		f.t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// response wraps the assertion in the partner's response, signed unless
// a says otherwise.
func (f *fixture) response(ar *crewsaml.IdpAuthnRequest, a answer, sign *dsig.SigningContext, assertionEl *etree.Element) *etree.Element {
	f.t.Helper()
	resp := &crewsaml.Response{Destination: ar.ACSEndpoint.Location, ID: fmt.Sprintf("id-%x", randomBytes(16)),
		InResponseTo: ar.Request.ID, IssueInstant: ar.Now, Version: "2.0",
		Issuer: &crewsaml.Issuer{Format: "urn:oasis:names:tc:SAML:2.0:nameid-format:entity", Value: f.idp.MetadataURL.String()},
		Status: crewsaml.Status{StatusCode: crewsaml.StatusCode{Value: crewsaml.StatusSuccess}}}
	if a.response != nil {
		a.response(resp)
	}
	el := resp.Element()
	if !a.noAssertion {
		el.AddChild(assertionEl)
	}
	if a.unsignedResponse {
		return el
	}
	signed, err := sign.SignEnveloped(el)
	if err != nil {
		f.t.Fatal(err)
	}
	resp.Signature = signed.ChildElements()[len(signed.ChildElements())-1]
	el = resp.Element()
	if !a.noAssertion {
		el.AddChild(assertionEl)
	}
	return el
}

// signer signs as the partner does (or with another key).
func (f *fixture) signer(a answer) *dsig.SigningContext {
	f.t.Helper()
	key, cert := f.idpKey, f.idp.Certificate
	if a.key != nil {
		key, cert = a.key, selfSigned(f.t, a.key)
	}
	ctx := dsig.NewDefaultSigningContext(dsig.TLSCertKeyStore(tls.Certificate{
		Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert}))
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	method := a.sigMethod
	if method == "" {
		method = dsig.RSASHA256SignatureMethod
	}
	if err := ctx.SetSignatureMethod(method); err != nil {
		f.t.Fatal(err)
	}
	return ctx
}

// verify posts samlResponse back for req, as the ACS hands it over.
func (f *fixture) verify(proto *saml.Protocol, req *core.FederationRequest, samlResponse string) (core.FederationResult, error) {
	p, err := f.st.GetIdentityProvider(f.t.Context(), f.tenant.ID, f.provider.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return proto.Verify(f.t.Context(), p, req, map[string]string{"SAMLResponse": samlResponse, "RelayState": "relay-state"})
}

func newKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func selfSigned(t *testing.T, key *rsa.PrivateKey) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "partner idp"},
		NotBefore: t0.AddDate(-1, 0, 0), NotAfter: t0.AddDate(5, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
