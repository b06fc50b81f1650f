package saml

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	saml2 "github.com/russellhaering/gosaml2"
	"github.com/russellhaering/gosaml2/types"
	dsig "github.com/russellhaering/goxmldsig"

	"guestlist/internal/core"
	"guestlist/internal/idp/federation"
)

// maxResponse bounds a posted SAMLResponse (base64): real responses are a
// few kilobytes, and the XML is parsed more than once.
const maxResponse = 512 << 10

const (
	nameIDEmail   = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
	statusSuccess = "urn:oasis:names:tc:SAML:2.0:status:Success"
	dsigNS        = "http://www.w3.org/2000/09/xmldsig#"
)

// emailAttributes and nameAttributes are the claims read, in order, when
// the NameID is not the address.
var (
	emailAttributes = []string{"email", "mail", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"}
	nameAttributes  = []string{"displayName", "name", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
		"http://schemas.microsoft.com/identity/claims/displayname"}
)

// Verify checks the partner's response to req and returns who it
// asserts. A response that fails is Invalid with why (for the sign-in
// log); one whose status is not Success is Refused.
func (s *Protocol) Verify(ctx context.Context, p *core.IdentityProvider, req *core.FederationRequest, params map[string]string) (core.FederationResult, error) {
	now := s.now()
	resp, err := s.validated(ctx, p, params["SAMLResponse"], now)
	if err != nil {
		return core.FederationResult{}, err
	}
	a, err := s.check(p, req, resp, now)
	if err != nil {
		return core.FederationResult{}, federation.Errorf(federation.Invalid, err)
	}
	res, err := result(p, a)
	if err != nil {
		return core.FederationResult{}, federation.Errorf(federation.Invalid, err)
	}
	expires, _ := time.Parse(time.RFC3339, a.Conditions.NotOnOrAfter) // parsed in check
	err = s.st.UseAssertionID(ctx, p.TenantID, p.SAML.IssuerURI+"|"+a.ID, expires.Add(s.opts.ClockSkew))
	if errors.Is(err, core.ErrConflict) {
		return core.FederationResult{}, federation.Errorf(federation.Invalid, fmt.Errorf("assertion %s was replayed", a.ID))
	} else if err != nil {
		return core.FederationResult{}, err
	}
	return res, nil
}

// validated is the response as gosaml2 verified it: signed by one of
// p's certificates, from p's issuer, to our ACS, with status Success.
func (s *Protocol) validated(ctx context.Context, p *core.IdentityProvider, encoded string, now time.Time) (*types.Response, error) {
	switch {
	case encoded == "":
		return nil, federation.Errorf(federation.Invalid, errors.New("the answer has no SAMLResponse"))
	case len(encoded) > maxResponse:
		return nil, federation.Errorf(federation.Invalid, errors.New("the SAMLResponse is too large"))
	case p.SAML.IssuerURI == "":
		// gosaml2 skips the issuer check when it has no issuer to expect.
		return nil, federation.Errorf(federation.Unavailable, errors.New("the provider has no issuer URI"))
	}
	certs, err := trustedCerts(p)
	if err != nil {
		return nil, federation.Errorf(federation.Unavailable, err)
	}
	raw, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return nil, federation.Errorf(federation.Invalid, fmt.Errorf("the SAMLResponse is not base64: %w", err))
	}
	if !p.SAML.AllowSHA1 {
		if err := refuseSHA1(raw); err != nil {
			return nil, federation.Errorf(federation.Invalid, err)
		}
	}
	key, err := s.spKey(ctx)
	if err != nil {
		return nil, err
	}
	// gosaml2 compares SubjectConfirmationData's NotOnOrAfter and the
	// certificate's validity with its clock and no slack: set back by the
	// skew, it allows the skew on expiry. NotBefore is checked in check.
	sp, err := s.serviceProvider(p, key, now.Add(-s.opts.ClockSkew))
	if err != nil {
		return nil, err
	}
	sp.IDPCertificateStore = &dsig.MemoryX509CertificateStore{Roots: certs}
	resp, err := sp.ValidateEncodedResponse(encoded)
	if err != nil {
		if status := claimedStatus(raw); status != "" && status != statusSuccess {
			return nil, federation.Errorf(federation.Refused, fmt.Errorf("the provider answered with status %s", status))
		}
		return nil, federation.Errorf(federation.Invalid, fmt.Errorf("the response failed verification: %w", err))
	}
	return resp, nil
}

