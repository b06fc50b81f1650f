package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"guestlist/internal/i18n"
)

// The sign-in page of an authorization request (signin.go) and the guest
// portal, checked as render_test.go checks the redemption pages: every
// language, every error the handlers show, hostile data, English goldens.
// They live in a file of their own so the two lists of cases can grow
// independently; the golden test's name starts with TestPagesGolden so the
// one -update command rewrites both.

// signinCase renders the sign-in page as a handler does; prefill says
// whether the address field is filled (a login_hint, or what the guest
// typed when the page comes back with an error).
func signinCase(name string, status int, errID string, prefill bool, app string) pageCase {
	return pageCase{name, status, func(r *renderer, w http.ResponseWriter, d pageData) {
		p := signinPage{base: d.base(), Action: "/t1/signin", Error: errID}
		if prefill {
			p.Email = d.Email
		}
		if app != "" {
			p.App = app
		} else {
			p.Request = "Q2hyb21pdW0gcmVxdWVzdA"
		}
		r.signin(w, status, p)
	}}
}

// portalCase renders the portal with the applications shared with the
// guest; the first one's name comes from the case's data, as an
// administrator typed it.
func portalCase(name string, withApps bool) pageCase {
	return pageCase{name, 200, func(r *renderer, w http.ResponseWriter, d pageData) {
		p := portalPage{base: d.base()}
		if withApps {
			p.Apps = []portalApp{
				{Name: d.Name + " projects", Link: "/t1/apps/5d7a3c1e-8f2b-4a6d-9c0e-1b2f3a4d5e6f"},
				{Name: "Timesheets", Link: "/t1/apps/0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d"},
			}
		}
		r.portal(w, 200, p)
	}}
}

// signinCases are every state of signin.html and portal.html that
// signin.go renders: authorize, startSignin (each error), directLink and
// portal.
var signinCases = []pageCase{
	signinCase("signin", 200, "", false, ""),
	signinCase("signin-hint", 200, "", true, ""),
	signinCase("signin-app", 200, "", false, "5d7a3c1e-8f2b-4a6d-9c0e-1b2f3a4d5e6f"),
	signinCase("signin-invalid", 400, "signin.invalid", true, ""),
	signinCase("signin-toomany", 429, "signin.toomany", true, ""),
	portalCase("portal", true),
	portalCase("portal-empty", false),
}

var errorTextRE = regexp.MustCompile(`id="error">([^<]*)<`)

// TestSigninPagesRenderInEveryLanguage: the sign-in and portal pages render
// in every language (SPEC R53) with every placeholder filled, no message id
// or template action left over, and neither the heading nor the error in
// English outside English.
func TestSigninPagesRenderInEveryLanguage(t *testing.T) {
	r, cat := testRenderer(t)
	for _, c := range signinCases {
		t.Run(c.name, func(t *testing.T) {
			var english shownParts
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
				got := partsOf(out)
				if got.heading == "" {
					t.Errorf("%s: no heading:\n%s", lang, out)
				}
				if lang == "en" {
					english = got
					continue
				}
				if got.heading == english.heading {
					t.Errorf("%s: heading %q is the English one", lang, got.heading)
				}
				if got.err != "" && got.err == english.err {
					t.Errorf("%s: error %q is the English one", lang, got.err)
				}
			}
		})
	}
}

// shownParts are the parts of a page that must be translated.
type shownParts struct{ heading, err string }

func partsOf(out string) shownParts {
	var p shownParts
	if h := headingRE.FindStringSubmatch(out); h != nil {
		p.heading = strings.TrimSpace(h[1])
	}
	if e := errorTextRE.FindStringSubmatch(out); e != nil {
		p.err = e[1]
	}
	return p
}

