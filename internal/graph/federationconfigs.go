package graph

import (
	"net/http"
	"slices"
	"strings"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/providers"
)

// A tenant's SAML 2.0 partners, Graph's samlOrWsFedExternalDomainFederation
// under /directory/federationConfigurations (SPEC R10 step 2, R41).
// Graph casts the collection as graph.… in some documented paths and
// microsoft.graph.… in others; both are served.

// samlFederationRequest is the body of POST and PATCH: absent properties
// are left as they are on PATCH.
type samlFederationRequest struct {
	Type                            *string                  `json:"@odata.type"`
	DisplayName                     *string                  `json:"displayName"`
	IssuerURI                       *string                  `json:"issuerUri"`
	MetadataExchangeURI             *string                  `json:"metadataExchangeUri"`
	PassiveSignInURI                *string                  `json:"passiveSignInUri"`
	PreferredAuthenticationProtocol *string                  `json:"preferredAuthenticationProtocol"`
	SigningCertificate              *string                  `json:"signingCertificate"`
	Domains                         *[]externalDomainRequest `json:"domains"`
	RequireResponseSignature        *bool                    `json:"requireResponseSignature"`
	AllowSHA1                       *bool                    `json:"allowSha1"`
}

type externalDomainRequest struct {
	Type *string `json:"@odata.type"`
	ID   string  `json:"id"`
}

func checkType(got *string, want string) error {
	if got != nil && odataType(*got) != want {
		return core.Invalidf("@odata.type %q is not %s", *got, want)
	}
	return nil
}

// apply merges the request into p.
func (req *samlFederationRequest) apply(p *core.IdentityProvider) error {
	if err := checkType(req.Type, typeSAMLFederation); err != nil {
		return err
	}
	set(&p.DisplayName, req.DisplayName)
	c := &p.SAML
	set(&c.IssuerURI, req.IssuerURI)
	set(&c.MetadataURL, req.MetadataExchangeURI)
	set(&c.PassiveSignInURI, req.PassiveSignInURI)
	set(&c.PreferredProtocol, req.PreferredAuthenticationProtocol)
	set(&c.SigningCertificate, req.SigningCertificate)
	if req.RequireResponseSignature != nil {
		c.RequireResponseSign = *req.RequireResponseSignature
	}
	if req.AllowSHA1 != nil {
		c.AllowSHA1 = *req.AllowSHA1
	}
	if req.Domains != nil {
		p.Domains = p.Domains[:0]
		for _, d := range *req.Domains {
			if err := checkType(d.Type, typeExternalDomain); err != nil {
				return err
			}
			p.Domains = append(p.Domains, d.ID)
		}
	}
	return nil
}

