package console

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/providers"
)

// Identity providers (R43 5, docs/federation.md): the SAML 2.0 and OpenID
// Connect partners and Google, added, changed and deleted through the
// providers service as Graph's identityProviders and
// federationConfigurations do, remote checks and audit included.

// kinds are the provider kinds the console adds, in the list's order.
var kinds = []core.ProviderKind{core.ProviderSAML, core.ProviderOIDC, core.ProviderGoogle}

func kindOf(s string) (core.ProviderKind, bool) {
	for _, k := range kinds {
		if string(k) == s {
			return k, true
		}
	}
	return "", false
}

type idpRow struct {
	ID, Name string
	Kind     string // message id
	Domains  string
	Updated  time.Time
}

type idpsPage struct {
	base
	Providers []idpRow
	Kinds     []option // Value: kind, Label: message id
	Notice    string   // message id
}

// idps: GET /{tenant}/admin/idps lists the tenant's identity providers.
func (c *Console) idps(w http.ResponseWriter, r *http.Request, v *visit) {
	list, err := c.Providers.List(r.Context(), v.tenant.ID)
	if err != nil {
		c.internal(w, v, err)
		return
	}
	p := idpsPage{base: c.base(v, "/idps")}
	p.Return = r.URL.RequestURI()
	if r.URL.Query().Get("deleted") != "" {
		p.Notice = "console.idp.deleted"
	}
	for _, k := range kinds {
		p.Kinds = append(p.Kinds, option{Value: string(k), Label: "console.idp.kind." + string(k)})
	}
	for _, ip := range list {
		p.Providers = append(p.Providers, idpRow{ID: ip.ID, Name: ip.DisplayName, Kind: "console.idp.kind." + string(ip.Kind),
			Domains: strings.Join(ip.Domains, ", "), Updated: ip.UpdatedAt})
	}
	c.r.render(w, http.StatusOK, "idps.html", p)
}

// idpForm is what the provider's form shows and sends back.
type idpForm struct {
	Name, Domains string
	// SAML 2.0
	Issuer, MetadataURL, PassiveURL, Certificate string
	RequireResponseSign, AllowSHA1               bool
	// OpenID Connect and Google
	ClientID, OIDCIssuer, OIDCMetadataURL, Scope string
	ClaimUserID, ClaimEmail, ClaimName           string
	ClaimGiven, ClaimSurname                     string
	HasSecret                                    bool
}

// partnerValues are what the partner's identity provider needs from us
// (docs/federation.md, "What the partner's identity provider needs").
type partnerValues struct {
	EntityID, ACS, Metadata string // SAML 2.0
	RedirectURI             string // OpenID Connect and Google
}

type idpPage struct {
	base
	ID       string // "" while adding
	Kind     string
	KindName string // message id
	Form     idpForm
	Partner  partnerValues
	// Metadata is the state of the SAML partner's metadata, when fetched.
	MetaFetched, MetaChecked time.Time
	MetaError                string
	Error                    string // the service's refusal, in its words
	Notice                   string // message id
}

func (c *Console) idpPage(v *visit, kind core.ProviderKind) idpPage {
	root := c.BaseURL + "/" + v.tenant.ID
	p := idpPage{base: c.base(v, "/idps"), Kind: string(kind), KindName: "console.idp.kind." + string(kind)}
	if kind == core.ProviderSAML {
		p.Partner = partnerValues{EntityID: root + "/saml/metadata", ACS: root + "/saml/acs", Metadata: root + "/saml/metadata"}
	} else {
		p.Partner.RedirectURI = root + "/federation/callback"
	}
	return p
}

func formOf(ip *core.IdentityProvider) idpForm {
	s, o := ip.SAML, ip.OIDC
	return idpForm{Name: ip.DisplayName, Domains: strings.Join(ip.Domains, "\n"),
		Issuer: s.IssuerURI, MetadataURL: s.MetadataURL, PassiveURL: s.PassiveSignInURI, Certificate: s.SigningCertificate,
		RequireResponseSign: s.RequireResponseSign, AllowSHA1: s.AllowSHA1,
		ClientID: o.ClientID, OIDCIssuer: o.Issuer, OIDCMetadataURL: o.MetadataURL, Scope: o.Scope,
		ClaimUserID: o.ClaimsMapping.UserID, ClaimEmail: o.ClaimsMapping.Email, ClaimName: o.ClaimsMapping.DisplayName,
		ClaimGiven: o.ClaimsMapping.GivenName, ClaimSurname: o.ClaimsMapping.Surname, HasSecret: ip.Kind != core.ProviderSAML}
}

