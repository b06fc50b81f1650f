package server_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// rawBrowser is a browser whose requests the test shapes header by header
// (servertest.Guest sends only what a well-behaved browser would).
type rawBrowser struct {
	s *servertest.Server
	c *http.Client
}

func newRawBrowser(s *servertest.Server) *rawBrowser {
	jar, _ := cookiejar.New(nil)
	return &rawBrowser{s: s, c: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (b *rawBrowser) do(t *testing.T, method, path string, form url.Values, hdr map[string]string) servertest.Page {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, b.s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return servertest.Page{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Body: string(raw)}
}

// TestHostileLinksAndRequests: wrong or forged links, unknown tenants and
// requests without a flow get a clear page with the right status, never a
// server error.
func TestHostileLinksAndRequests(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	other := s.CreateTenant(t, "Contoso", "contoso.example")
	inv := invite(t, s, tn, "mallory@contoso.com")
	token := inv.link[strings.Index(inv.link, "?t=")+3:]
	id := "/" + tn.ID
	const (
		textTenant = "We couldn&#39;t find that organization."
		long       = "0123456789abcdef"
	)
	cases := []struct {
		name, method, path, lang string
		status                   int
		text                     string
	}{
		{"wrong token", "GET", id + "/redeem?t=" + strings.Repeat("x", 43), "", 404, textBadLink},
		{"missing token", "GET", id + "/redeem", "", 404, textBadLink},
		{"empty token", "GET", id + "/redeem?t=", "", 404, textBadLink},
		{"token one character short", "GET", id + "/redeem?t=" + token[:len(token)-1], "", 404, textBadLink},
		{"overlong token", "GET", id + "/redeem?t=" + strings.Repeat(long, 40), "", 404, textBadLink},
		{"token with NUL and markup", "GET", id + "/redeem?t=%00%3Cscript%3E", "", 404, textBadLink},
		{"token of another tenant", "GET", "/" + other.ID + "/redeem?t=" + token, "", 404, textBadLink},
		{"unknown tenant id", "GET", "/00000000-0000-4000-8000-000000000000/redeem?t=" + token, "", 404, textTenant},
		{"unknown tenant domain", "GET", "/nowhere.example/signin/passcode", "", 404, textTenant},
		{"malformed tenant", "GET", "/a..b/redeem?t=" + token, "", 404, textTenant},
		{"quoted tenant", "GET", "/%27%20OR%201=1%20--/redeem?t=" + token, "", 404, textTenant},
		{"overlong tenant", "GET", "/" + strings.Repeat(long, 20) + ".example/redeem?t=" + token, "", 404, textTenant},
		{"code page without a flow", "GET", id + "/signin/code", "", 400, textNoFlow},
		{"code without a flow", "POST", id + "/signin/code", "", 400, textNoFlow},
		{"send without a flow", "POST", id + "/signin/passcode", "", 400, textNoFlow},
		{"consent without a flow", "POST", id + "/signin/consent", "", 400, textNoFlow},
		{"garbage Accept-Language", "GET", id + "/redeem?t=" + token, "*;q=x,,;;en-;q=2,zz-ZZZZ-1", 303, ""},
		{"huge ui_locales", "GET", id + "/redeem?t=" + token + "&ui_locales=" + url.QueryEscape(strings.Repeat("de ", 4000)), "", 303, ""},
	}
	t.Run("pages", func(t *testing.T) { // returns once every parallel case is done
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				g := s.NewGuest(tc.lang)
				var p servertest.Page
				if tc.method == "POST" {
					p = g.Post(t, tc.path, url.Values{"code": {"12345678"}, "action": {"accept"}})
				} else {
					p = g.Get(t, tc.path)
				}
				if p.Status != tc.status || !strings.Contains(p.Body, tc.text) {
					t.Fatalf("%s %.80s: %d, want %d with %q\n%.800s", tc.method, tc.path, p.Status, tc.status, tc.text, p.Body)
				}
				if tc.status == 303 {
					if start := g.Follow(t, p); start.Status != http.StatusOK || !strings.Contains(start.Body, `id="send"`) {
						t.Fatalf("after the link: %d\n%.500s", start.Status, start.Body)
					}
				}
			})
		}
	})
	if n := codesMailed(t, s, inv.email); n != 0 {
		t.Errorf("%d passcode mails after hostile requests, want none", n)
	}
}

