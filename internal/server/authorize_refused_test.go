package server_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guestlist/internal/i18n"
	"guestlist/internal/servertest"
)

// refusedPage is the answer to a sign-in request as a browser gets it.
type refusedPage struct {
	status int
	header http.Header
	body   string
}

// getRefused is a GET without cookies or redirects, in a language.
func getRefused(t *testing.T, u, acceptLanguage string) refusedPage {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return refusedPage{resp.StatusCode, resp.Header, string(b)}
}

// wantRefusedPage: a 400 guest page in lang, styled like the others,
// framed by nobody, with the catalog's heading and body, going nowhere.
func wantRefusedPage(t *testing.T, p refusedPage, cat *i18n.Catalog, lang, body, org string) {
	t.Helper()
	if p.status != http.StatusBadRequest || p.header.Get("Location") != "" {
		t.Fatalf("status %d to %q, want 400 and no redirect:\n%.400s", p.status, p.header.Get("Location"), p.body)
	}
	if ct := p.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q, want a page", ct)
	}
	csp := p.header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "style-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy %q: the stylesheet must load and nobody may frame the page", csp)
	}
	for _, want := range []string{
		`<html lang="` + lang + `">`,
		`<link rel="stylesheet" href="/static/style.css">`,
		"<h1>" + html.EscapeString(cat.T(lang, "refused.heading", nil)) + "</h1>",
		html.EscapeString(cat.T(lang, body, map[string]any{"Org": org})),
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the page lacks %q:\n%s", want, p.body)
		}
	}
	if strings.Contains(p.body, "<a ") || strings.Contains(p.body, "evil.example") {
		t.Errorf("a refused request's page links somewhere or shows its redirect URI:\n%s", p.body)
	}
}

// TestAuthorizeRefusedPages: the first errors a developer meets at
// /authorize — an unknown client id, a redirect URI not registered for
// the application — are guest pages in the browser's language saying what
// to fix, with status 400, never a redirect to the unregistered URI
// (RFC 6749 section 4.1.2.1), at a tenant and at /common.
func TestAuthorizeRefusedPages(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	s, tn := newFabrikam(t, servertest.Options{})
	rp := newRelyingParty(t, s, tn, registerApp(t, s, tn, appRedirect))
	evil := rp.cfg
	evil.RedirectURL = "https://evil.example/callback"
	unknown := rp.cfg
	unknown.ClientID = "00000000-1111-4222-8333-444444444444"
	common, _ := url.Parse(unknown.AuthCodeURL("state"))
	common.Path = "/common/v2.0/authorize"

	cases := []struct {
		name, url, body, org string
	}{
		{"unknown client", unknown.AuthCodeURL("state"), "refused.client", "Fabrikam"},
		{"unregistered redirect URI", evil.AuthCodeURL("state"), "refused.redirect", "Fabrikam"},
		{"unknown client at /common", s.URL + common.RequestURI(), "refused.client.common", ""},
		{"request too large", rp.cfg.AuthCodeURL(strings.Repeat("s", 9<<10)), "refused.request", "Fabrikam"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, lang := range i18n.Languages {
				wantRefusedPage(t, getRefused(t, c.url, lang+";q=0.9"), cat, lang, c.body, c.org)
			}
		})
	}

	t.Run("what to fix, in English", func(t *testing.T) {
		p := getRefused(t, evil.AuthCodeURL("state"), "en")
		if !strings.Contains(p.body, "register this redirect URI on the application") {
			t.Errorf("the page does not say what to fix:\n%s", p.body)
		}
		p = getRefused(t, unknown.AuthCodeURL("state"), "en")
		if !strings.Contains(p.body, "register the application in Fabrikam") || !strings.Contains(p.body, "check the client ID") {
			t.Errorf("the page does not say what to fix:\n%s", p.body)
		}
	})

	t.Run("ui_locales wins over Accept-Language", func(t *testing.T) {
		u, _ := url.Parse(evil.AuthCodeURL("state"))
		q := u.Query()
		q.Set("ui_locales", "zh-TW")
		u.RawQuery = q.Encode()
		wantRefusedPage(t, getRefused(t, u.String(), "de"), cat, "zh-TW", "refused.redirect", "Fabrikam")
	})

	t.Run("the stylesheet loads", func(t *testing.T) {
		p := getRefused(t, s.URL+"/static/style.css", "")
		if p.status != http.StatusOK || !strings.HasPrefix(p.header.Get("Content-Type"), "text/css") {
			t.Errorf("/static/style.css: %d %q", p.status, p.header.Get("Content-Type"))
		}
	})
}