// check is what gosaml2 leaves to its caller, on the response it
// verified: one signed assertion, meant for us, now, in answer to req.
func (s *Protocol) check(p *core.IdentityProvider, req *core.FederationRequest, resp *types.Response, now time.Time) (*types.Assertion, error) {
	if len(resp.Assertions) != 1 {
		return nil, fmt.Errorf("the response has %d assertions, not one", len(resp.Assertions))
	}
	a := &resp.Assertions[0]
	switch {
	case p.SAML.RequireResponseSign && !resp.SignatureValidated:
		return nil, errors.New("the response is not signed, and this provider must sign its responses")
	case !resp.SignatureValidated && !a.SignatureValidated:
		return nil, errors.New("neither the response nor the assertion is signed")
	case resp.SignatureValidated && resp.Destination == "":
		// SAML bindings 3.5.5.2: a signed response names where it goes.
		return nil, errors.New("the signed response has no Destination")
	case a.ID == "":
		return nil, errors.New("the assertion has no ID")
	case a.Subject == nil || a.Subject.NameID == nil || a.Subject.NameID.Value == "":
		return nil, errors.New("the assertion has no NameID")
	case a.Subject.SubjectConfirmation == nil || a.Subject.SubjectConfirmation.SubjectConfirmationData == nil:
		return nil, errors.New("the assertion has no SubjectConfirmationData")
	}
	if err := s.checkWindow(a.Conditions, now); err != nil {
		return nil, err
	}
	if err := s.checkAudience(p, a.Conditions); err != nil {
		return nil, err
	}
	// gosaml2 does not look at InResponseTo: without this check a
	// response to another request, or an unsolicited one, would do.
	scd := a.Subject.SubjectConfirmation.SubjectConfirmationData
	if req.RequestID == "" || scd.InResponseTo != req.RequestID {
		return nil, fmt.Errorf("the assertion answers request %q, not %q (unsolicited or for another sign-in)", scd.InResponseTo, req.RequestID)
	}
	if resp.InResponseTo != "" && resp.InResponseTo != req.RequestID {
		return nil, fmt.Errorf("the response answers request %q, not %q", resp.InResponseTo, req.RequestID)
	}
	return a, nil
}

// checkWindow applies the skew on both ends of the assertion's
// validity; gosaml2 only reports it, without slack.
func (s *Protocol) checkWindow(c *types.Conditions, now time.Time) error {
	if c == nil {
		return errors.New("the assertion has no Conditions")
	}
	nb, err := time.Parse(time.RFC3339, c.NotBefore)
	if err != nil {
		return fmt.Errorf("the assertion's NotBefore %q: %w", c.NotBefore, err)
	}
	na, err := time.Parse(time.RFC3339, c.NotOnOrAfter)
	if err != nil {
		return fmt.Errorf("the assertion's NotOnOrAfter %q: %w", c.NotOnOrAfter, err)
	}
	if now.Add(s.opts.ClockSkew).Before(nb) {
		return fmt.Errorf("the assertion is not valid before %s (now %s)", c.NotBefore, now.Format(time.RFC3339))
	}
	if !now.Add(-s.opts.ClockSkew).Before(na) {
		return fmt.Errorf("the assertion expired at %s (now %s)", c.NotOnOrAfter, now.Format(time.RFC3339))
	}
	return nil
}

