package servertest

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// Guest is one browser: a cookie jar, a language, and no automatic
// redirects, so tests see each step.
type Guest struct {
	s      *Server
	client *http.Client
	Lang   string
	// Header is sent with every request (a proxy's X-Forwarded-For, say).
	Header http.Header
}

// NewGuest returns a browser whose Accept-Language is lang ("" for none).
func (s *Server) NewGuest(lang string) *Guest {
	jar, _ := cookiejar.New(nil)
	return &Guest{s: s, Lang: lang, Header: http.Header{}, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Page is a response as the guest sees it.
type Page struct {
	Status   int
	Location string // redirect target, if any
	Body     string
}

// Get opens a URL (absolute, or a path on the server).
func (g *Guest) Get(t testing.TB, u string) Page {
	t.Helper()
	return g.do(t, http.MethodGet, u, nil)
}

// Post submits a form.
func (g *Guest) Post(t testing.TB, u string, form url.Values) Page {
	t.Helper()
	return g.do(t, http.MethodPost, u, form)
}

func (g *Guest) do(t testing.TB, method, u string, form url.Values) Page {
	t.Helper()
	if strings.HasPrefix(u, "/") {
		u = g.s.URL + u
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, vs := range g.Header {
		req.Header[k] = vs
	}
	if g.Lang != "" {
		req.Header.Set("Accept-Language", g.Lang)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return Page{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Body: string(raw)}
}

// Follow opens where a redirect points, relative to the server.
func (g *Guest) Follow(t testing.TB, p Page) Page {
	t.Helper()
	if p.Location == "" {
		t.Fatalf("expected a redirect, got %d: %.300s", p.Status, p.Body)
	}
	return g.Get(t, p.Location)
}

// Redeem walks a guest through a redeem link: open it, press Send code,
// enter the n-th code mailed to email, and returns the answer to the code
// (a redirect to consent for a first redemption).
func (g *Guest) Redeem(t testing.TB, link, email string, n int) Page {
	t.Helper()
	opened := g.Get(t, link)
	start := g.Follow(t, opened)
	if start.Status != http.StatusOK || !strings.Contains(start.Body, `id="send"`) {
		t.Fatalf("redeem link: expected the Send code page, got %d: %.300s", start.Status, start.Body)
	}
	base := TenantBase(opened.Location)
	sent := g.Post(t, base+"/signin/passcode", url.Values{})
	if sent.Status != http.StatusSeeOther {
		t.Fatalf("send code: %d %.300s", sent.Status, sent.Body)
	}
	code := g.s.WaitCode(t, email, n)
	return g.Post(t, base+"/signin/code", url.Values{"code": {code}})
}

// TenantBase is the "/{tenant}" prefix of a guest page URL or path.
func TenantBase(u string) string {
	if pu, err := url.Parse(u); err == nil {
		u = pu.Path
	}
	parts := strings.SplitN(strings.TrimPrefix(u, "/"), "/", 2)
	return "/" + parts[0]
}

var onward = regexp.MustCompile(`<meta http-equiv="refresh" content="0;url=([^"]+)">`)

// Onward is where a page that moves on by itself sends the browser (the
// page that leaves for an identity provider), after checking that it is
// such a page.
func Onward(t testing.TB, p Page) string {
	t.Helper()
	m := onward.FindStringSubmatch(p.Body)
	if p.Status != http.StatusOK || m == nil {
		t.Fatalf("expected a page that moves on by itself, got %d: %.300s", p.Status, p.Body)
	}
	return html.UnescapeString(m[1])
}
