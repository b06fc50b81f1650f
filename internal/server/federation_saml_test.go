package server_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/crewjam/saml"
	dsig "github.com/russellhaering/goxmldsig"

	"guestlist/internal/servertest"
)

// samlPartner is a partner company's SAML identity provider: crewjam/saml's
// IdP on loopback, signing real assertions with its own key. It trusts the
// service providers whose metadata URLs it was given, fetching their
// metadata from guestlist, and signs in whoever the test says is at the
// keyboard (the employee's session at their company).
type samlPartner struct {
	URL string
	idp *saml.IdentityProvider

	mu   sync.Mutex
	user string // the signed-in employee's address; "" refuses
}

func newSAMLPartner(t *testing.T) *samlPartner {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idp.partner.example"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(nil)
	p := &samlPartner{URL: "http://" + hs.Listener.Addr().String()}
	meta, _ := url.Parse(p.URL + "/metadata")
	sso, _ := url.Parse(p.URL + "/sso")
	p.idp = &saml.IdentityProvider{Key: key, Signer: key, Certificate: cert, MetadataURL: *meta, SSOURL: *sso,
		SignatureMethod:         dsig.RSASHA256SignatureMethod, // guestlist refuses SHA-1 by default
		ServiceProviderProvider: spByMetadataURL{}, SessionProvider: p, Logger: discardLogger{}}
	hs.Config.Handler = p.idp.Handler()
	hs.Start()
	t.Cleanup(hs.Close)
	return p
}

// certificate is the partner's signing certificate as an administrator
// pins it without metadata (Graph's signingCertificate, base64 DER); its
// single sign-on URL (passiveSignInUri) is URL + "/sso".
func (p *samlPartner) certificate() string {
	return base64.StdEncoding.EncodeToString(p.idp.Certificate.Raw)
}

// signIn makes email the employee signed in at the partner.
func (p *samlPartner) signIn(email string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.user = email
}

// GetSession is the partner's own sign-in: the employee is already
// signed in at their company.
func (p *samlPartner) GetSession(w http.ResponseWriter, _ *http.Request, _ *saml.IdpAuthnRequest) *saml.Session {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.user == "" {
		http.Error(w, "not signed in", http.StatusForbidden)
		return nil
	}
	return &saml.Session{ID: "s-" + p.user, CreateTime: time.Now(), ExpireTime: time.Now().Add(time.Hour),
		NameID: p.user, NameIDFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
		UserEmail: p.user, UserCommonName: "Greta Berg"}
}

// spByMetadataURL finds a service provider by fetching its metadata from
// its entity id, which guestlist makes its metadata URL.
type spByMetadataURL struct{}

func (spByMetadataURL) GetServiceProvider(r *http.Request, id string) (*saml.EntityDescriptor, error) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, id, nil)
	if err != nil {
		return nil, os.ErrNotExist
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, os.ErrNotExist
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, os.ErrNotExist
	}
	var ed saml.EntityDescriptor
	if err := xml.Unmarshal(body, &ed); err != nil {
		return nil, fmt.Errorf("service provider metadata: %w", err)
	}
	return &ed, nil
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...interface{}) {}
func (discardLogger) Print(...interface{})          {}
func (discardLogger) Println(...interface{})        {}
func (discardLogger) Fatal(...interface{})          {}
func (discardLogger) Fatalf(string, ...interface{}) {}
func (discardLogger) Fatalln(...interface{})        {}
func (discardLogger) Panic(...interface{})          {}
func (discardLogger) Panicf(string, ...interface{}) {}
func (discardLogger) Panicln(...interface{})        {}

// addSAMLFederation configures the partner as tn's SAML identity provider
// for partner.example, from its metadata URL.
func addSAMLFederation(t *testing.T, s *servertest.Server, tn servertest.Tenant, p *samlPartner) string {
	t.Helper()
	var created struct {
		ID              string `json:"id"`
		IssuerURI       string `json:"issuerUri"`
		ServiceProvider struct {
			EntityID string `json:"entityId"`
			ACS      string `json:"assertionConsumerServiceUrl"`
		} `json:"serviceProvider"`
	}
	status := s.DoJSON(t, "POST", "/v1.0/directory/federationConfigurations/graph.samlOrWsFedExternalDomainFederation", tn.Token, map[string]any{
		"displayName": "Partner SSO", "issuerUri": p.URL + "/metadata", "metadataExchangeUri": p.URL + "/metadata",
		"preferredAuthenticationProtocol": "saml",
		"domains":                         []map[string]any{{"@odata.type": "#microsoft.graph.externalDomainName", "id": "partner.example"}},
	}, &created)
	if status != http.StatusCreated || created.ID == "" {
		t.Fatalf("add SAML federation: %d %+v", status, created)
	}
	if want := s.URL + "/" + tn.ID + "/saml/acs"; created.ServiceProvider.ACS != want {
		t.Errorf("assertion consumer service %q, want %q", created.ServiceProvider.ACS, want)
	}
	return created.ID
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="(SAMLResponse|RelayState)" value="([^"]*)"`)