// TestSigninPagesShowWhatTheyAreGiven: each case shows what makes it that
// case — the error, the prefilled address, the hidden request or
// application, the list of applications or the empty notice — so a
// template that drops a field fails here and not only in the goldens.
func TestSigninPagesShowWhatTheyAreGiven(t *testing.T) {
	r, cat := testRenderer(t)
	want := map[string][]string{
		"signin":         {`name="email"`, `value=""`, `name="request" value="Q2hyb21pdW0gcmVxdWVzdA"`, `name="app" value=""`, `id="next"`},
		"signin-hint":    {`value="alice@contoso.com"`},
		"signin-app":     {`name="request" value=""`, `name="app" value="5d7a3c1e-8f2b-4a6d-9c0e-1b2f3a4d5e6f"`},
		"signin-invalid": {`role="alert" id="error">Enter a valid email address`, `value="alice@contoso.com"`},
		"signin-toomany": {`role="alert" id="error">Too many sign-in attempts.`, `value="alice@contoso.com"`},
		"portal": {`id="apps"`, `<a href="/t1/apps/5d7a3c1e-8f2b-4a6d-9c0e-1b2f3a4d5e6f">Alice Adams projects</a>`,
			`<a href="/t1/apps/0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d">Timesheets</a>`},
		"portal-empty": {`id="empty"`},
	}
	for _, c := range signinCases {
		t.Run(c.name, func(t *testing.T) {
			out := renderCase(t, r, c, plainData(cat, "en"))
			if want[c.name] == nil {
				t.Fatalf("no expectations for case %s", c.name)
			}
			for _, w := range want[c.name] {
				if !strings.Contains(out, w) {
					t.Errorf("page does not contain %q:\n%s", w, out)
				}
			}
			if c.name == "portal-empty" && strings.Contains(out, `id="apps"`) {
				t.Errorf("the empty portal shows a list of applications:\n%s", out)
			}
			if !strings.HasPrefix(c.name, "signin-") || c.name == "signin-hint" || c.name == "signin-app" {
				if strings.Contains(out, `id="error"`) {
					t.Errorf("page shows an error it was not given:\n%s", out)
				}
			}
		})
	}
}

// TestSigninPagesEscapeData: the organization's name, the address typed or
// given as login_hint, the request and application ids posted back by the
// browser, and the applications' names as administrators typed them reach
// the page as text and attribute values, never as markup, in every
// language.
func TestSigninPagesEscapeData(t *testing.T) {
	r, cat := testRenderer(t)
	const org = `<script>alert(1)</script>`
	hostile := func(lang string) pageData {
		return pageData{L: Loc{Lang: lang, cat: cat}, Org: org,
			Email: `"o'brien <x>"@contoso.com`, Name: `Eve "><img src=x onerror=alert(2)>`,
			Link: "javascript:alert(3)"}
	}
	// The form fields startSignin echoes back from the POST body.
	posted := pageCase{"signin-posted", 400, func(r *renderer, w http.ResponseWriter, d pageData) {
		r.signin(w, 400, signinPage{base: d.base(), Action: "/t1/signin", Email: d.Email, Error: "signin.invalid",
			Request: `x"><script>alert(4)</script>`, App: `y' onfocus='alert(5)`})
	}}
	for _, c := range append(signinCases[:len(signinCases):len(signinCases)], posted) {
		t.Run(c.name, func(t *testing.T) {
			for _, lang := range i18n.Languages {
				out := renderCase(t, r, c, hostile(lang))
				for _, raw := range []string{"<script", "<img", "<x>", `"o'brien`, `"><`, `y'`, "javascript:"} {
					if strings.Contains(out, raw) {
						t.Errorf("%s: %q reached the page unescaped:\n%s", lang, raw, out)
					}
				}
				if !strings.Contains(out, `<p class="org">&lt;script&gt;alert(1)&lt;/script&gt;</p>`) {
					t.Errorf("%s: the organization's name is not shown as text:\n%s", lang, out)
				}
				if strings.HasPrefix(c.name, "signin-") && c.name != "signin-app" &&
					!strings.Contains(out, `value="&#34;o&#39;brien &lt;x&gt;&#34;@contoso.com"`) {
					t.Errorf("%s: the prefilled address is not kept, escaped, in the field:\n%s", lang, out)
				}
				if c.name == "portal" && !strings.Contains(out, `>Eve &#34;&gt;&lt;img src=x onerror=alert(2)&gt; projects</a>`) {
					t.Errorf("%s: the application's name is not shown as text:\n%s", lang, out)
				}
			}
		})
	}
}

// TestPagesGoldenSignin pins the English sign-in and portal pages byte for
// byte, next to TestPagesGolden's pages (and rewritten by the same
// command).
func TestPagesGoldenSignin(t *testing.T) {
	r, cat := testRenderer(t)
	for _, c := range signinCases {
		t.Run(c.name, func(t *testing.T) {
			got := []byte(renderCase(t, r, c, plainData(cat, "en")))
			checkGolden(t, c.name, got)
		})
	}
}