// TestForgedFlowCookie: a made-up flow cookie gets the no-flow page.
func TestForgedFlowCookie(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	b := newRawBrowser(s)
	for _, v := range []string{"garbage", strings.Repeat("A", 4000), "%00"} {
		p := b.do(t, "GET", "/"+tn.ID+"/signin/passcode", nil, map[string]string{"Cookie": "gl-flow-" + tn.ID + "=" + v})
		wantRefused(t, p, http.StatusBadRequest, textNoFlow)
	}
}

// TestCrossSiteFormsRefused: a form posted from another site is refused
// (403) before it can mail a code or use one; the same browser's own form
// still works afterwards, so nothing was spent.
func TestCrossSiteFormsRefused(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	inv := invite(t, s, tn, "oscar@contoso.com")
	b := newRawBrowser(s)
	path := strings.TrimPrefix(inv.link, s.URL)
	if p := b.do(t, "GET", path, nil, nil); p.Status != http.StatusSeeOther {
		t.Fatalf("open link: %d", p.Status)
	}
	base := "/" + tn.ID
	for _, hdr := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
		{"Sec-Fetch-Site": "same-site", "Origin": "https://evil." + tn.ID + ".example"},
		{"Origin": "https://evil.example"}, // a browser without Fetch Metadata
	} {
		for _, post := range []struct {
			path string
			form url.Values
		}{
			{base + "/signin/passcode", url.Values{}},
			{base + "/signin/passcode?from=code", url.Values{}},
			{base + "/signin/code", url.Values{"code": {"12345678"}}},
			{base + "/signin/consent", url.Values{"action": {"accept"}}},
		} {
			p := b.do(t, "POST", post.path, post.form, hdr)
			if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "This request could not be verified.") {
				t.Errorf("POST %s with %v: %d, want 403 (CSRF)\n%.500s", post.path, hdr, p.Status, p.Body)
			}
		}
	}
	if n := codesMailed(t, s, inv.email); n != 0 {
		t.Fatalf("%d passcode mails after cross-site posts, want none", n)
	}

	own := map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": s.URL}
	if p := b.do(t, "POST", base+"/signin/passcode", url.Values{}, own); p.Status != http.StatusSeeOther {
		t.Fatalf("same-origin Send code after the refused ones: %d, want 303 (not throttled)\n%.500s", p.Status, p.Body)
	}
	code := waitCode(t, s, inv.email, 1)
	if p := b.do(t, "POST", base+"/signin/code", url.Values{"code": {code}}, own); p.Status != http.StatusSeeOther || p.Location != base+"/signin/consent" {
		t.Fatalf("same-origin code: %d to %q", p.Status, p.Location)
	}
}

// TestMalformedCodes: markup, huge and non-digit input gets the
// malformed-code message, is never echoed back, and leaves the flow
// working.
func TestMalformedCodes(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	inv := invite(t, s, tn, "peggy@contoso.com")
	g := s.NewGuest("en")
	base := openLink(t, g, inv.link)
	mustSend(t, g, base, false)
	code := waitCode(t, s, inv.email, 1)
	for _, in := range []string{
		`"><script>alert(1)</script>`,
		strings.Repeat("9", 10000),
		"abcdefgh",
		"１２３４５６７８", // full-width digits
	} {
		p := enter(t, g, base, in)
		wantRefused(t, p, http.StatusBadRequest, textMalformed)
		if strings.Contains(p.Body, "<script>") || strings.Contains(p.Body, in[:8]) {
			t.Fatalf("the page echoes the input %.40q:\n%s", in, p.Body)
		}
	}
	wantConsentNext(t, enter(t, g, base, code[:4]+" "+code[4:]), base)
}
