package server_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"testing"

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
