package saml

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"sync"
	"time"

	saml2 "github.com/russellhaering/gosaml2"
	dsig "github.com/russellhaering/goxmldsig"

	"guestlist/internal/core"
	"guestlist/internal/idp/federation"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// Options tune the service provider; zero values take the defaults.
type Options struct {
	// Timeout bounds each metadata fetch: 5s.
	Timeout time.Duration
	// ClockSkew is the slack on an assertion's validity window: 2m.
	ClockSkew time.Duration
	// MetadataRefresh is how old a partner's metadata may get before
	// Refresh fetches it again: 12h.
	MetadataRefresh time.Duration
	// AllowInsecureHTTP accepts http:// metadata and sign-in URLs (a
	// test's loopback partner).
	AllowInsecureHTTP bool
	// HTTPClient fetches metadata; nil is a client with Timeout.
	HTTPClient *http.Client
}

// Protocol is the SAML 2.0 service provider of the deployment, one
// entity per tenant.
type Protocol struct {
	st      store.Store
	baseURL string
	now     platform.Clock
	opts    Options
	client  *http.Client

	mu  sync.Mutex
	key *spKey // loaded once: the key never changes under a running process
}

var _ federation.Protocol = (*Protocol)(nil)

// spKey is the deployment's signing key and its self-signed certificate.
type spKey struct {
	signer *rsa.PrivateKey
	cert   *x509.Certificate
}

// New returns the service provider; baseURL is the deployment's public
// URL without a trailing slash.
func New(st store.Store, baseURL string, now platform.Clock, opts Options) *Protocol {
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.ClockSkew <= 0 {
		opts.ClockSkew = 2 * time.Minute
	}
	if opts.MetadataRefresh <= 0 {
		opts.MetadataRefresh = 12 * time.Hour
	}
	s := &Protocol{st: st, baseURL: baseURL, now: now, opts: opts, client: opts.HTTPClient}
	if s.client == nil {
		s.client = &http.Client{Timeout: opts.Timeout, CheckRedirect: s.checkRedirect}
	}
	return s
}

// EntityID is the tenant's service provider entity id, which is also
// where its metadata is served.
func (s *Protocol) EntityID(tenantID string) string {
	return s.baseURL + "/" + tenantID + "/saml/metadata"
}

// ACSURL is the tenant's assertion consumer service.
func (s *Protocol) ACSURL(tenantID string) string {
	return s.baseURL + "/" + tenantID + "/saml/acs"
}

// Redirect sends the guest to the partner's single sign-on service with
// a signed AuthnRequest, and records its ID on req so that only the
// response to it is taken.
func (s *Protocol) Redirect(ctx context.Context, p *core.IdentityProvider, req *core.FederationRequest, relay string) (string, error) {
	key, err := s.spKey(ctx)
	if err != nil {
		return "", err
	}
	sso, err := signInURL(p)
	if err != nil {
		return "", federation.Errorf(federation.Unavailable, err)
	}
	sp, err := s.serviceProvider(p, key, s.now())
	if err != nil {
		return "", err
	}
	sp.IdentityProviderSSOURL = sso
	doc, err := sp.BuildAuthRequestDocumentNoSig() // the redirect binding signs the query, not the XML
	if err != nil {
		return "", fmt.Errorf("saml: build AuthnRequest: %w", err)
	}
	id := doc.Root().SelectAttrValue("ID", "")
	if id == "" {
		return "", errors.New("saml: the AuthnRequest has no ID")
	}
	u, err := sp.BuildAuthURLRedirect(relay, doc)
	if err != nil {
		return "", fmt.Errorf("saml: sign AuthnRequest: %w", err)
	}
	req.RequestID = id
	return u, nil
}

// signInURL is where the partner takes AuthnRequests: its metadata's
// single sign-on service, else the URL its administrator configured.
func signInURL(p *core.IdentityProvider) (string, error) {
	if len(p.Metadata.Document) > 0 {
		if _, sso, _, err := ParseMetadata(p.Metadata.Document); err == nil {
			return sso, nil
		}
	}
	if p.SAML.PassiveSignInURI != "" {
		return p.SAML.PassiveSignInURI, nil
	}
	return "", errors.New("the provider has neither usable metadata nor a sign-in URL")
}

// serviceProvider is gosaml2's view of the tenant's service provider
// speaking to p, at the instant now.
func (s *Protocol) serviceProvider(p *core.IdentityProvider, key *spKey, now time.Time) (*saml2.SAMLServiceProvider, error) {
	sp := &saml2.SAMLServiceProvider{
		IdentityProviderIssuer:      p.SAML.IssuerURI,
		AssertionConsumerServiceURL: s.ACSURL(p.TenantID),
		ServiceProviderIssuer:       s.EntityID(p.TenantID),
		AudienceURI:                 s.EntityID(p.TenantID),
		SignAuthnRequests:           true,
		SignAuthnRequestsAlgorithm:  dsig.RSASHA256SignatureMethod,
		// gosaml2 takes a clockwork clock; a fixed one at our clock's
		// instant is all a single verification needs.
		Clock:                  dsig.NewFakeClockAt(now),
		AllowMissingAttributes: true, // the email may be the NameID
	}
	if err := sp.SetSPSigningKeyStore(&saml2.KeyStore{Signer: key.signer, Cert: key.cert.Raw}); err != nil {
		return nil, fmt.Errorf("saml: signing key: %w", err)
	}
	return sp, nil
}

// spKey is the deployment's service provider key, created on first use
// and shared by every process through the store.
func (s *Protocol) spKey(ctx context.Context) (*spKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	keyPEM, certPEM, err := s.st.ServiceProviderKey(ctx, s.now(), s.newKey)
	if err != nil {
		return nil, fmt.Errorf("saml: service provider key: %w", err)
	}
	key, err := parseKey(keyPEM, certPEM)
	if err != nil {
		return nil, err
	}
	s.key = key
	return key, nil
}

// newKey creates an RSA 2048 key with a self-signed certificate for ten
// years: partners pin it from our metadata, so it should not change.
func (s *Protocol) newKey() (string, string, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", "", fmt.Errorf("saml: generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return "", "", fmt.Errorf("saml: serial: %w", err)
	}
	now := s.now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "guestlist SAML service provider"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(10, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return "", "", fmt.Errorf("saml: self-sign certificate: %w", err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", fmt.Errorf("saml: encode key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk})),
		string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), nil
}

func parseKey(keyPEM, certPEM string) (*spKey, error) {
	kb, _ := pem.Decode([]byte(keyPEM))
	cb, _ := pem.Decode([]byte(certPEM))
	if kb == nil || cb == nil {
		return nil, errors.New("saml: the stored service provider key is not PEM")
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("saml: stored service provider key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("saml: the stored service provider key is not RSA")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("saml: stored service provider certificate: %w", err)
	}
	return &spKey{signer: rk, cert: cert}, nil
}
