package server_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"guestlist/internal/servertest"
)

// Identity providers through the admin API (SPEC R10 steps 2 and 3, R41):
// SAML federations under /directory/federationConfigurations, OpenID
// Connect partners and Google under /identity/identityProviders.

const (
	samlPath = "/v1.0/directory/federationConfigurations/graph.samlOrWsFedExternalDomainFederation"
	idpPath  = "/v1.0/identity/identityProviders"
)

type externalDomain struct {
	Type string `json:"@odata.type"`
	ID   string `json:"id"`
}

type samlFederation struct {
	Context                         string           `json:"@odata.context"`
	Type                            string           `json:"@odata.type"`
	ID                              string           `json:"id"`
	DisplayName                     string           `json:"displayName"`
	IssuerURI                       *string          `json:"issuerUri"`
	MetadataExchangeURI             *string          `json:"metadataExchangeUri"`
	PassiveSignInURI                *string          `json:"passiveSignInUri"`
	PreferredAuthenticationProtocol string           `json:"preferredAuthenticationProtocol"`
	SigningCertificate              *string          `json:"signingCertificate"`
	Domains                         []externalDomain `json:"domains"`
	ServiceProvider                 struct {
		EntityID                    string `json:"entityId"`
		AssertionConsumerServiceURL string `json:"assertionConsumerServiceUrl"`
		MetadataURL                 string `json:"metadataUrl"`
	} `json:"serviceProvider"`
	MetadataStatus struct {
		LastFetchedDateTime *string `json:"lastFetchedDateTime"`
		LastCheckedDateTime *string `json:"lastCheckedDateTime"`
		LastError           *string `json:"lastError"`
	} `json:"metadataStatus"`
}

type oidcProvider struct {
	Context       string  `json:"@odata.context"`
	Type          string  `json:"@odata.type"`
	ID            string  `json:"id"`
	DisplayName   string  `json:"displayName"`
	ClientID      string  `json:"clientId"`
	ClientSecret  string  `json:"clientSecret"`
	MetadataURL   *string `json:"metadataUrl"`
	Issuer        *string `json:"issuer"`
	Scope         string  `json:"scope"`
	ResponseType  string  `json:"responseType"`
	ClaimsMapping struct {
		UserID string `json:"userId"`
		Email  string `json:"email"`
	} `json:"claimsMapping"`
	Domains              []string `json:"domains"`
	RedirectURI          string   `json:"redirectUri"`
	IdentityProviderType string   `json:"identityProviderType"`
}

// providerList is a collection of either shape, read by @odata.type.
type providerList struct {
	Value []struct {
		Type        string `json:"@odata.type"`
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
	} `json:"value"`
}

func partnerSAML(domains ...string) map[string]any {
	ds := []map[string]string{}
	for _, d := range domains {
		ds = append(ds, map[string]string{"@odata.type": "microsoft.graph.externalDomainName", "id": d})
	}
	return map[string]any{
		"@odata.type": "microsoft.graph.samlOrWsFedExternalDomainFederation", "displayName": "Contoso SAML",
		"issuerUri": "https://idp.contoso.example/saml", "metadataExchangeUri": "https://idp.contoso.example/metadata",
		"preferredAuthenticationProtocol": "saml", "domains": ds,
	}
}

func partnerOIDC(domains ...string) map[string]any {
	return map[string]any{
		"@odata.type": "#microsoft.graph.openIdConnectIdentityProvider", "displayName": "Tailspin",
		"clientId": "guestlist-at-tailspin", "clientSecret": "s3cret-value", "issuer": "https://login.tailspin.example",
		"domains": domains,
	}
}

func google() map[string]any {
	return map[string]any{"@odata.type": "microsoft.graph.socialIdentityProvider", "displayName": "Google",
		"identityProviderType": "Google", "clientId": "123.apps.googleusercontent.com", "clientSecret": "g-secret"}
}

func createSAML(t *testing.T, s *servertest.Server, tn servertest.Tenant, body map[string]any) samlFederation {
	t.Helper()
	var f samlFederation
	if status := s.DoJSON(t, "POST", samlPath, tn.Token, body, &f); status != http.StatusCreated {
		t.Fatalf("POST SAML federation: %d %+v", status, f)
	}
	return f
}

func createIDP(t *testing.T, s *servertest.Server, tn servertest.Tenant, body map[string]any) oidcProvider {
	t.Helper()
	var p oidcProvider
	if status := s.DoJSON(t, "POST", idpPath, tn.Token, body, &p); status != http.StatusCreated {
		t.Fatalf("POST identity provider: %d %+v", status, p)
	}
	return p
}

