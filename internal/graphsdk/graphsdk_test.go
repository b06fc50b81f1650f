package graphsdk_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	absauth "github.com/microsoft/kiota-abstractions-go/authentication"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	khttp "github.com/microsoft/kiota-http-go"
	jsonserialization "github.com/microsoft/kiota-serialization-json-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"

	"guestlist/internal/servertest"
)

// staticToken hands the adapter the admin token the test got from the
// token endpoint, for the test server's host only.
type staticToken struct {
	token string
	hosts *absauth.AllowedHostsValidator
}

func (s staticToken) GetAuthorizationToken(context.Context, *url.URL, map[string]any) (string, error) {
	return s.token, nil
}

func (s staticToken) GetAllowedHostsValidator() *absauth.AllowedHostsValidator { return s.hosts }

// wire records what Graph's middleware finally puts on the wire: each
// request's method, Content-Encoding and the response's status.
type wire struct {
	mu   sync.Mutex
	sent []sent
	next http.RoundTripper
}

type sent struct {
	method, contentEncoding string
	status                  int
}

func (w *wire) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := w.next.RoundTrip(r)
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	w.mu.Lock()
	w.sent = append(w.sent, sent{r.Method, r.Header.Get("Content-Encoding"), status})
	w.mu.Unlock()
	return resp, err
}

func (w *wire) requests() []sent {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]sent(nil), w.sent...)
}

// adapter is the Graph core request adapter, with Graph's default
// middleware, whose base URL is the test server's /v1.0.
func adapter(t *testing.T, s *servertest.Server, token string) (*msgraphcore.GraphRequestAdapterBase, *wire) {
	t.Helper()
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	hosts, err := absauth.NewAllowedHostsValidatorErrorCheck([]string{u.Host})
	if err != nil {
		t.Fatal(err)
	}
	auth := absauth.NewBaseBearerTokenAuthenticationProvider(staticToken{token: token, hosts: hosts})
	parse := serialization.NewParseNodeFactoryRegistry()
	parse.ContentTypeAssociatedFactories["application/json"] = jsonserialization.NewJsonParseNodeFactory()
	write := serialization.NewSerializationWriterFactoryRegistry()
	write.ContentTypeAssociatedFactories["application/json"] = jsonserialization.NewJsonSerializationWriterFactory()
	opts := msgraphcore.GraphClientOptions{GraphServiceVersion: "v1.0"}
	w := &wire{next: http.DefaultTransport}
	client := &http.Client{Transport: khttp.NewCustomTransportWithParentTransport(w, msgraphcore.GetDefaultMiddlewaresWithOptions(&opts)...)}
	a, err := msgraphcore.NewGraphRequestAdapterBaseWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		auth, opts, parse, write, client)
	if err != nil {
		t.Fatal(err)
	}
	a.SetBaseUrl(s.URL + "/v1.0")
	return a, w
}

// get builds a GET of path (relative to the adapter's base URL) that asks
// for JSON.
func get(path string) *abstractions.RequestInformation {
	req := abstractions.NewRequestInformation()
	req.Method = abstractions.GET
	req.UrlTemplate = "{+baseurl}" + path
	req.Headers.TryAdd("Accept", "application/json")
	return req
}

// user is the part of a Graph user the tests read.
type user struct {
	id, displayName, mail *string
	additional            map[string]any
}

func newUser(serialization.ParseNode) (serialization.Parsable, error) {
	return &user{additional: map[string]any{}}, nil
}

func (u *user) Serialize(w serialization.SerializationWriter) error {
	for k, v := range map[string]*string{"id": u.id, "displayName": u.displayName, "mail": u.mail} {
		if err := w.WriteStringValue(k, v); err != nil {
			return err
		}
	}
	return w.WriteAdditionalData(u.additional)
}

func (u *user) GetFieldDeserializers() map[string]func(serialization.ParseNode) error {
	str := func(dst **string) func(serialization.ParseNode) error {
		return func(n serialization.ParseNode) error {
			v, err := n.GetStringValue()
			*dst = v
			return err
		}
	}
	return map[string]func(serialization.ParseNode) error{
		"id": str(&u.id), "displayName": str(&u.displayName), "mail": str(&u.mail),
	}
}

func (u *user) GetAdditionalData() map[string]any  { return u.additional }
func (u *user) SetAdditionalData(v map[string]any) { u.additional = v }

// userPage is a page of GET /users: value and @odata.nextLink, what the
// page iterator reads.
type userPage struct {
	value      []*user
	nextLink   *string
	additional map[string]any
}

func newUserPage(serialization.ParseNode) (serialization.Parsable, error) {
	return &userPage{additional: map[string]any{}}, nil
}

func (p *userPage) GetValue() []*user         { return p.value }
func (p *userPage) GetOdataNextLink() *string { return p.nextLink }

func (p *userPage) Serialize(w serialization.SerializationWriter) error {
	items := make([]serialization.Parsable, len(p.value))
	for i, u := range p.value {
		items[i] = u
	}
	if err := w.WriteCollectionOfObjectValues("value", items); err != nil {
		return err
	}
	if err := w.WriteStringValue("@odata.nextLink", p.nextLink); err != nil {
		return err
	}
	return w.WriteAdditionalData(p.additional)
}

