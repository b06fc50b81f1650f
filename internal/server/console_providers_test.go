package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// consoleIdP is an identity provider as Graph's identityProviders lists it.
type consoleIdP struct {
	Type        string   `json:"@odata.type"`
	ID          string   `json:"id"`
	DisplayName string   `json:"displayName"`
	ClientID    string   `json:"clientId"`
	Issuer      *string  `json:"issuer"`
	Domains     []string `json:"domains"`
}

// consoleIdPs is the list, whose SAML entries have domains of another
// shape: only what every kind shares.
type consoleIdPs struct {
	Value []struct {
		Type        string `json:"@odata.type"`
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
	} `json:"value"`
}

var idpPathRE = regexp.MustCompile(`/idps/([^/?"]+)\?done=added$`)

// TestConsoleProviderSAMLAndOIDC: a Global Administrator adds a SAML
// partner from its metadata and an OpenID Connect partner, sees the
// values each partner needs, renames one, deletes the other; Graph shows
// each change, the audit log names the administrator, and a partner the
// check cannot reach is refused with the reason and not stored.
func TestConsoleProviderSAMLAndOIDC(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	admin := newConsoleAdmin(t, s, fab, "ada", globalAdmin)
	admin.signIn(t)
	samlIdP := newSAMLPartner(t)
	oidcIdP := newOIDCPartner(t, s.URL+"/"+fab.ID+"/federation/callback")

	list := admin.b.Get(t, admin.prefix+"/idps")
	wantStatus(t, "providers page", list, http.StatusOK)
	if !strings.Contains(list.Body, `href="`+admin.prefix+`/idps" aria-current="page"`) {
		t.Error("the navigation does not mark Identity providers")
	}

	// SAML: the form shows what the partner needs before anything is saved.
	form := admin.b.Get(t, admin.prefix+"/idps/new?kind=saml")
	wantStatus(t, "SAML form", form, http.StatusOK)
	for _, want := range []string{s.URL + "/" + fab.ID + "/saml/acs", s.URL + "/" + fab.ID + "/saml/metadata"} {
		if !strings.Contains(form.Body, want) {
			t.Errorf("the SAML form does not show %q", want)
		}
	}
	token := csrf(t, form)
	added := admin.b.Post(t, admin.prefix+"/idps/new", url.Values{"csrf": {token}, "kind": {"saml"},
		"name": {"Partner SSO"}, "domains": {"partner.example\nsub.partner.example"}, "metadata": {samlIdP.URL + "/metadata"}})
	m := idpPathRE.FindStringSubmatch(added.Location)
	if added.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("add SAML partner: %d to %q\n%.1500s", added.Status, added.Location, added.Body)
	}
	samlID := m[1]
	shown := admin.b.Follow(t, added)
	if !strings.Contains(shown.Body, "The identity provider was checked and added.") || !strings.Contains(shown.Body, "Last fetched") {
		t.Errorf("the new SAML partner's page:\n%.2000s", shown.Body)
	}

	// OpenID Connect: the redirect URI, then the partner added with its secret.
	form = admin.b.Get(t, admin.prefix+"/idps/new?kind=oidc")
	if want := s.URL + "/" + fab.ID + "/federation/callback"; !strings.Contains(form.Body, want) {
		t.Errorf("the OpenID Connect form does not show the redirect URI %q", want)
	}
	oidcForm := url.Values{"csrf": {token}, "kind": {"oidc"}, "name": {"Northwind"}, "domains": {"northwind.example"},
		"clientid": {oidcIdP.app.clientID}, "secret": {oidcIdP.app.secret}, "oidcissuer": {oidcIdP.issuer},
		"claim_name": {"name"}}
	added = admin.b.Post(t, admin.prefix+"/idps/new", oidcForm)
	if m = idpPathRE.FindStringSubmatch(added.Location); added.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("add OpenID Connect partner: %d to %q\n%.1500s", added.Status, added.Location, added.Body)
	}
	oidcID := m[1]
	if page := admin.b.Get(t, admin.prefix+"/idps/"+oidcID); strings.Contains(page.Body, oidcIdP.app.secret) {
		t.Error("the provider's page shows the client secret")
	}

	// A partner that cannot be reached is refused with the check's reason.
	bad := url.Values{"csrf": {token}, "kind": {"oidc"}, "name": {"Nowhere"}, "domains": {"nowhere.example"},
		"clientid": {"x"}, "secret": {"y"}, "oidcissuer": {"http://127.0.0.1:1/nowhere"}}
	refusedPage := admin.b.Post(t, admin.prefix+"/idps/new", bad)
	wantStatus(t, "unreachable partner", refusedPage, http.StatusBadRequest)
	if !strings.Contains(refusedPage.Body, "Nothing was changed:") || !strings.Contains(refusedPage.Body, `value="Nowhere"`) {
		t.Errorf("refusal page:\n%.2000s", refusedPage.Body)
	}

	var all consoleIdPs
	wantAPI(t, "list providers", s.DoJSON(t, "GET", "/v1.0/identity/identityProviders", fab.Token, nil, &all), http.StatusOK)
	if len(all.Value) != 2 {
		t.Fatalf("Graph lists %+v, want the two added", all.Value)
	}
	var o consoleIdP
	wantAPI(t, "read OIDC provider", s.DoJSON(t, "GET", "/v1.0/identity/identityProviders/"+oidcID, fab.Token, nil, &o), http.StatusOK)
	if o.DisplayName != "Northwind" || o.ClientID != oidcIdP.app.clientID || o.Issuer == nil || *o.Issuer != oidcIdP.issuer ||
		!slices.Equal(o.Domains, []string{"northwind.example"}) {
		t.Errorf("Graph shows the OpenID Connect partner as %+v", o)
	}

	// Rename the SAML partner and drop a domain; the secretless form keeps the rest.
	saved := admin.b.Post(t, admin.prefix+"/idps/"+samlID, url.Values{"csrf": {token}, "name": {"Partner Corp"},
		"domains": {"partner.example"}, "metadata": {samlIdP.URL + "/metadata"}})
	if saved.Status != http.StatusSeeOther || saved.Location != admin.prefix+"/idps/"+samlID+"?done=saved" {
		t.Fatalf("save SAML partner: %d to %q\n%.1500s", saved.Status, saved.Location, saved.Body)
	}
	var sp struct {
		DisplayName string `json:"displayName"`
		Domains     []struct {
			ID string `json:"id"`
		} `json:"domains"`
	}
	wantAPI(t, "read SAML federation", s.DoJSON(t, "GET", "/v1.0/directory/federationConfigurations/graph.samlOrWsFedExternalDomainFederation/"+samlID, fab.Token, nil, &sp), http.StatusOK)
	if sp.DisplayName != "Partner Corp" || len(sp.Domains) != 1 || sp.Domains[0].ID != "partner.example" {
		t.Errorf("after the change Graph shows %+v", sp)
	}

	// Delete the OpenID Connect partner, after the confirmation.
	confirm := admin.b.Get(t, admin.prefix+"/idps/"+oidcID+"/delete")
	wantStatus(t, "delete confirmation", confirm, http.StatusOK)
	gone := admin.b.Post(t, admin.prefix+"/idps/"+oidcID+"/delete", url.Values{"csrf": {csrf(t, confirm)}})
	if gone.Status != http.StatusSeeOther || gone.Location != admin.prefix+"/idps?deleted=1" {
		t.Fatalf("delete: %d to %q", gone.Status, gone.Location)
	}
	wantAPI(t, "deleted provider", s.DoJSON(t, "GET", "/v1.0/identity/identityProviders/"+oidcID, fab.Token, nil, nil), http.StatusNotFound)
	if list := admin.b.Get(t, admin.prefix+"/idps"); !strings.Contains(list.Body, "Partner Corp") || strings.Contains(list.Body, "Northwind") {
		t.Errorf("the list after the deletion:\n%.2000s", list.Body)
	}

	var mine []string
	for _, a := range audits(t, s, fab, filter("initiatedBy/user/id eq '"+admin.id+"'")) {
		mine = append(mine, a.ActivityDisplayName)
	}
	for _, want := range []string{"Add identity provider", "Update identity provider", "Delete identity provider"} {
		if !slices.Contains(mine, want) {
			t.Errorf("audit log by the administrator: %q lacks %q", mine, want)
		}
	}
}

