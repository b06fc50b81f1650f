package saml

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/http"
	"time"

	"github.com/russellhaering/gosaml2/types"
	dsigtypes "github.com/russellhaering/goxmldsig/types"

	"guestlist/internal/core"
)

const (
	bindingPost       = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
	protocolNamespace = "urn:oasis:names:tc:SAML:2.0:protocol"
	// metadataValidity is how long a partner may rely on a copy of our
	// metadata; the key does not change, so it is generous.
	metadataValidity = 7 * 24 * time.Hour
)

// Routes serves each tenant's service provider metadata at its entity
// id, for partners to register us from. resolve finds a tenant by the
// reference in the path.
func (s *Protocol) Routes(mux *http.ServeMux, resolve func(ctx context.Context, name string) (*core.Tenant, error)) {
	mux.HandleFunc("GET /{tenant}/saml/metadata", func(w http.ResponseWriter, r *http.Request) {
		t, err := resolve(r.Context(), r.PathValue("tenant"))
		if errors.Is(err, core.ErrNotFound) {
			http.NotFound(w, r)
			return
		} else if err != nil {
			http.Error(w, "the tenant could not be read", http.StatusInternalServerError)
			return
		}
		doc, err := s.Metadata(r.Context(), t.ID)
		if err != nil {
			http.Error(w, "the service provider key could not be read", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/samlmetadata+xml")
		w.Write(doc)
	})
}

// Metadata is the tenant's service provider metadata: entity id, the
// assertion consumer service (HTTP-POST), the certificate our
// AuthnRequests are signed with, and that we want an email NameID.
func (s *Protocol) Metadata(ctx context.Context, tenantID string) ([]byte, error) {
	key, err := s.spKey(ctx)
	if err != nil {
		return nil, err
	}
	ed := types.EntityDescriptor{
		ValidUntil: s.now().Add(metadataValidity).UTC().Truncate(time.Second),
		EntityID:   s.EntityID(tenantID),
		SPSSODescriptor: &types.SPSSODescriptor{
			AuthnRequestsSigned:        true,
			WantAssertionsSigned:       true,
			ProtocolSupportEnumeration: protocolNamespace,
			KeyDescriptors: []types.KeyDescriptor{{
				Use: "signing",
				KeyInfo: dsigtypes.KeyInfo{X509Data: dsigtypes.X509Data{X509Certificates: []dsigtypes.X509Certificate{
					{Data: base64.StdEncoding.EncodeToString(key.cert.Raw)},
				}}},
			}},
			NameIDFormats: []string{nameIDEmail},
			AssertionConsumerServices: []types.IndexedEndpoint{
				{Binding: bindingPost, Location: s.ACSURL(tenantID), Index: 0},
			},
		},
	}
	out, err := xml.MarshalIndent(ed, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), out...), nil
}