func domainIDs(ds []externalDomain) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

// TestSAMLFederationLifecycle: a SAML partner is created with its domains
// (normalised), read with what the partner's IdP needs, patched field by
// field, given and relieved of domains, listed among the identity
// providers, and deleted; each change is in the audit log.
func TestSAMLFederationLifecycle(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	f := createSAML(t, s, tn, partnerSAML("Contoso.Example", "bücher.example"))
	if f.Type != "#microsoft.graph.samlOrWsFedExternalDomainFederation" || f.ID == "" || f.DisplayName != "Contoso SAML" ||
		f.PreferredAuthenticationProtocol != "saml" || !strings.HasSuffix(f.Context, "/v1.0/$metadata#directory/federationConfigurations/$entity") {
		t.Fatalf("created: %+v", f)
	}
	if got := domainIDs(f.Domains); !slices.Equal(got, []string{"contoso.example", "xn--bcher-kva.example"}) || f.Domains[0].Type != "#microsoft.graph.externalDomainName" {
		t.Errorf("domains = %+v", f.Domains)
	}
	base := s.URL + "/" + tn.ID + "/saml/"
	if f.ServiceProvider.EntityID != base+"metadata" || f.ServiceProvider.AssertionConsumerServiceURL != base+"acs" ||
		f.ServiceProvider.MetadataURL != base+"metadata" || f.MetadataStatus.LastFetchedDateTime != nil {
		t.Errorf("serviceProvider %+v, metadataStatus %+v", f.ServiceProvider, f.MetadataStatus)
	}

	// PATCH changes only what it names.
	if status := s.DoJSON(t, "PATCH", samlPath+"/"+f.ID, tn.Token, map[string]any{"displayName": "Contoso"}, nil); status != http.StatusNoContent {
		t.Fatalf("PATCH: %d", status)
	}
	var got samlFederation
	if status := s.DoJSON(t, "GET", samlPath+"/"+f.ID, tn.Token, nil, &got); status != http.StatusOK ||
		got.DisplayName != "Contoso" || got.IssuerURI == nil || *got.IssuerURI != "https://idp.contoso.example/saml" || len(got.Domains) != 2 {
		t.Fatalf("after PATCH: %d %+v", status, got)
	}

	// Domains one at a time.
	var added externalDomain
	if status := s.DoJSON(t, "POST", samlPath+"/"+f.ID+"/domains", tn.Token,
		map[string]string{"@odata.type": "microsoft.graph.externalDomainName", "id": "contoso.example.net"}, &added); status != http.StatusCreated || added.ID != "contoso.example.net" {
		t.Fatalf("POST domain: %d %+v", status, added)
	}
	if status := s.DoJSON(t, "DELETE", samlPath+"/"+f.ID+"/domains/contoso.example", tn.Token, nil, nil); status != http.StatusNoContent {
		t.Fatalf("DELETE domain: %d", status)
	}
	var ds struct {
		Value []externalDomain `json:"value"`
	}
	if status := s.DoJSON(t, "GET", samlPath+"/"+f.ID+"/domains", tn.Token, nil, &ds); status != http.StatusOK ||
		!slices.Equal(domainIDs(ds.Value), []string{"contoso.example.net", "xn--bcher-kva.example"}) {
		t.Fatalf("GET domains: %d %+v", status, ds)
	}

	// Graph's way to find the federation of a domain.
	var found struct {
		Value []samlFederation `json:"value"`
	}
	q := "?$filter=" + url.QueryEscape("domains/any(x: x/id eq 'Contoso.Example.NET')")
	if status := s.DoJSON(t, "GET", samlPath+q, tn.Token, nil, &found); status != http.StatusOK || len(found.Value) != 1 || found.Value[0].ID != f.ID {
		t.Errorf("filter by domain: %d %+v", status, found)
	}
	q = "?$filter=" + url.QueryEscape("domains/any(x: x/id eq 'elsewhere.example')")
	if status := s.DoJSON(t, "GET", samlPath+q, tn.Token, nil, &found); status != http.StatusOK || len(found.Value) != 0 {
		t.Errorf("filter by another domain: %d %+v", status, found)
	}
	wantGraphError(t, call(t, s, "GET", samlPath+"?$filter="+url.QueryEscape("displayName eq 'x'"), tn.Token, "", nil), http.StatusBadRequest, "")

	var list providerList
	if status := s.DoJSON(t, "GET", idpPath, tn.Token, nil, &list); status != http.StatusOK || len(list.Value) != 1 ||
		list.Value[0].Type != "#microsoft.graph.samlOrWsFedExternalDomainFederation" || list.Value[0].ID != f.ID {
		t.Fatalf("identityProviders: %d %+v", status, list)
	}
	if status := s.DoJSON(t, "DELETE", samlPath+"/"+f.ID, tn.Token, nil, nil); status != http.StatusNoContent {
		t.Fatalf("DELETE: %d", status)
	}
	if status := s.DoJSON(t, "GET", samlPath+"/"+f.ID, tn.Token, nil, nil); status != http.StatusNotFound {
		t.Errorf("GET after DELETE: %d, want 404", status)
	}
	want := []string{"Delete identity provider", "Set federation settings on domain", "Set federation settings on domain",
		"Update identity provider", "Add identity provider"}
	if got := activities(audits(t, s, tn, "")); !slices.Equal(got[:min(len(got), len(want))], want) {
		t.Errorf("audit log = %q, want it to start %q", got, want)
	}
	a := audits(t, s, tn, "")[0]
	if a.InitiatedBy.App == nil || a.InitiatedBy.App.AppID != tn.AppID || len(a.TargetResources) != 1 || a.TargetResources[0].ID != f.ID {
		t.Errorf("delete record: %+v", a)
	}
}