// checkAudience requires an audience restriction naming us: gosaml2
// accepts an assertion with none, which any service provider of the
// partner could replay here.
func (s *Protocol) checkAudience(p *core.IdentityProvider, c *types.Conditions) error {
	want := s.EntityID(p.TenantID)
	if len(c.AudienceRestrictions) == 0 {
		return errors.New("the assertion has no audience restriction")
	}
	for _, r := range c.AudienceRestrictions {
		ok := false
		for _, aud := range r.Audiences {
			ok = ok || aud.Value == want
		}
		if !ok {
			return fmt.Errorf("the assertion is not meant for %s", want)
		}
	}
	return nil
}

// result is who the verified assertion names.
func result(p *core.IdentityProvider, a *types.Assertion) (core.FederationResult, error) {
	vals := saml2.Values{}
	if a.AttributeStatement != nil {
		for _, attr := range a.AttributeStatement.Attributes {
			vals[attr.Name] = attr
		}
	}
	id := a.Subject.NameID
	res := core.FederationResult{Issuer: p.SAML.IssuerURI, Subject: id.Value}
	if _, err := core.ParseAddress(id.Value); err == nil {
		res.Email = id.Value
	} else if id.Format == nameIDEmail {
		return core.FederationResult{}, fmt.Errorf("the emailAddress NameID %q is not an address", id.Value)
	}
	for _, name := range emailAttributes {
		if res.Email != "" {
			break
		}
		if v := strings.TrimSpace(vals.Get(name)); v != "" {
			if _, err := core.ParseAddress(v); err == nil {
				res.Email = v
			}
		}
	}
	if res.Email == "" {
		return core.FederationResult{}, errors.New("the assertion carries no email address (NameID or email, mail, emailaddress claim)")
	}
	for _, name := range nameAttributes {
		if v := strings.TrimSpace(vals.Get(name)); v != "" {
			res.DisplayName = v
			break
		}
	}
	return res, nil
}

// trustedCerts are the certificates the partner's signatures must verify
// with: the pinned one, else those of its last good metadata.
func trustedCerts(p *core.IdentityProvider) ([]*x509.Certificate, error) {
	if p.SAML.SigningCertificate != "" {
		c, err := parseCert(p.SAML.SigningCertificate)
		if err != nil {
			return nil, fmt.Errorf("the pinned signing certificate: %w", err)
		}
		return []*x509.Certificate{c}, nil
	}
	if len(p.Metadata.Document) == 0 {
		return nil, errors.New("the provider has no signing certificate and no metadata")
	}
	_, _, certs, err := ParseMetadata(p.Metadata.Document)
	if err != nil {
		return nil, fmt.Errorf("the provider's metadata: %w", err)
	}
	return certs, nil
}

// refuseSHA1 refuses a document in which any signature uses SHA-1.
// goxmldsig accepts SHA-1 and does not say which algorithm it verified,
// so every signature is looked at; this only ever refuses, so reading
// the unverified document cannot let anything in.
func refuseSHA1(raw []byte) error {
	d := xml.NewDecoder(bytes.NewReader(raw))
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("the SAMLResponse is not XML: %w", err)
		}
		el, ok := tok.(xml.StartElement)
		if !ok || el.Name.Space != dsigNS || (el.Name.Local != "SignatureMethod" && el.Name.Local != "DigestMethod") {
			continue
		}
		for _, at := range el.Attr {
			if at.Name.Local == "Algorithm" && strings.HasSuffix(strings.ToLower(at.Value), "sha1") {
				return fmt.Errorf("the response is signed with SHA-1 (%s), which this provider is not allowed", at.Value)
			}
		}
	}
}

// claimedStatus is the status code the response claims, read unverified:
// it only tells a refusal from a forgery once verification has failed,
// and a response that fails either way is not taken.
func claimedStatus(raw []byte) string {
	var r struct {
		Status struct {
			StatusCode struct {
				Value string `xml:"Value,attr"`
			} `xml:"urn:oasis:names:tc:SAML:2.0:protocol StatusCode"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:protocol Status"`
	}
	if xml.Unmarshal(raw, &r) != nil {
		return ""
	}
	return r.Status.StatusCode.Value
}