// domainFilter reads $filter=domains/any(x: x/id eq 'name'), the only
// filter of SAML federations: the domain normalised, or "" without a
// filter.
func domainFilter(f string) (string, error) {
	if f == "" {
		return "", nil
	}
	n, err := parseFilterExpr(f)
	if err != nil {
		return "", err
	}
	bad := unsupported("SAML federations are filtered by domain only: domains/any(x: x/id eq 'partner.example')")
	an, ok := n.(anyNode)
	if !ok || !strings.EqualFold(an.coll, "domains") {
		return "", bad
	}
	c, ok := an.body.(compareNode)
	if prop, found := strings.CutPrefix(c.prop, an.v+"/"); !ok || !found || !strings.EqualFold(prop, "id") || c.op != "eq" || c.val.kind != litString {
		return "", bad
	}
	d, err := core.DomainName(c.val.s)
	if err != nil {
		return "", err
	}
	return d, nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

func (a *API) writeSAMLFederation(w http.ResponseWriter, r *http.Request, status int, p *core.IdentityProvider) error {
	out := a.toSAMLFederation(p)
	out.Context = a.context(r, "directory/federationConfigurations/$entity")
	platform.WriteJSON(w, status, out)
	return nil
}

func (a *API) createSAMLFederation(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var req samlFederationRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	p := core.IdentityProvider{Kind: core.ProviderSAML}
	if err := req.apply(&p); err != nil {
		return err
	}
	created, err := a.providers.Create(r.Context(), t, p, "")
	if err != nil {
		return err
	}
	return a.writeSAMLFederation(w, r, http.StatusCreated, created)
}

// listSAMLFederations lists the tenant's SAML federations; Graph's
// documented $filter=domains/any(x: x/id eq 'contoso.com') picks the one
// serving a domain.
func (a *API) listSAMLFederations(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	domain, err := domainFilter(r.URL.Query().Get("$filter"))
	if err != nil {
		return err
	}
	list, err := a.providers.List(r.Context(), t.ID, core.ProviderSAML)
	if err != nil {
		return err
	}
	out := make([]samlFederationJSON, 0, len(list))
	for i := range list {
		if domain == "" || slices.Contains(list[i].Domains, domain) {
			out = append(out, a.toSAMLFederation(&list[i]))
		}
	}
	a.writeCollection(w, r, "directory/federationConfigurations/graph.samlOrWsFedExternalDomainFederation", "", out)
	return nil
}

func (a *API) getSAMLFederation(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	p, err := a.providers.Get(r.Context(), t.ID, r.PathValue("id"), core.ProviderSAML)
	if err != nil {
		return err
	}
	return a.writeSAMLFederation(w, r, http.StatusOK, p)
}

// patchSAMLFederation answers 204 like Graph.
func (a *API) patchSAMLFederation(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var req samlFederationRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if _, err := a.providers.Update(r.Context(), t, r.PathValue("id"), providers.Patch{Apply: req.apply}, core.ProviderSAML); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) deleteSAMLFederation(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	if err := a.providers.Delete(r.Context(), t.ID, r.PathValue("id"), core.ProviderSAML); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listSAMLFederationDomains(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	p, err := a.providers.Get(r.Context(), t.ID, r.PathValue("id"), core.ProviderSAML)
	if err != nil {
		return err
	}
	a.writeCollection(w, r, "directory/federationConfigurations('"+p.ID+"')/microsoft.graph.samlOrWsFedExternalDomainFederation/domains", "",
		a.toSAMLFederation(p).Domains)
	return nil
}

func (a *API) addSAMLFederationDomain(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var req externalDomainRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if err := checkType(req.Type, typeExternalDomain); err != nil {
		return err
	}
	if req.ID == "" {
		return core.Invalidf("id (the domain name) is required")
	}
	id := r.PathValue("id")
	d, err := a.providers.AddDomain(r.Context(), t, id, req.ID, core.ProviderSAML)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusCreated, struct {
		Context string `json:"@odata.context"`
		externalDomainJSON
	}{a.context(r, "directory/federationConfigurations('"+id+"')/microsoft.graph.samlOrWsFedExternalDomainFederation/domains/$entity"),
		externalDomainJSON{Type: typeExternalDomain, ID: d}})
	return nil
}

func (a *API) removeSAMLFederationDomain(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	if err := a.providers.RemoveDomain(r.Context(), t, r.PathValue("id"), r.PathValue("domainId"), core.ProviderSAML); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// samlFederationRoutes are the routes of SAML federations, under both
// casts of the collection.
func (a *API) samlFederationRoutes() []route {
	var out []route
	for _, cast := range []string{"graph", "microsoft.graph"} {
		base := "/directory/federationConfigurations/" + cast + ".samlOrWsFedExternalDomainFederation"
		out = append(out,
			route{"POST", base, requires(a.createSAMLFederation, idpReadWrite, domainReadWrite)},
			route{"GET", base, requires(a.listSAMLFederations, idpRead, idpReadWrite, domainRead, domainReadWrite)},
			route{"GET", base + "/{id}", requires(a.getSAMLFederation, idpRead, idpReadWrite, domainRead, domainReadWrite)},
			route{"PATCH", base + "/{id}", requires(a.patchSAMLFederation, idpReadWrite, domainReadWrite)},
			route{"DELETE", base + "/{id}", requires(a.deleteSAMLFederation, idpReadWrite, domainReadWrite)},
			route{"GET", base + "/{id}/domains", requires(a.listSAMLFederationDomains, idpRead, idpReadWrite, domainRead, domainReadWrite)},
			route{"POST", base + "/{id}/domains", requires(a.addSAMLFederationDomain, idpReadWrite, domainReadWrite)},
			route{"DELETE", base + "/{id}/domains/{domainId}", requires(a.removeSAMLFederationDomain, idpReadWrite, domainReadWrite)},
		)
	}
	return out
}