// postBack reads the partner's auto-posting form and posts it to
// guestlist's assertion consumer service, as the browser would.
func (p *samlPartner) postBack(t *testing.T, g *servertest.Guest, toPartner string) (servertest.Page, url.Values) {
	t.Helper()
	if !strings.HasPrefix(toPartner, p.URL+"/sso?") {
		t.Fatalf("sent to %q, want the partner's SSO URL", toPartner)
	}
	form := g.Get(t, toPartner)
	if form.Status != http.StatusOK {
		t.Fatalf("partner SSO: %d %.400s", form.Status, form.Body)
	}
	action := regexp.MustCompile(`<form method="post" action="([^"]+)"`).FindStringSubmatch(form.Body)
	fields := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(form.Body, -1) {
		fields.Set(m[1], html.UnescapeString(m[2]))
	}
	if action == nil || fields.Get("SAMLResponse") == "" {
		t.Fatalf("partner's response form: %.600s", form.Body)
	}
	return g.Post(t, html.UnescapeString(action[1]), fields), fields
}

// TestSAMLFederationRedemption (R10 step 2, R11, R12): Fabrikam federates
// partner.example with the partner's SAML identity provider, whose
// metadata it reads from the partner. Greta's invitation sends her
// there; the partner posts a signed assertion back and she redeems,
// her identity naming the partner's issuer. The same response posted
// again is refused, and so is an employee other than the one invited.
func TestSAMLFederationRedemption(t *testing.T) {
	t.Parallel()
	s, fabrikam := newFabrikam(t, servertest.Options{})
	partner := newSAMLPartner(t)
	addSAMLFederation(t, s, fabrikam, partner)
	const email = "greta@partner.example"
	inv := invite(t, s, fabrikam, email)
	p := preview(t, s, fabrikam, email)
	wantPreview(t, p, "externalFederation", true, false)
	if r := stepReason(p, "externalFederation"); !strings.Contains(r, "Partner SSO") || !strings.Contains(r, "SAML") {
		t.Errorf("explainer's federation reason %q", r)
	}

	// Someone else is signed in at the partner: nothing is redeemed, and
	// the page names the address that was invited.
	partner.signIn("olaf@partner.example")
	g := s.NewGuest("en")
	opened := g.Get(t, inv.link)
	if opened.Status != http.StatusSeeOther || !strings.Contains(opened.Location, "/signin/federation") {
		t.Fatalf("redeem link: %d to %q, want the federation step", opened.Status, opened.Location)
	}
	base := servertest.TenantBase(opened.Location)
	posted, _ := partner.postBack(t, g, servertest.Onward(t, g.Follow(t, opened)))
	if posted.Status != http.StatusSeeOther {
		t.Fatalf("assertion consumer service: %d %s", posted.Status, shownMessage(posted.Body))
	}
	wrong := g.Follow(t, posted)
	if wrong.Status != http.StatusForbidden || !strings.Contains(wrong.Body, "Fabrikam invited "+email) {
		t.Fatalf("another employee's assertion: %d %.500s", wrong.Status, wrong.Body)
	}

	partner.signIn(email)
	g = s.NewGuest("en")
	opened = g.Get(t, inv.link)
	posted, fields := partner.postBack(t, g, servertest.Onward(t, g.Follow(t, opened)))
	if posted.Status != http.StatusSeeOther || !strings.Contains(posted.Location, "/signin/federation/done") {
		t.Fatalf("assertion consumer service: %d to %q %.300s", posted.Status, posted.Location, posted.Body)
	}
	wantConsentNext(t, g.Follow(t, posted), base)
	if landed := g.Post(t, base+"/signin/consent", url.Values{"action": {"accept"}}); landed.Status != http.StatusSeeOther {
		t.Fatalf("consent: %d %.300s", landed.Status, landed.Body)
	}
	wantIdentity(t, s, fabrikam, inv.userID, partner.URL+"/metadata")
	if n := codesMailed(t, s, email); n != 0 {
		t.Errorf("%d passcodes mailed to a federated guest", n)
	}

	// The response, replayed from another browser, signs nobody in.
	thief := s.NewGuest("en")
	replayed := thief.Post(t, s.URL+base+"/saml/acs", fields)
	if replayed.Status < 400 {
		t.Fatalf("replayed response: %d to %q", replayed.Status, replayed.Location)
	}
}

