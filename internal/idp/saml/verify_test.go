package saml_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	crewsaml "github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"guestlist/internal/core"
	"guestlist/internal/idp/federation"
	"guestlist/internal/idp/saml"
)

// wantProblem fails unless err is a *federation.Error of problem p.
func wantProblem(t *testing.T, err error, p federation.Problem) {
	t.Helper()
	var fe *federation.Error
	if !errors.As(err, &fe) || fe.Problem != p {
		t.Fatalf("err = %v, want a federation error %q", err, p)
	}
}

// refused runs a sign-in whose answer the partner shapes with a, and
// requires it to be refused as Invalid.
func refused(t *testing.T, f *fixture, a answer) error {
	t.Helper()
	req, u := f.begin()
	res, err := f.verify(f.proto, req, f.respond(u, a))
	if err == nil {
		t.Fatalf("accepted: %+v", res)
	}
	wantProblem(t, err, federation.Invalid)
	t.Log(err)
	return err
}

func TestSAMLSignIn(t *testing.T) {
	f := newFixture(t, nil)
	req, u := f.begin()
	q, _ := url.Parse(u)
	for _, k := range []string{"SAMLRequest", "SigAlg", "Signature"} {
		if q.Query().Get(k) == "" {
			t.Errorf("the redirect has no %s: %s", k, u)
		}
	}
	if q.Query().Get("RelayState") != "relay-state" || !strings.HasPrefix(u, f.srv.URL+"/sso?") || req.RequestID == "" {
		t.Fatalf("redirect %s, request id %q", u, req.RequestID)
	}
	res, err := f.verify(f.proto, req, f.respond(u, answer{}))
	if err != nil {
		t.Fatal(err)
	}
	want := core.FederationResult{Issuer: f.srv.URL + "/metadata", Subject: guestEmail, Email: guestEmail, DisplayName: "Ann Partner"}
	if res != want {
		t.Fatalf("result %+v, want %+v", res, want)
	}
	if f.provider.SAML.IssuerURI != want.Issuer {
		t.Fatalf("Check took issuer %q from the metadata, want %q", f.provider.SAML.IssuerURI, want.Issuer)
	}
}