func (p *userPage) GetFieldDeserializers() map[string]func(serialization.ParseNode) error {
	return map[string]func(serialization.ParseNode) error{
		"value": func(n serialization.ParseNode) error {
			items, err := n.GetCollectionOfObjectValues(newUser)
			if err != nil {
				return err
			}
			p.value = make([]*user, len(items))
			for i, it := range items {
				p.value[i] = it.(*user)
			}
			return nil
		},
		"@odata.nextLink": func(n serialization.ParseNode) error {
			v, err := n.GetStringValue()
			p.nextLink = v
			return err
		},
	}
}

func (p *userPage) GetAdditionalData() map[string]any  { return p.additional }
func (p *userPage) SetAdditionalData(v map[string]any) { p.additional = v }

// TestGraphCorePageIterator: Graph core's page iterator walks GET /users
// page by page through @odata.nextLink, through the request adapter and
// its middleware, and sees every invited guest once.
func TestGraphCorePageIterator(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	want := map[string]string{}
	for i := range 7 {
		email := fmt.Sprintf("guest%d@contoso.example", i)
		inv := s.Invite(t, tn, email, nil)
		want[inv["invitedUser"].(map[string]any)["id"].(string)] = email
	}
	a, _ := adapter(t, s, tn.Token)
	res, err := a.Send(t.Context(), get("/users?%24top=3&%24select=id,displayName,mail"), newUserPage, nil)
	if err != nil {
		t.Fatalf("GET /users: %v", err)
	}
	first := res.(*userPage)
	if len(first.value) != 3 || first.nextLink == nil {
		t.Fatalf("first page: %d users, nextLink %v; want 3 and a nextLink", len(first.value), first.nextLink)
	}
	it, err := msgraphcore.NewPageIterator[*user](res, a, newUserPage)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	pages, last := 1, first.nextLink
	err = it.Iterate(t.Context(), func(u *user) bool {
		if next := it.GetOdataNextLink(); next != last {
			pages++
			last = next
		}
		if u.id == nil {
			t.Errorf("a user without id: %+v", u)
			return true
		}
		seen[*u.id]++
		if email, ok := want[*u.id]; ok && (u.mail == nil || *u.mail != email) {
			t.Errorf("user %s: mail %v, want %s", *u.id, u.mail, email)
		}
		return true
	})
	if err != nil {
		t.Fatalf("iterate: %v", err)
	}
	if pages < 3 {
		t.Errorf("the iterator fetched %d pages, want at least 3", pages)
	}
	for id, email := range want {
		if seen[id] != 1 {
			t.Errorf("guest %s (%s) seen %d times, want once", id, email, seen[id])
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("user %s seen %d times", id, n)
		}
	}
}

// emailConfig is the email authentication method configuration; only
// allowExternalIdToUseEmailOtp is read.
type emailConfig struct {
	allowExternalIDToUseEmailOtp *string
	additional                   map[string]any
}

func newEmailConfig(serialization.ParseNode) (serialization.Parsable, error) {
	return &emailConfig{additional: map[string]any{}}, nil
}

func (c *emailConfig) Serialize(w serialization.SerializationWriter) error {
	if err := w.WriteStringValue("allowExternalIdToUseEmailOtp", c.allowExternalIDToUseEmailOtp); err != nil {
		return err
	}
	return w.WriteAdditionalData(c.additional)
}

func (c *emailConfig) GetFieldDeserializers() map[string]func(serialization.ParseNode) error {
	return map[string]func(serialization.ParseNode) error{
		"allowExternalIdToUseEmailOtp": func(n serialization.ParseNode) error {
			v, err := n.GetStringValue()
			c.allowExternalIDToUseEmailOtp = v
			return err
		},
	}
}

func (c *emailConfig) GetAdditionalData() map[string]any  { return c.additional }
func (c *emailConfig) SetAdditionalData(v map[string]any) { c.additional = v }

// TestGraphCorePatchEmailPolicy: a PATCH of the email OTP policy sent by
// the request adapter with Graph's default middleware, which gzips the
// body, changes the policy.
func TestGraphCorePatchEmailPolicy(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	a, w := adapter(t, s, tn.Token)
	const path = "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email"

	patch := abstractions.NewRequestInformation()
	patch.Method = abstractions.PATCH
	patch.UrlTemplate = "{+baseurl}" + path
	patch.Headers.TryAdd("Accept", "application/json")
	patch.SetStreamContentAndContentType([]byte(`{"@odata.type":"#microsoft.graph.emailAuthenticationMethodConfiguration","allowExternalIdToUseEmailOtp":"disabled"}`), "application/json")
	err := a.SendNoContent(t.Context(), patch, nil)
	// The compression handler gzips the body (and sends it again
	// uncompressed only if the answer is 415). Graph takes a gzipped body;
	// so must guestlist.
	reqs := w.requests()
	if len(reqs) == 0 || reqs[0].method != http.MethodPatch || reqs[0].contentEncoding != "gzip" {
		t.Fatalf("the first request on the wire: %+v, want a gzipped PATCH", reqs)
	}
	if reqs[0].status/100 != 2 {
		t.Fatalf("the server refused the gzipped PATCH (Content-Encoding: gzip) with %d; all requests: %+v", reqs[0].status, reqs)
	}
	if err != nil {
		t.Fatalf("PATCH: %v", err)
	}

	res, err := a.Send(t.Context(), get(path), newEmailConfig, nil)
	if err != nil {
		t.Fatalf("GET after PATCH: %v", err)
	}
	if v := res.(*emailConfig).allowExternalIDToUseEmailOtp; v == nil || *v != "disabled" {
		t.Errorf("allowExternalIdToUseEmailOtp after PATCH: %v, want disabled", v)
	}
}
