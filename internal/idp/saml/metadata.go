package saml

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/russellhaering/gosaml2/types"

	"guestlist/internal/core"
)

// maxMetadata bounds a fetched metadata document.
const maxMetadata = 1 << 20

const bindingRedirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"

// ParseMetadata reads a partner's metadata: its entity id, the single
// sign-on service that takes redirect-bound requests, and its signing
// certificates. A document without the last two is of no use and
// refused.
func ParseMetadata(doc []byte) (entityID, ssoURL string, certs []*x509.Certificate, err error) {
	var ed types.EntityDescriptor
	if err := xml.Unmarshal(doc, &ed); err != nil {
		return "", "", nil, fmt.Errorf("not a SAML EntityDescriptor: %w", err)
	}
	if ed.EntityID == "" {
		return "", "", nil, errors.New("the EntityDescriptor has no entityID")
	}
	idp := ed.IDPSSODescriptor
	if idp == nil {
		return "", "", nil, errors.New("the metadata describes no identity provider (IDPSSODescriptor)")
	}
	for _, s := range idp.SingleSignOnServices {
		if s.Binding == bindingRedirect && s.Location != "" {
			ssoURL = s.Location
			break
		}
	}
	if ssoURL == "" {
		return "", "", nil, errors.New("the identity provider has no SingleSignOnService with the HTTP-Redirect binding")
	}
	for _, kd := range idp.KeyDescriptors {
		if kd.Use != "" && kd.Use != "signing" {
			continue
		}
		for _, xc := range kd.KeyInfo.X509Data.X509Certificates {
			c, err := parseCert(xc.Data)
			if err != nil {
				return "", "", nil, fmt.Errorf("a signing certificate: %w", err)
			}
			certs = append(certs, c)
		}
	}
	if len(certs) == 0 {
		return "", "", nil, errors.New("the identity provider publishes no signing certificate")
	}
	return ed.EntityID, ssoURL, certs, nil
}

// parseCert reads a base64 DER certificate, as metadata and Graph's
// signingCertificate carry it (whitespace allowed).
func parseCert(b64 string) (*x509.Certificate, error) {
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(b64), ""))
	if err != nil {
		return nil, fmt.Errorf("not base64: %w", err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("not an X.509 certificate: %w", err)
	}
	return c, nil
}

// Check makes p usable before it is saved, or says what the
// administrator must fix: with a metadata URL, the metadata is fetched
// into p.Metadata (and gives the issuer when none is set); without one,
// the pinned certificate and sign-in URL must be given.
func (s *Protocol) Check(ctx context.Context, p *core.IdentityProvider) error {
	if p.SAML.SigningCertificate != "" {
		if _, err := parseCert(p.SAML.SigningCertificate); err != nil {
			return core.Invalidf("signingCertificate must be a base64 DER X.509 certificate: %v", err)
		}
	}
	if p.SAML.MetadataURL == "" {
		if p.SAML.SigningCertificate == "" {
			return core.Invalidf("a SAML provider without metadataExchangeUri needs its signingCertificate")
		}
		if err := s.checkURL(p.SAML.PassiveSignInURI); err != nil {
			return core.Invalidf("a SAML provider without metadataExchangeUri needs passiveSignInUri: %v", err)
		}
		if p.SAML.IssuerURI == "" {
			return core.Invalidf("issuerUri is required")
		}
		return nil
	}
	if err := s.checkURL(p.SAML.MetadataURL); err != nil {
		return core.Invalidf("metadataExchangeUri: %v", err)
	}
	doc, entityID, err := s.fetchMetadata(ctx, p.SAML.MetadataURL)
	if err != nil {
		return core.Invalidf("the metadata at %s is not usable: %v", p.SAML.MetadataURL, err)
	}
	if p.SAML.IssuerURI == "" {
		p.SAML.IssuerURI = entityID
	} else if p.SAML.IssuerURI != entityID {
		return core.Invalidf("issuerUri %q differs from the metadata's entityID %q", p.SAML.IssuerURI, entityID)
	}
	now := s.now()
	p.Metadata = core.ProviderMetadata{Document: doc, FetchedAt: now, CheckedAt: now}
	return nil
}

// checkURL accepts an absolute https URL (http when allowed).
func (s *Protocol) checkURL(raw string) error {
	if raw == "" {
		return errors.New("the URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL", raw)
	}
	if u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && s.opts.AllowInsecureHTTP)) {
		return fmt.Errorf("%q must be an https:// URL", raw)
	}
	return nil
}

func (s *Protocol) checkRedirect(r *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("too many redirects")
	}
	return s.checkURL(r.URL.String())
}

// fetchMetadata gets and parses the metadata at u.
func (s *Protocol) fetchMetadata(ctx context.Context, u string) ([]byte, string, error) {
	// Checked again here: the deployment may have stopped allowing http
	// since the provider was saved.
	if err := s.checkURL(u); err != nil {
		return nil, "", err
	}
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Accept", "application/samlmetadata+xml, application/xml, text/xml")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, "", unreachable(err, s.opts.Timeout)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, "", fmt.Errorf("fetch: HTTP status %d", resp.StatusCode)
	}
	doc, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadata+1))
	if err != nil {
		return nil, "", fmt.Errorf("fetch: %w", err)
	}
	if len(doc) > maxMetadata {
		return nil, "", fmt.Errorf("the document is larger than %d bytes", maxMetadata)
	}
	entityID, _, _, err := ParseMetadata(doc)
	if err != nil {
		return nil, "", err
	}
	return doc, entityID, nil
}

// RefreshBatch is how many providers one Refresh looks at.
const RefreshBatch = 50

// Refresh fetches again the metadata of the providers whose copy is
// older than MetadataRefresh. A failed fetch keeps the last good copy and
// records why, for the administrator.
func (s *Protocol) Refresh(ctx context.Context) error {
	now := s.now()
	list, err := s.st.ProvidersToRefresh(ctx, now.Add(-s.opts.MetadataRefresh), RefreshBatch)
	if err != nil {
		return fmt.Errorf("saml: providers to refresh: %w", err)
	}
	var errs []error
	for i := range list {
		if ctx.Err() != nil {
			// Shutting down: a cancelled fetch says nothing of the partner.
			return ctx.Err()
		}
		p := &list[i]
		m := p.Metadata
		m.CheckedAt = now
		doc, entityID, err := s.fetchMetadata(ctx, p.SAML.MetadataURL)
		if err == nil && p.SAML.IssuerURI != "" && entityID != p.SAML.IssuerURI {
			err = fmt.Errorf("the metadata's entityID %q differs from issuerUri %q", entityID, p.SAML.IssuerURI)
		}
		if err != nil {
			m.Error = err.Error()
		} else {
			m.Document, m.FetchedAt, m.Error = doc, now, ""
		}
		if err := s.st.SetProviderMetadata(ctx, p.TenantID, p.ID, m); err != nil {
			errs = append(errs, fmt.Errorf("saml: save metadata of %s/%s: %w", p.TenantID, p.ID, err))
		}
	}
	return errors.Join(errs...)
}

// unreachable says that the partner's server could not be fetched from,
// without the network error's addresses and ports: an administrator
// reads it, and must not be able to map the deployment's network by
// pointing metadata URLs at it.
func unreachable(err error, timeout time.Duration) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("the server did not answer within %s", timeout)
	}
	return errors.New("the server cannot be reached")
}
