package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

// Identity providers through the admin API (SPEC R10 steps 2 and 3, R41):
// SAML federations under /directory/federationConfigurations, OpenID
// Connect partners and Google under /identity/identityProviders. The API
// checks a provider remotely before it keeps it (SAML metadata fetched and
// parsed, OpenID discovery read), so the providers here are real partners
// on loopback: a crewjam/saml identity provider (newSAMLPartner) and a
// second guestlist (newOIDCPartner), which also stands in for Google.

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

// partnerSAML is the SAML federation with p for domains, from p's metadata
// (whose entity id is its metadata URL).
func partnerSAML(p *samlPartner, domains ...string) map[string]any {
	ds := []map[string]string{}
	for _, d := range domains {
		ds = append(ds, map[string]string{"@odata.type": "microsoft.graph.externalDomainName", "id": d})
	}
	return map[string]any{
		"@odata.type": "microsoft.graph.samlOrWsFedExternalDomainFederation", "displayName": "Contoso SAML",
		"issuerUri": p.URL + "/metadata", "metadataExchangeUri": p.URL + "/metadata",
		"preferredAuthenticationProtocol": "saml", "domains": ds,
	}
}

// partnerOIDC is the OpenID Connect federation with p for domains. The
// client id and secret are the test's own: the API checks the partner's
// discovery document, not the client (that is the partner's to judge at
// sign-in).
func partnerOIDC(p *oidcPartner, domains ...string) map[string]any {
	return map[string]any{
		"@odata.type": "#microsoft.graph.openIdConnectIdentityProvider", "displayName": "Tailspin",
		"clientId": "guestlist-at-tailspin", "clientSecret": "s3cret-value", "issuer": p.issuer,
		"domains": domains,
	}
}

// google is the Google configuration; the server must take Google's
// discovery document from a partner (newGoogleFabrikam).
func google() map[string]any {
	return map[string]any{"@odata.type": "microsoft.graph.socialIdentityProvider", "displayName": "Google",
		"identityProviderType": "Google", "clientId": "123.apps.googleusercontent.com", "clientSecret": "g-secret"}
}