// readForm reads the posted form.
func readForm(r *http.Request) idpForm {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return idpForm{Name: f("name"), Domains: f("domains"),
		Issuer: f("issuer"), MetadataURL: f("metadata"), PassiveURL: f("passive"), Certificate: f("certificate"),
		RequireResponseSign: f("requiresign") != "", AllowSHA1: f("sha1") != "",
		ClientID: f("clientid"), OIDCIssuer: f("oidcissuer"), OIDCMetadataURL: f("oidcmetadata"), Scope: f("scope"),
		ClaimUserID: f("claim_userid"), ClaimEmail: f("claim_email"), ClaimName: f("claim_name"),
		ClaimGiven: f("claim_given"), ClaimSurname: f("claim_surname")}
}

// apply sets the form's fields on p, of p.Kind; the providers service
// validates and normalises them.
func (f idpForm) apply(p *core.IdentityProvider) error {
	p.DisplayName = f.Name
	p.Domains = strings.FieldsFunc(f.Domains, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' })
	switch p.Kind {
	case core.ProviderSAML:
		p.SAML.IssuerURI, p.SAML.MetadataURL, p.SAML.PassiveSignInURI = f.Issuer, f.MetadataURL, f.PassiveURL
		p.SAML.SigningCertificate, p.SAML.RequireResponseSign, p.SAML.AllowSHA1 = f.Certificate, f.RequireResponseSign, f.AllowSHA1
	case core.ProviderOIDC:
		o := &p.OIDC
		o.ClientID, o.Issuer, o.MetadataURL, o.Scope = f.ClientID, f.OIDCIssuer, f.OIDCMetadataURL, f.Scope
		o.ClaimsMapping = core.ClaimsMapping{UserID: f.ClaimUserID, Email: f.ClaimEmail, DisplayName: f.ClaimName,
			GivenName: f.ClaimGiven, Surname: f.ClaimSurname}
	case core.ProviderGoogle:
		p.OIDC.ClientID = f.ClientID
	}
	return nil
}

// idpNew: GET /{tenant}/admin/idps/new?kind=… is the empty form of a kind,
// with the values the partner needs before anything can be entered.
func (c *Console) idpNew(w http.ResponseWriter, r *http.Request, v *visit) {
	kind, ok := kindOf(r.URL.Query().Get("kind"))
	if !ok {
		c.message(w, v, http.StatusNotFound, "console.error.notfound")
		return
	}
	p := c.idpPage(v, kind)
	p.Return = r.URL.RequestURI()
	p.Form.HasSecret = kind != core.ProviderSAML
	if kind == core.ProviderGoogle {
		p.Form.Name = "Google"
	}
	c.r.render(w, http.StatusOK, "idp.html", p)
}

// idpCreate: POST /{tenant}/admin/idps/new adds the provider, checked
// remotely first as POST /identity/identityProviders does.
func (c *Console) idpCreate(w http.ResponseWriter, r *http.Request, v *visit) {
	kind, ok := kindOf(r.PostFormValue("kind"))
	if !ok {
		c.message(w, v, http.StatusNotFound, "console.error.notfound")
		return
	}
	form := readForm(r)
	ip := core.IdentityProvider{Kind: kind}
	_ = form.apply(&ip)
	created, err := c.Providers.Create(r.Context(), v.tenant, ip, r.PostFormValue("secret"))
	if err != nil {
		p := c.idpPage(v, kind)
		p.Return = v.path("/idps/new?kind=" + string(kind))
		p.Form = form
		p.Form.HasSecret = kind != core.ProviderSAML
		c.idpRefused(w, v, err, p)
		return
	}
	seeOther(w, r, v.path("/idps/"+created.ID+"?done=added"))
}

// idpRefused renders the form again with the service's refusal, or the
// error page for anything else.
func (c *Console) idpRefused(w http.ResponseWriter, v *visit, err error, p idpPage) {
	if !refused(err, &p.Error) {
		c.internal(w, v, err)
		return
	}
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, core.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, core.ErrConflict):
		status = http.StatusConflict
	}
	c.r.render(w, status, "idp.html", p)
}