func TestSAMLEmailFromClaim(t *testing.T) {
	f := newFixture(t, nil)
	req, u := f.begin()
	res, err := f.verify(f.proto, req, f.respond(u, answer{session: func(s *crewsaml.Session) {
		s.NameID, s.NameIDFormat = "opaque-123", "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
		s.CustomAttributes = append(s.CustomAttributes, crewsaml.Attribute{
			Name:   "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
			Values: []crewsaml.AttributeValue{{Type: "xs:string", Value: guestEmail}}})
	}}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Subject != "opaque-123" || res.Email != guestEmail {
		t.Fatalf("result %+v", res)
	}
}

func TestSAMLNoEmailRefused(t *testing.T) {
	refused(t, newFixture(t, nil), answer{session: func(s *crewsaml.Session) {
		s.NameID, s.NameIDFormat = "opaque-123", "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
	}})
}

func TestSAMLUnsignedRefused(t *testing.T) {
	refused(t, newFixture(t, nil), answer{unsignedAssertion: true, unsignedResponse: true})
}

func TestSAMLSignedAssertionOnly(t *testing.T) {
	f := newFixture(t, nil)
	req, u := f.begin()
	if _, err := f.verify(f.proto, req, f.respond(u, answer{unsignedResponse: true})); err != nil {
		t.Fatalf("a signed assertion in an unsigned response: %v", err)
	}
}

func TestSAMLRequireResponseSignature(t *testing.T) {
	f := newFixture(t, func(c *core.SAMLConfig) { c.RequireResponseSign = true })
	refused(t, f, answer{unsignedResponse: true})
}

func TestSAMLOtherKeyRefused(t *testing.T) {
	refused(t, newFixture(t, nil), answer{key: newKey(t)})
}

func TestSAMLExpiredRefused(t *testing.T) {
	f := newFixture(t, nil)
	req, u := f.begin()
	resp := f.respond(u, answer{})
	// crewjam's assertions last MaxIssueDelay; the skew is 2 minutes.
	f.clock.Add(crewsaml.MaxIssueDelay + 2*time.Minute + time.Second)
	_, err := f.verify(f.proto, req, resp)
	wantProblem(t, err, federation.Invalid)
}

func TestSAMLWithinSkewAccepted(t *testing.T) {
	f := newFixture(t, nil)
	req, u := f.begin()
	resp := f.respond(u, answer{})
	f.clock.Add(crewsaml.MaxIssueDelay + time.Minute)
	if _, err := f.verify(f.proto, req, resp); err != nil {
		t.Fatalf("a minute past NotOnOrAfter, within the skew: %v", err)
	}
}

func TestSAMLNotYetValidRefused(t *testing.T) {
	f := newFixture(t, nil)
	req, u := f.begin()
	resp := f.respond(u, answer{})
	// The assertion's NotBefore is the request's IssueInstant (now).
	f.clock.Add(-(2*time.Minute + time.Second))
	_, err := f.verify(f.proto, req, resp)
	wantProblem(t, err, federation.Invalid)
	if !strings.Contains(err.Error(), "not valid before") {
		t.Fatalf("err = %v", err)
	}
}

func TestSAMLReplayRefused(t *testing.T) {
	f := newFixture(t, nil)
	req, u := f.begin()
	resp := f.respond(u, answer{})
	if _, err := f.verify(f.proto, req, resp); err != nil {
		t.Fatal(err)
	}
	_, err := f.verify(f.proto, req, resp)
	wantProblem(t, err, federation.Invalid)
	if !strings.Contains(err.Error(), "replayed") {
		t.Fatalf("err = %v", err)
	}
	// Another process of the deployment, on the same database.
	other := saml.New(f.st, baseURL, f.clock.Now, saml.Options{AllowInsecureHTTP: true})
	_, err = f.verify(other, req, resp)
	wantProblem(t, err, federation.Invalid)
	if !strings.Contains(err.Error(), "replayed") {
		t.Fatalf("second process: err = %v", err)
	}
}

func TestSAMLWrongAudienceRefused(t *testing.T) {
	refused(t, newFixture(t, nil), answer{assertion: func(a *crewsaml.Assertion) {
		a.Conditions.AudienceRestrictions[0].Audience.Value = "https://other-sp.example/metadata"
	}})
}

func TestSAMLNoAudienceRefused(t *testing.T) {
	refused(t, newFixture(t, nil), answer{assertion: func(a *crewsaml.Assertion) {
		a.Conditions.AudienceRestrictions = nil
	}})
}

func TestSAMLWrongRecipientRefused(t *testing.T) {
	refused(t, newFixture(t, nil), answer{assertion: func(a *crewsaml.Assertion) {
		a.Subject.SubjectConfirmations[0].SubjectConfirmationData.Recipient = "https://other-sp.example/acs"
	}})
}

func TestSAMLWrongDestinationRefused(t *testing.T) {
	refused(t, newFixture(t, nil), answer{response: func(r *crewsaml.Response) {
		r.Destination = "https://other-sp.example/acs"
	}})
}

func TestSAMLSignedResponseWithoutDestinationRefused(t *testing.T) {
	refused(t, newFixture(t, nil), answer{response: func(r *crewsaml.Response) { r.Destination = "" }})
}

func TestSAMLUnsolicitedRefused(t *testing.T) {
	for name, id := range map[string]string{"none": "", "another request": "_another-request"} {
		t.Run(name, func(t *testing.T) {
			err := refused(t, newFixture(t, nil), answer{
				assertion: func(a *crewsaml.Assertion) {
					a.Subject.SubjectConfirmations[0].SubjectConfirmationData.InResponseTo = id
				},
				response: func(r *crewsaml.Response) { r.InResponseTo = id },
			})
			if !strings.Contains(err.Error(), "unsolicited") {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestSAMLWrongIssuerRefused(t *testing.T) {
	f := newFixture(t, nil)
	refused(t, f, answer{
		assertion: func(a *crewsaml.Assertion) { a.Issuer.Value = "https://evil.example/idp" },
		response:  func(r *crewsaml.Response) { r.Issuer.Value = "https://evil.example/idp" },
	})
}

// TestSAMLSignatureWrapping injects an unsigned assertion for another
// address next to, or around, the partner's signed one: the result must
// never be the injected address.
func TestSAMLSignatureWrapping(t *testing.T) {
	const evil = "mallory@partner.example"
	forge := func(signed *etree.Element) *etree.Element {
		e := signed.Copy()
		for _, sig := range e.SelectElements("Signature") {
			e.RemoveChild(sig)
		}
		e.CreateAttr("ID", "id-evil")
		e.FindElement("./Subject/NameID").SetText(evil)
		return e
	}
	cases := map[string]answer{
		"beside the signed assertion, unsigned response": {unsignedResponse: true, tamper: func(r *etree.Element) {
			signed := r.SelectElement("Assertion")
			r.InsertChildAt(signed.Index(), forge(signed))
		}},
		"inside a signed response": {tamper: func(r *etree.Element) {
			signed := r.SelectElement("Assertion")
			r.InsertChildAt(signed.Index(), forge(signed))
		}},
		"wrapping the signed assertion": {unsignedResponse: true, tamper: func(r *etree.Element) {
			signed := r.SelectElement("Assertion")
			e := forge(signed)
			r.RemoveChild(signed)
			e.CreateElement("saml:Advice").AddChild(signed)
			r.AddChild(e)
		}},
		"signed assertion moved into the response's extensions": {unsignedResponse: true, tamper: func(r *etree.Element) {
			signed := r.SelectElement("Assertion")
			e := forge(signed)
			r.RemoveChild(signed)
			r.CreateElement("samlp:Extensions").AddChild(signed)
			r.AddChild(e)
		}},
	}
	for name, a := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, nil)
			req, u := f.begin()
			res, err := f.verify(f.proto, req, f.respond(u, a))
			if err == nil && res.Email != guestEmail {
				t.Fatalf("the injected assertion was taken: %+v", res)
			}
			if err != nil {
				wantProblem(t, err, federation.Invalid)
				t.Log(err)
			}
		})
	}
}

func TestSAMLSHA1(t *testing.T) {
	t.Run("refused by default", func(t *testing.T) {
		err := refused(t, newFixture(t, nil), answer{sigMethod: dsig.RSASHA1SignatureMethod})
		if !strings.Contains(err.Error(), "SHA-1") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("accepted when allowed", func(t *testing.T) {
		f := newFixture(t, func(c *core.SAMLConfig) { c.AllowSHA1 = true })
		req, u := f.begin()
		if _, err := f.verify(f.proto, req, f.respond(u, answer{sigMethod: dsig.RSASHA1SignatureMethod})); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSAMLStatusNotSuccessRefused(t *testing.T) {
	f := newFixture(t, nil)
	req, u := f.begin()
	_, err := f.verify(f.proto, req, f.respond(u, answer{noAssertion: true, response: func(r *crewsaml.Response) {
		r.Status.StatusCode = crewsaml.StatusCode{Value: "urn:oasis:names:tc:SAML:2.0:status:Responder",
			StatusCode: &crewsaml.StatusCode{Value: "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"}}
	}}))
	wantProblem(t, err, federation.Refused)
}

func TestSAMLPinnedCertificate(t *testing.T) {
	other := selfSigned(t, newKey(t))
	f := newFixture(t, nil)
	// The administrator pinned a certificate the partner does not sign
	// with: the one in the metadata no longer counts.
	f.provider.SAML.SigningCertificate = encodeCert(other)
	if err := f.st.UpdateIdentityProvider(t.Context(), f.provider); err != nil {
		t.Fatal(err)
	}
	refused(t, f, answer{})
}