// TestConsoleProviderRoles: a Guest Inviter can neither see nor change
// identity providers, whatever they post.
func TestConsoleProviderRoles(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	partner := newOIDCPartner(t, s.URL+"/"+fab.ID+"/federation/callback")
	id := addOIDCFederation(t, s, fab, partner)
	inviter := newConsoleAdmin(t, s, fab, "ivan", guestInv)
	list := inviter.signIn(t)
	if strings.Contains(list.Body, "/idps") {
		t.Error("the Guest Inviter's navigation offers Identity providers")
	}
	token := csrf(t, list)
	for _, path := range []string{"/idps", "/idps/new?kind=oidc", "/idps/" + id, "/idps/" + id + "/delete"} {
		wantStatus(t, "Guest Inviter opens "+path, inviter.b.Get(t, inviter.prefix+path), http.StatusForbidden)
	}
	for path, form := range map[string]url.Values{
		"/idps/new":               {"csrf": {token}, "kind": {"oidc"}, "name": {"Evil"}, "domains": {"evil.example"}, "clientid": {"x"}, "secret": {"y"}, "oidcissuer": {"https://evil.example"}},
		"/idps/" + id:             {"csrf": {token}, "name": {"Renamed"}, "clientid": {"stolen"}},
		"/idps/" + id + "/delete": {"csrf": {token}},
	} {
		wantStatus(t, "Guest Inviter posts "+path, inviter.b.Post(t, inviter.prefix+path, form), http.StatusForbidden)
	}
	var all consoleIdPs
	wantAPI(t, "list providers", s.DoJSON(t, "GET", "/v1.0/identity/identityProviders", fab.Token, nil, &all), http.StatusOK)
	var p consoleIdP
	wantAPI(t, "read provider", s.DoJSON(t, "GET", "/v1.0/identity/identityProviders/"+id, fab.Token, nil, &p), http.StatusOK)
	if len(all.Value) != 1 || p.DisplayName != "Partner SSO" || p.ClientID != partner.app.clientID {
		t.Errorf("after the Guest Inviter's posts Graph lists %+v and shows %+v", all.Value, p)
	}
}