// newGoogleFabrikam starts fabrikam with a second guestlist standing in
// for Google: the deployment reads Google's discovery document from it.
// The partner comes first, so its application's callback is a placeholder
// (it matters only for sign-ins, which these tests do not make).
func newGoogleFabrikam(t *testing.T) (*servertest.Server, servertest.Tenant) {
	t.Helper()
	g := newOIDCPartner(t, "https://app.example/callback")
	return newFabrikam(t, withConfig(func(c *server.Config) {
		c.Federation.GoogleDiscoveryURL = g.issuer + "/.well-known/openid-configuration"
	}))
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
	partner := newSAMLPartner(t)
	before := s.Clock.Now()
	f := createSAML(t, s, tn, partnerSAML(partner, "Contoso.Example", "bücher.example"))
	if f.Type != "#microsoft.graph.samlOrWsFedExternalDomainFederation" || f.ID == "" || f.DisplayName != "Contoso SAML" ||
		f.PreferredAuthenticationProtocol != "saml" || !strings.HasSuffix(f.Context, "/v1.0/$metadata#directory/federationConfigurations/$entity") {
		t.Fatalf("created: %+v", f)
	}
	if got := domainIDs(f.Domains); !slices.Equal(got, []string{"contoso.example", "xn--bcher-kva.example"}) || f.Domains[0].Type != "#microsoft.graph.externalDomainName" {
		t.Errorf("domains = %+v", f.Domains)
	}
	base := s.URL + "/" + tn.ID + "/saml/"
	if f.ServiceProvider.EntityID != base+"metadata" || f.ServiceProvider.AssertionConsumerServiceURL != base+"acs" ||
		f.ServiceProvider.MetadataURL != base+"metadata" {
		t.Errorf("serviceProvider %+v", f.ServiceProvider)
	}
	// The partner's metadata was fetched before the federation was kept.
	wantFetchedSince(t, f, before)

	// PATCH changes only what it names.
	if status := s.DoJSON(t, "PATCH", samlPath+"/"+f.ID, tn.Token, map[string]any{"displayName": "Contoso"}, nil); status != http.StatusNoContent {
		t.Fatalf("PATCH: %d", status)
	}
	var got samlFederation
	if status := s.DoJSON(t, "GET", samlPath+"/"+f.ID, tn.Token, nil, &got); status != http.StatusOK ||
		got.DisplayName != "Contoso" || got.IssuerURI == nil || *got.IssuerURI != partner.URL+"/metadata" || len(got.Domains) != 2 {
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
	partner := newSAMLPartner(t)
	body := partnerSAML(partner, "contoso.example")
	delete(body, "metadataExchangeUri")
	wantGraphError(t, callJSON(t, s, "POST", samlPath, tn.Token, body), http.StatusBadRequest, "Request_BadRequest")
	body["passiveSignInUri"] = partner.URL + "/sso"
	body["signingCertificate"] = "bm90IGEgY2VydA=="
	wantGraphError(t, callJSON(t, s, "POST", samlPath, tn.Token, body), http.StatusBadRequest, "Request_BadRequest")
	body["signingCertificate"] = partner.certificate()
	f := createSAML(t, s, tn, body)
	if f.SigningCertificate == nil || *f.SigningCertificate != body["signingCertificate"] || f.MetadataExchangeURI != nil ||
		f.PassiveSignInURI == nil || *f.PassiveSignInURI != partner.URL+"/sso" || f.MetadataStatus.LastFetchedDateTime != nil {
		t.Errorf("created: %+v", f)
	}
}

// wantFetchedSince fails unless f's metadata was fetched at or after
// since.
func wantFetchedSince(t *testing.T, f samlFederation, since time.Time) {
	t.Helper()
	if f.MetadataStatus.LastFetchedDateTime == nil {
		t.Errorf("metadataStatus %+v: the metadata was not fetched", f.MetadataStatus)
		return
	}
	at, err := time.Parse(time.RFC3339, *f.MetadataStatus.LastFetchedDateTime)
	if err != nil || at.Before(since) {
		t.Errorf("metadataStatus.lastFetchedDateTime %q, want a time since %s (%v)", *f.MetadataStatus.LastFetchedDateTime, since.Format(time.RFC3339), err)
	}
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
	partner := newOIDCPartner(t, s.URL+"/"+tn.ID+"/federation/callback")
	resp := callJSON(t, s, "POST", idpPath, tn.Token, partnerOIDC(partner, "tailspin.example"))
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
		after.Issuer == nil || *after.Issuer != partner.issuer || after.ClientSecret != "******" {
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
	s, tn := newGoogleFabrikam(t)
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
// that says what to fix. The partners are real, so each request has only
// the fault its case names.
func TestIdentityProviderValidation(t *testing.T) {
	t.Parallel()
	s, tn := newGoogleFabrikam(t)
	samlP := newSAMLPartner(t)
	oidcP := newOIDCPartner(t, s.URL+"/"+tn.ID+"/federation/callback")
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
		{"SAML without display name", samlPath, with(partnerSAML(samlP, "contoso.example"), "displayName", nil), "displayName"},
		{"SAML wsFed", samlPath, with(partnerSAML(samlP, "contoso.example"), "preferredAuthenticationProtocol", "wsFed"), "not supported"},
		{"SAML without issuer or metadata", samlPath, with(with(partnerSAML(samlP, "contoso.example"), "issuerUri", nil), "metadataExchangeUri", nil), "issuerUri"},
		{"SAML without domains", samlPath, partnerSAML(samlP), "domains"},
		{"SAML bad domain", samlPath, partnerSAML(samlP, "not a domain"), "domain"},
		{"SAML tenant's own domain", samlPath, partnerSAML(samlP, "fabrikam.example"), "this tenant"},
		{"SAML gmail", samlPath, partnerSAML(samlP, "gmail.com"), "Google"},
		{"SAML unknown property", samlPath, with(partnerSAML(samlP, "contoso.example"), "colour", "blue"), "colour"},
		{"OIDC without client id", idpPath, with(partnerOIDC(oidcP, "tailspin.example"), "clientId", nil), "clientId"},
		{"OIDC without secret", idpPath, with(partnerOIDC(oidcP, "tailspin.example"), "clientSecret", nil), "clientSecret"},
		{"OIDC without issuer", idpPath, with(partnerOIDC(oidcP, "tailspin.example"), "issuer", nil), "issuer"},
		{"OIDC implicit flow", idpPath, with(partnerOIDC(oidcP, "tailspin.example"), "responseType", "id_token"), "responseType"},
		{"OIDC googlemail", idpPath, partnerOIDC(oidcP, "googlemail.com"), "Google"},
		{"unknown type", idpPath, with(partnerOIDC(oidcP, "tailspin.example"), "@odata.type", "#microsoft.graph.appleManagedIdentityProvider"), "not supported"},
		{"no type", idpPath, with(partnerOIDC(oidcP, "tailspin.example"), "@odata.type", nil), "@odata.type"},
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
	samlP := newSAMLPartner(t)
	oidcP := newOIDCPartner(t, s.URL+"/"+tn.ID+"/federation/callback")
	f := createSAML(t, s, tn, partnerSAML(samlP, "contoso.example"))
	wantGraphError(t, callJSON(t, s, "POST", idpPath, tn.Token, partnerOIDC(oidcP, "other.example", "CONTOSO.example")), http.StatusConflict, "")
	o := createIDP(t, s, tn, partnerOIDC(oidcP, "tailspin.example"))
	wantGraphError(t, callJSON(t, s, "PATCH", idpPath+"/"+o.ID, tn.Token, map[string]any{"domains": []string{"contoso.example"}}), http.StatusConflict, "")
	wantGraphError(t, callJSON(t, s, "POST", samlPath+"/"+f.ID+"/domains", tn.Token, map[string]string{"id": "tailspin.example"}), http.StatusConflict, "")

	other := s.CreateTenant(t, "Woodgrove", "woodgrove.example")
	createSAML(t, s, other, partnerSAML(samlP, "contoso.example"))
	for _, p := range []string{samlPath + "/" + f.ID, idpPath + "/" + o.ID} {
		wantGraphError(t, call(t, s, "GET", p, other.Token, "", nil), http.StatusNotFound, "")
		wantGraphError(t, callJSON(t, s, "PATCH", p, other.Token, map[string]any{"displayName": "x"}), http.StatusNotFound, "")
		wantGraphError(t, call(t, s, "DELETE", p, other.Token, "", nil), http.StatusNotFound, "")
	}
	// An OpenID partner is not a SAML federation.
	wantGraphError(t, call(t, s, "GET", samlPath+"/"+o.ID, tn.Token, "", nil), http.StatusNotFound, "")
}

// TestIdentityProviderInPreview: the redemption explainer names the
// federation an address's domain matched (R14), and the federation is
// what the address gets.
func TestIdentityProviderInPreview(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	samlP := newSAMLPartner(t)
	createSAML(t, s, tn, partnerSAML(samlP, "contoso.example"))
	p := preview(t, s, tn, "rob@contoso.example")
	found := false
	for _, st := range p.Steps {
		if st.Method == "externalFederation" {
			found = true
			if !strings.Contains(st.Reason, "Contoso SAML") {
				t.Errorf("federation step reason %q does not name the provider", st.Reason)
			}
			if st.Outcome != "applies" {
				t.Errorf("federation step outcome %q, want applies (%s)", st.Outcome, st.Reason)
			}
		}
	}
	if !found {
		t.Errorf("no federation step: %+v", p.Steps)
	}
	wantPreview(t, p, "externalFederation", true, false)
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
	samlP := newSAMLPartner(t)
	var f samlFederation
	const long = "/beta/directory/federationConfigurations/microsoft.graph.samlOrWsFedExternalDomainFederation"
	if status := s.DoJSON(t, "POST", long, tn.Token, partnerSAML(samlP, "contoso.example"), &f); status != http.StatusCreated ||
		!strings.Contains(f.Context, "/beta/$metadata#") {
		t.Fatalf("POST %s: %d %+v", long, status, f)
	}
	var got samlFederation
	if status := s.DoJSON(t, "GET", samlPath+"/"+f.ID, tn.Token, nil, &got); status != http.StatusOK || got.ID != f.ID {
		t.Errorf("GET under v1.0: %d %+v", status, got)
	}
}

// TestIdentityProviderPartnerChecks: the API keeps no provider it cannot
// use. A SAML federation whose metadata is not metadata, or whose
// metadata URL does not answer, and an OpenID Connect provider whose
// issuer does not answer, are refused with a 400 that tells the
// administrator which URL to fix, and nothing is kept. Pointing a
// federation at a partner that answers fetches its metadata.
func TestIdentityProviderPartnerChecks(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	partner := newSAMLPartner(t)

	notMetadata := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body>Welcome to Contoso</body></html>"))
	}))
	t.Cleanup(notMetadata.Close)
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close() // its address now refuses connections

	refused := func(name, path string, body map[string]any, wants ...string) {
		t.Helper()
		msg := wantGraphError(t, callJSON(t, s, "POST", path, tn.Token, body), http.StatusBadRequest, "Request_BadRequest")
		for _, w := range wants {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: message %q does not mention %q", name, msg, w)
			}
		}
		// What the network said stays in the server: an administrator
		// must not map the deployment's network through these checks.
		if strings.Contains(msg, "connection refused") || strings.Contains(msg, "dial tcp") {
			t.Errorf("%s: message %q tells the network's answer", name, msg)
		}
	}
	saml := func(metadataURL string) map[string]any {
		b := partnerSAML(partner, "contoso.example")
		b["issuerUri"], b["metadataExchangeUri"] = metadataURL, metadataURL
		return b
	}
	refused("SAML metadata that is not metadata", samlPath, saml(notMetadata.URL+"/metadata"),
		notMetadata.URL+"/metadata", "not a SAML EntityDescriptor")
	refused("SAML metadata URL down", samlPath, saml(down.URL+"/metadata"), down.URL+"/metadata", "not usable", "cannot be reached")
	oidc := map[string]any{
		"@odata.type": "#microsoft.graph.openIdConnectIdentityProvider", "displayName": "Tailspin",
		"clientId": "guestlist-at-tailspin", "clientSecret": "s3cret-value", "issuer": down.URL,
		"domains": []string{"tailspin.example"},
	}
	refused("OpenID issuer down", idpPath, oidc, "discovery document", "cannot be reached")

	var list providerList
	if status := s.DoJSON(t, "GET", idpPath, tn.Token, nil, &list); status != http.StatusOK || len(list.Value) != 0 {
		t.Fatalf("after refusals: %d %+v", status, list)
	}

	// A federation with the partner's pinned certificate has fetched no
	// metadata; given the partner's metadata URL, it fetches it.
	pinned := partnerSAML(partner, "contoso.example")
	delete(pinned, "metadataExchangeUri")
	pinned["signingCertificate"], pinned["passiveSignInUri"] = partner.certificate(), partner.URL+"/sso"
	f := createSAML(t, s, tn, pinned)
	if f.MetadataStatus.LastFetchedDateTime != nil {
		t.Errorf("pinned federation: metadataStatus %+v, want nothing fetched", f.MetadataStatus)
	}
	// A PATCH to a metadata URL that is down is refused and changes nothing.
	msg := wantGraphError(t, callJSON(t, s, "PATCH", samlPath+"/"+f.ID, tn.Token,
		map[string]any{"metadataExchangeUri": down.URL + "/metadata"}), http.StatusBadRequest, "Request_BadRequest")
	if !strings.Contains(msg, down.URL+"/metadata") {
		t.Errorf("PATCH to a metadata URL that is down: message %q does not name it", msg)
	}
	var got samlFederation
	if status := s.DoJSON(t, "GET", samlPath+"/"+f.ID, tn.Token, nil, &got); status != http.StatusOK ||
		got.MetadataExchangeURI != nil || got.MetadataStatus.LastFetchedDateTime != nil {
		t.Fatalf("after the refused PATCH: %d %+v", status, got)
	}

	s.Clock.Advance(time.Minute) // the fetch is the PATCH's, not an earlier one
	before := s.Clock.Now()
	if status := s.DoJSON(t, "PATCH", samlPath+"/"+f.ID, tn.Token,
		map[string]any{"metadataExchangeUri": partner.URL + "/metadata"}, nil); status != http.StatusNoContent {
		t.Fatalf("PATCH metadataExchangeUri: %d", status)
	}
	got = samlFederation{}
	if status := s.DoJSON(t, "GET", samlPath+"/"+f.ID, tn.Token, nil, &got); status != http.StatusOK ||
		got.MetadataExchangeURI == nil || *got.MetadataExchangeURI != partner.URL+"/metadata" {
		t.Fatalf("after PATCH: %d %+v", status, got)
	}
	wantFetchedSince(t, got, before)
}