// idp: GET /{tenant}/admin/idps/{id} shows the provider as a form to
// change, with the values the partner needs and the metadata's state.
func (c *Console) idp(w http.ResponseWriter, r *http.Request, v *visit) {
	ip, ok := c.provider(w, r, v)
	if !ok {
		return
	}
	p := c.shown(v, ip)
	p.Return = r.URL.RequestURI()
	switch r.URL.Query().Get("done") {
	case "added":
		p.Notice = "console.idp.added"
	case "saved":
		p.Notice = "console.idp.saved"
	}
	c.r.render(w, http.StatusOK, "idp.html", p)
}

func (c *Console) shown(v *visit, ip *core.IdentityProvider) idpPage {
	p := c.idpPage(v, ip.Kind)
	p.ID, p.Form = ip.ID, formOf(ip)
	p.MetaFetched, p.MetaChecked, p.MetaError = ip.Metadata.FetchedAt, ip.Metadata.CheckedAt, ip.Metadata.Error
	return p
}

// idpUpdate: POST /{tenant}/admin/idps/{id} changes the provider (PATCH
// on Graph): the form's fields are applied to the provider as stored,
// inside the service's transaction; an empty secret keeps the current one.
func (c *Console) idpUpdate(w http.ResponseWriter, r *http.Request, v *visit) {
	ip, ok := c.provider(w, r, v)
	if !ok {
		return
	}
	form := readForm(r)
	_, err := c.Providers.Update(r.Context(), v.tenant, ip.ID, providers.Patch{Apply: form.apply,
		Secret: strings.TrimSpace(r.PostFormValue("secret"))}, ip.Kind)
	if err != nil {
		p := c.shown(v, ip)
		p.Return = v.path("/idps/" + ip.ID)
		p.Form = form
		p.Form.HasSecret = ip.Kind != core.ProviderSAML
		c.idpRefused(w, v, err, p)
		return
	}
	seeOther(w, r, v.path("/idps/"+ip.ID+"?done=saved"))
}

type idpDeletePage struct {
	base
	ID, Name string
}

// idpDeleteConfirm: GET /{tenant}/admin/idps/{id}/delete asks first and
// says what deleting does to the guests who redeemed with it (R11, R13).
func (c *Console) idpDeleteConfirm(w http.ResponseWriter, r *http.Request, v *visit) {
	ip, ok := c.provider(w, r, v)
	if !ok {
		return
	}
	c.r.render(w, http.StatusOK, "idpdelete.html", idpDeletePage{base: c.base(v, "/idps"), ID: ip.ID, Name: ip.DisplayName})
}

// idpDelete: POST /{tenant}/admin/idps/{id}/delete.
func (c *Console) idpDelete(w http.ResponseWriter, r *http.Request, v *visit) {
	err := c.Providers.Delete(r.Context(), v.tenant.ID, r.PathValue("id"))
	if errors.Is(err, core.ErrNotFound) {
		c.message(w, v, http.StatusNotFound, "console.error.noidp")
		return
	} else if err != nil {
		c.internal(w, v, err)
		return
	}
	seeOther(w, r, v.path("/idps?deleted=1"))
}

// provider reads the path's {id} as one of the tenant's providers.
func (c *Console) provider(w http.ResponseWriter, r *http.Request, v *visit) (*core.IdentityProvider, bool) {
	ip, err := c.Providers.Get(r.Context(), v.tenant.ID, r.PathValue("id"))
	if errors.Is(err, core.ErrNotFound) {
		c.message(w, v, http.StatusNotFound, "console.error.noidp")
		return nil, false
	} else if err != nil {
		c.internal(w, v, err)
		return nil, false
	}
	return ip, true
}