// TestSAMLFederationPinnedCertificate: without metadata, a signing
// certificate and passive sign-in URI are required; the certificate is
// taken as base64 DER.
func TestSAMLFederationPinnedCertificate(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	body := partnerSAML("contoso.example")
	delete(body, "metadataExchangeUri")
	wantGraphError(t, callJSON(t, s, "POST", samlPath, tn.Token, body), http.StatusBadRequest, "Request_BadRequest")
	body["passiveSignInUri"] = "https://idp.contoso.example/sso"
	body["signingCertificate"] = "bm90IGEgY2VydA=="
	wantGraphError(t, callJSON(t, s, "POST", samlPath, tn.Token, body), http.StatusBadRequest, "Request_BadRequest")
	body["signingCertificate"] = selfSignedCert(t)
	f := createSAML(t, s, tn, body)
	if f.SigningCertificate == nil || *f.SigningCertificate != body["signingCertificate"] || f.MetadataExchangeURI != nil {
		t.Errorf("created: %+v", f)
	}
}

func selfSignedCert(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idp.contoso.example"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

// callJSON sends body as JSON and returns the raw answer.
func callJSON(t *testing.T, s *servertest.Server, method, path, token string, body any) response {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return call(t, s, method, path, token, "application/json", strings.NewReader(string(raw)))
}

// TestOIDCProviderLifecycle: an OpenID Connect partner's client secret is
// taken and never shown; defaults are filled in; PATCH keeps what it does
// not name and takes a new secret; the answer names the redirect URI the
// partner registers.
func TestOIDCProviderLifecycle(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	resp := callJSON(t, s, "POST", idpPath, tn.Token, partnerOIDC("tailspin.example"))
	if resp.Status != http.StatusCreated || strings.Contains(string(resp.Body), "s3cret-value") {
		t.Fatalf("POST: %d %s", resp.Status, resp.Body)
	}
	var p oidcProvider
	if err := json.Unmarshal(resp.Body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Type != "#microsoft.graph.openIdConnectIdentityProvider" || p.ClientSecret != "******" || p.ClientID != "guestlist-at-tailspin" ||
		p.ResponseType != "code" || p.ClaimsMapping.Email != "email" || p.ClaimsMapping.UserID != "sub" || !strings.Contains(p.Scope, "openid") ||
		p.RedirectURI != s.URL+"/"+tn.ID+"/federation/callback" || !slices.Equal(p.Domains, []string{"tailspin.example"}) {
		t.Fatalf("created: %+v", p)
	}
	patch := map[string]any{"clientSecret": "rotated-secret", "claimsMapping": map[string]string{"email": "mail"}}
	if status := s.DoJSON(t, "PATCH", idpPath+"/"+p.ID, tn.Token, patch, nil); status != http.StatusNoContent {
		t.Fatalf("PATCH: %d", status)
	}
	got := call(t, s, "GET", idpPath+"/"+p.ID, tn.Token, "", nil)
	var after oidcProvider
	if got.Status != http.StatusOK || json.Unmarshal(got.Body, &after) != nil || strings.Contains(string(got.Body), "rotated-secret") {
		t.Fatalf("GET: %d %s", got.Status, got.Body)
	}
	if after.ClaimsMapping.Email != "mail" || after.ClaimsMapping.UserID != "sub" || after.ClientID != p.ClientID ||
		after.Issuer == nil || *after.Issuer != "https://login.tailspin.example" || after.ClientSecret != "******" {
		t.Errorf("after PATCH: %+v", after)
	}
	for _, a := range audits(t, s, tn, "") {
		if strings.Contains(string(mustJSON(t, a)), "secret") && strings.Contains(string(mustJSON(t, a)), "rotated") {
			t.Errorf("audit record shows the secret: %+v", a)
		}
	}
	if status := s.DoJSON(t, "DELETE", idpPath+"/"+p.ID, tn.Token, nil, nil); status != http.StatusNoContent {
		t.Fatalf("DELETE: %d", status)
	}
	if status := s.DoJSON(t, "GET", idpPath+"/"+p.ID, tn.Token, nil, nil); status != http.StatusNotFound {
		t.Errorf("GET after DELETE: %d", status)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGoogleProvider: Google federation is one per tenant (Graph's id
// Google-OAUTH), its Workspace domains optional.
func TestGoogleProvider(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	g := createIDP(t, s, tn, google())
	if g.Type != "#microsoft.graph.socialIdentityProvider" || g.ID != "Google-OAUTH" || g.IdentityProviderType != "Google" ||
		g.ClientSecret != "******" || len(g.Domains) != 0 {
		t.Fatalf("created: %+v", g)
	}
	wantGraphError(t, callJSON(t, s, "POST", idpPath, tn.Token, google()), http.StatusConflict, "")
	if status := s.DoJSON(t, "PATCH", idpPath+"/Google-OAUTH", tn.Token, map[string]any{"domains": []string{"Workspace.Example"}}, nil); status != http.StatusNoContent {
		t.Fatalf("PATCH: %d", status)
	}
	var got oidcProvider
	if status := s.DoJSON(t, "GET", idpPath+"/Google-OAUTH", tn.Token, nil, &got); status != http.StatusOK || !slices.Equal(got.Domains, []string{"workspace.example"}) {
		t.Errorf("GET: %d %+v", status, got)
	}
	wantGraphError(t, callJSON(t, s, "PATCH", idpPath+"/Google-OAUTH", tn.Token, map[string]any{"domains": []string{"gmail.com"}}), http.StatusBadRequest, "Request_BadRequest")
}

// TestIdentityProviderValidation: what is wrong is a 400 in Graph's shape
// that says what to fix.
func TestIdentityProviderValidation(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	with := func(body map[string]any, k string, v any) map[string]any {
		out := map[string]any{}
		for key, val := range body {
			out[key] = val
		}
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
		return out
	}
	cases := []struct {
		name, path string
		body       map[string]any
		want       string
	}{
		{"SAML without display name", samlPath, with(partnerSAML("contoso.example"), "displayName", nil), "displayName"},
		{"SAML wsFed", samlPath, with(partnerSAML("contoso.example"), "preferredAuthenticationProtocol", "wsFed"), "not supported"},
		{"SAML without issuer or metadata", samlPath, with(with(partnerSAML("contoso.example"), "issuerUri", nil), "metadataExchangeUri", nil), "issuerUri"},
		{"SAML without domains", samlPath, partnerSAML(), "domains"},
		{"SAML bad domain", samlPath, partnerSAML("not a domain"), "domain"},
		{"SAML tenant's own domain", samlPath, partnerSAML("fabrikam.example"), "this tenant"},
		{"SAML gmail", samlPath, partnerSAML("gmail.com"), "Google"},
		{"SAML unknown property", samlPath, with(partnerSAML("contoso.example"), "colour", "blue"), "colour"},
		{"OIDC without client id", idpPath, with(partnerOIDC("tailspin.example"), "clientId", nil), "clientId"},
		{"OIDC without secret", idpPath, with(partnerOIDC("tailspin.example"), "clientSecret", nil), "clientSecret"},
		{"OIDC without issuer", idpPath, with(partnerOIDC("tailspin.example"), "issuer", nil), "issuer"},
		{"OIDC implicit flow", idpPath, with(partnerOIDC("tailspin.example"), "responseType", "id_token"), "responseType"},
		{"OIDC googlemail", idpPath, partnerOIDC("googlemail.com"), "Google"},
		{"unknown type", idpPath, with(partnerOIDC("tailspin.example"), "@odata.type", "#microsoft.graph.appleManagedIdentityProvider"), "not supported"},
		{"no type", idpPath, with(partnerOIDC("tailspin.example"), "@odata.type", nil), "@odata.type"},
		{"social but not Google", idpPath, with(google(), "identityProviderType", "Facebook"), "Google"},
		{"Google without secret", idpPath, with(google(), "clientSecret", nil), "clientSecret"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg := wantGraphError(t, callJSON(t, s, "POST", c.path, tn.Token, c.body), http.StatusBadRequest, "Request_BadRequest")
			if !strings.Contains(msg, c.want) {
				t.Errorf("message %q does not mention %q", msg, c.want)
			}
		})
	}
	var list providerList
	if status := s.DoJSON(t, "GET", idpPath, tn.Token, nil, &list); status != http.StatusOK || len(list.Value) != 0 {
		t.Errorf("after refusals: %d %+v", status, list)
	}
}

// TestIdentityProviderDomainConflict: a domain has one provider in a
// tenant, whatever the providers' kinds (409); another tenant may federate
// the same domain, and cannot see or change this tenant's providers.
func TestIdentityProviderDomainConflict(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	f := createSAML(t, s, tn, partnerSAML("contoso.example"))
	wantGraphError(t, callJSON(t, s, "POST", idpPath, tn.Token, partnerOIDC("other.example", "CONTOSO.example")), http.StatusConflict, "")
	o := createIDP(t, s, tn, partnerOIDC("tailspin.example"))
	wantGraphError(t, callJSON(t, s, "PATCH", idpPath+"/"+o.ID, tn.Token, map[string]any{"domains": []string{"contoso.example"}}), http.StatusConflict, "")
	wantGraphError(t, callJSON(t, s, "POST", samlPath+"/"+f.ID+"/domains", tn.Token, map[string]string{"id": "tailspin.example"}), http.StatusConflict, "")

	other := s.CreateTenant(t, "Woodgrove", "woodgrove.example")
	createSAML(t, s, other, partnerSAML("contoso.example"))
	for _, p := range []string{samlPath + "/" + f.ID, idpPath + "/" + o.ID} {
		wantGraphError(t, call(t, s, "GET", p, other.Token, "", nil), http.StatusNotFound, "")
		wantGraphError(t, callJSON(t, s, "PATCH", p, other.Token, map[string]any{"displayName": "x"}), http.StatusNotFound, "")
		wantGraphError(t, call(t, s, "DELETE", p, other.Token, "", nil), http.StatusNotFound, "")
	}
	// An OpenID partner is not a SAML federation.
	wantGraphError(t, call(t, s, "GET", samlPath+"/"+o.ID, tn.Token, "", nil), http.StatusNotFound, "")
}

// TestIdentityProviderInPreview: the redemption explainer names the
// federation an address's domain matched (R14). No protocol is spoken by
// this build yet, so the step says so.
func TestIdentityProviderInPreview(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	createSAML(t, s, tn, partnerSAML("contoso.example"))
	p := preview(t, s, tn, "rob@contoso.example")
	found := false
	for _, st := range p.Steps {
		if st.Method == "externalFederation" {
			found = true
			if !strings.Contains(st.Reason, "Contoso SAML") {
				t.Errorf("federation step reason %q does not name the provider", st.Reason)
			}
		}
	}
	if !found {
		t.Errorf("no federation step: %+v", p.Steps)
	}
	// Another domain names none.
	for _, st := range preview(t, s, tn, "ann@elsewhere.example").Steps {
		if strings.Contains(st.Reason, "Contoso SAML") {
			t.Errorf("step %s for another domain names the provider: %q", st.Method, st.Reason)
		}
	}
}

// TestSAMLFederationCasts: Graph's documentation spells the collection
// both graph.… and microsoft.graph.…, and Microsoft's examples use beta;
// every spelling reaches the same federation.
func TestSAMLFederationCasts(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	var f samlFederation
	const long = "/beta/directory/federationConfigurations/microsoft.graph.samlOrWsFedExternalDomainFederation"
	if status := s.DoJSON(t, "POST", long, tn.Token, partnerSAML("contoso.example"), &f); status != http.StatusCreated ||
		!strings.Contains(f.Context, "/beta/$metadata#") {
		t.Fatalf("POST %s: %d %+v", long, status, f)
	}
	var got samlFederation
	if status := s.DoJSON(t, "GET", samlPath+"/"+f.ID, tn.Token, nil, &got); status != http.StatusOK || got.ID != f.ID {
		t.Errorf("GET under v1.0: %d %+v", status, got)
	}
}