// TestSAMLResponseFromAnotherBrowser (SPEC R32): an attacker starts a
// sign-in in their own browser, gets the partner's response for their own
// account, and makes the victim's browser post it (a cross-site form).
// The victim's browser ends with no session of the attacker's: the answer
// is kept for the attacker's sign-in, which the victim's browser does not
// hold.
func TestSAMLResponseFromAnotherBrowser(t *testing.T) {
	t.Parallel()
	s, fabrikam := newFabrikam(t, servertest.Options{})
	partner := newSAMLPartner(t)
	addSAMLFederation(t, s, fabrikam, partner)
	const email = "mallory@partner.example"
	invite(t, s, fabrikam, email)
	partner.signIn(email)

	attacker := s.NewGuest("en")
	base := "/" + fabrikam.ID
	start := attacker.Post(t, base+"/signin", url.Values{"email": {email}})
	form := attacker.Get(t, servertest.Onward(t, attacker.Follow(t, start)))
	fields := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(form.Body, -1) {
		fields.Set(m[1], html.UnescapeString(m[2]))
	}
	if fields.Get("SAMLResponse") == "" {
		t.Fatalf("partner's response form: %.400s", form.Body)
	}

	victim := s.NewGuest("en")
	victim.Get(t, base+"/apps") // the victim's browser has been here before
	posted := victim.Post(t, s.URL+base+"/saml/acs", fields)
	if posted.Status != http.StatusSeeOther {
		t.Fatalf("assertion consumer service: %d %s", posted.Status, shownMessage(posted.Body))
	}
	done := victim.Follow(t, posted)
	if done.Status < 400 || hasSessionCookie(victim) {
		t.Fatalf("the victim's browser finished the attacker's sign-in: %d to %q", done.Status, done.Location)
	}
}

// TestBrowserSAMLGuestReachesApplication: a guest from the SAML partner
// opens Fabrikam's application in a real browser, types her address at
// guestlist, is sent to her company's identity provider, whose page posts
// the signed assertion back by itself, consents (just-in-time
// redemption) and lands in the application signed in through guestlist's
// OpenID provider, her ID token naming the partner as her identity
// provider.
func TestBrowserSAMLGuestReachesApplication(t *testing.T) {
	const email = "greta@partner.example"
	chromiumPath(t)
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	partner := newSAMLPartner(t)
	addSAMLFederation(t, s, tn, partner)
	partner.signIn(email)
	app := newOIDCApp(t, s, tn, "Projects", email)
	tab := newBrowser(t, "en-US,en;q=0.9")

	browse(t, tab, "open the application", chromedp.Navigate(app.URL), chromedp.WaitVisible(chromedp.ID("email")))
	browse(t, tab, "type the address and press Next",
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.Click(chromedp.ID("next")),
		chromedp.WaitVisible(chromedp.ID("accept")))
	if loc, _ := chromedp.Run(tab, chromedp.Location()); !strings.HasPrefix(loc, s.URL+"/"+tn.ID+"/signin/consent") {
		t.Errorf("after the partner's sign-in the browser is at %s, want the consent page", loc)
	}
	browse(t, tab, "accept", chromedp.Click(chromedp.ID("accept")), chromedp.WaitVisible(chromedp.ID("hello")))
	wantAppGreets(t, tab, app, "Hello greta ("+email+") — signed in with "+partner.URL+"/metadata")
	if n := codesMailed(t, s, email); n != 0 {
		t.Errorf("%d passcodes mailed to a federated guest", n)
	}
}

// shownMessage is the message a guest page shows.
func shownMessage(body string) string {
	if m := regexp.MustCompile(`(?s)<p id="message">(.*?)</p>`).FindStringSubmatch(body); m != nil {
		return html.UnescapeString(m[1])
	}
	return body
}
