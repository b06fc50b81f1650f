package web

import (
	"bytes"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"guestlist/internal/i18n"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.html from the English pages")

// pageCase is one page as a handler renders it: the same page type, status
// and message ids, with plain data that the hostile cases replace.
type pageCase struct {
	name   string
	status int
	render func(r *renderer, w http.ResponseWriter, d pageData)
}

// pageData is what a case fills its page with.
type pageData struct {
	L     Loc
	Org   string
	Email string
	Name  string
	Link  string
}

func (d pageData) base() base { return base{L: d.L, Org: d.Org} }

func startCase(name string, status int, errID string, wait int) pageCase {
	return pageCase{name, status, func(r *renderer, w http.ResponseWriter, d pageData) {
		r.start(w, status, startPage{base: d.base(), Email: d.Email, Action: "/t1/signin/passcode", Error: errID, Wait: wait, WaitMinutes: minutes(wait)})
	}}
}

func codeCase(name string, status int, notice, errID string, wait int) pageCase {
	return pageCase{name, status, func(r *renderer, w http.ResponseWriter, d pageData) {
		r.code(w, status, codePage{base: d.base(), Email: d.Email, Action: "/t1/signin/code",
			Resend: "/t1/signin/passcode?from=code", Minutes: 30, Digits: 8, Notice: notice, Error: errID, Wait: wait, WaitMinutes: minutes(wait)})
	}}
}

// messageCase renders a message page; withOrg says whether the handler
// knows the tenant (an unknown tenant or a refused request does not).
func messageCase(name string, status int, heading, body string, withOrg, withLink bool) pageCase {
	return pageCase{name, status, func(r *renderer, w http.ResponseWriter, d pageData) {
		b := d.base()
		if !withOrg {
			b.Org = ""
		}
		p := messagePage{base: b, Heading: heading, Body: body}
		if withLink {
			p.Link = d.Link
		}
		r.message(w, status, p)
	}}
}

// pageCases are every page and every notice, error, heading and body the
// handlers in handlers.go, web.go and routes.go render.
var pageCases = []pageCase{
	startCase("start", 200, "", 0),
	startCase("start-wait", 429, "code.wait", 27),
	startCase("start-toomany", 429, "code.toomany", 1740),
	startCase("start-ceiling", 429, "code.ceiling", 3599),
	codeCase("code", 200, "", "", 0),
	codeCase("code-resent", 200, "code.resent", "", 0),
	codeCase("code-newsent", 200, "code.newsent", "", 0),
	codeCase("code-malformed", 400, "", "code.malformed", 0),
	codeCase("code-wrong", 400, "", "code.wrong", 0),
	codeCase("code-expired", 400, "", "code.expired", 0),
	codeCase("code-locked", 429, "", "code.locked", 600),
	codeCase("code-flowlocked", 429, "", "code.flowlocked", 600),
	codeCase("code-wait", 429, "", "code.wait", 27),
	codeCase("code-toomany", 429, "", "code.toomany", 1740),
	codeCase("code-ceiling", 429, "", "code.ceiling", 3599),
	{"consent", 200, func(r *renderer, w http.ResponseWriter, d pageData) {
		r.consent(w, 200, consentPage{base: d.base(), Name: d.Name, NameGiven: true, Email: d.Email, Action: "/t1/signin/consent"})
	}},
	{"consent-noname", 200, func(r *renderer, w http.ResponseWriter, d pageData) {
		r.consent(w, 200, consentPage{base: d.base(), Name: "greta", Email: d.Email, Action: "/t1/signin/consent"})
	}},
	messageCase("message-done", 200, "done.heading", "done.body", true, true),
	messageCase("message-declined", 200, "declined.heading", "declined.body", true, false),
	messageCase("message-redeemed", 409, "redeemed.heading", "redeemed.body", true, true),
	messageCase("error-otpoff", 403, "error.heading", "error.otpoff", true, false),
	messageCase("error-blocked", 403, "error.heading", "error.blocked", true, false),
	messageCase("error-link", 404, "error.heading", "error.link", true, false),
	messageCase("error-notfound", 404, "error.heading", "error.link", false, false),
	messageCase("error-flow", 400, "error.heading", "error.flow", true, false),
	messageCase("error-internal", 500, "error.heading", "error.internal", true, false),
	messageCase("error-internal-notenant", 500, "error.heading", "error.internal", false, false),
	messageCase("error-tenant", 404, "error.heading", "error.tenant", false, false),
	messageCase("error-forbidden", 403, "error.heading", "error.forbidden", false, false),
	messageCase("refused-client", 400, "refused.heading", "refused.client", true, false),
	messageCase("refused-client-common", 400, "refused.heading", "refused.client.common", false, false),
	messageCase("refused-redirect", 400, "refused.heading", "refused.redirect", true, false),
	messageCase("refused-request", 400, "refused.heading", "refused.request", false, false),
}

func testRenderer(t *testing.T) (*renderer, *i18n.Catalog) {
	t.Helper()
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	r, err := newRenderer(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return r, cat
}

func renderCase(t *testing.T, r *renderer, c pageCase, d pageData) string {
	t.Helper()
	w := httptest.NewRecorder()
	c.render(r, w, d)
	if w.Code != c.status {
		t.Fatalf("status %d, want %d (a render error answers 500):\n%s", w.Code, c.status, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	return w.Body.String()
}

var (
	htmlLangRE = regexp.MustCompile(`<html lang="([^"]*)">`)
	headingRE  = regexp.MustCompile(`<h1>([^<]*)</h1>`)
)

// TestPagesRenderInEveryLanguage: every page renders in every language
// (SPEC R53) with every placeholder filled and no message id, template
// action or English heading left over.
func TestPagesRenderInEveryLanguage(t *testing.T) {
	wantEveryLanguage(t, pageCases)
}

// wantEveryLanguage renders each case in every language and checks the
// page's language, that no message id, placeholder or bad value is left
// over, and that the heading is translated.
func wantEveryLanguage(t *testing.T, cases []pageCase) {
	r, cat := testRenderer(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			english := ""
			for _, lang := range i18n.Languages {
				out := renderCase(t, r, c, plainData(cat, lang))
				if m := htmlLangRE.FindStringSubmatch(out); m == nil || m[1] != lang {
					t.Errorf("%s: <html lang=…> is %v, want %q", lang, m, lang)
				}
				for _, id := range cat.IDs() {
					if strings.Contains(out, id) {
						t.Errorf("%s: message id %q shows untranslated:\n%s", lang, id, out)
					}
				}
				for _, leak := range []string{"{{", "}}", "no value>", "ZgotmplZ", "%!"} {
					if strings.Contains(out, leak) {
						t.Errorf("%s: output contains %q (an unfilled placeholder or a bad value):\n%s", lang, leak, out)
					}
				}
				h := headingRE.FindStringSubmatch(out)
				if h == nil || strings.TrimSpace(h[1]) == "" {
					t.Errorf("%s: no heading:\n%s", lang, out)
					continue
				}
				if lang == "en" {
					english = h[1]
				} else if h[1] == english {
					t.Errorf("%s: heading %q is the English one", lang, h[1])
				}
			}
		})
	}
}

func plainData(cat *i18n.Catalog, lang string) pageData {
	return pageData{L: Loc{Lang: lang, cat: cat}, Org: "Fabrikam", Email: "alice@contoso.com",
		Name: "Alice Adams", Link: "https://app.example/welcome"}
}

// TestPagesEscapeData: what guests, inviters and administrators typed (the
// organization's name, a display name, an address with quotes) reaches the
// page as text, never as markup, in every language.
func TestPagesEscapeData(t *testing.T) {
	r, cat := testRenderer(t)
	const org = `<script>alert(1)</script>`
	hostile := func(lang string) pageData {
		return pageData{L: Loc{Lang: lang, cat: cat}, Org: org,
			Email: `"o'brien <x>"@contoso.com`, Name: `Eve "><img src=x onerror=alert(2)>`,
			Link: "javascript:alert(3)"}
	}
	for _, c := range pageCases {
		t.Run(c.name, func(t *testing.T) {
			for _, lang := range i18n.Languages {
				out := renderCase(t, r, c, hostile(lang))
				for _, raw := range []string{"<script", "<img", "<x>", `"o'brien`, "javascript:"} {
					if strings.Contains(out, raw) {
						t.Errorf("%s: %q reached the page unescaped:\n%s", lang, raw, out)
					}
				}
				if strings.Contains(out, `class="org"`) && !strings.Contains(out, "&lt;script&gt;alert(1)&lt;/script&gt;") {
					t.Errorf("%s: the organization's name is not shown as text:\n%s", lang, out)
				}
			}
		})
	}
}

// checkGolden compares a rendered English page with testdata/<name>.golden.html
// (or writes it with -update).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", name+".golden.html")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v\nrun: go test ./internal/web -run TestPagesGolden -update", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the rendered page%s\nif the change is intended, run: go test ./internal/web -run TestPagesGolden -update",
			golden, firstDiff(want, got))
	}
}

// TestPagesGolden pins the English pages byte for byte, so a change to a
// template or a message shows in review as a change to testdata.
func TestPagesGolden(t *testing.T) {
	r, cat := testRenderer(t)
	for _, c := range pageCases {
		t.Run(c.name, func(t *testing.T) {
			got := []byte(renderCase(t, r, c, plainData(cat, "en")))
			checkGolden(t, c.name, got)
		})
	}
}

// firstDiff names the first line where want and got part.
func firstDiff(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g || i >= len(wl) || i >= len(gl) {
			return "\nfirst difference at line " + strconv.Itoa(i+1) + ":\n  golden:   " + w + "\n  rendered: " + g
		}
	}
	return ""
}
