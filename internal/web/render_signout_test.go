package web

import (
	"net/http"
	"strings"
	"testing"

	"guestlist/internal/i18n"
)

// The logout pages (signout.go), checked as the other pages are: every
// language, what they show, hostile data, English goldens.

var signoutCases = []pageCase{
	{"signout", 200, func(r *renderer, w http.ResponseWriter, d pageData) {
		r.signout(w, 200, signoutPage{base: d.base(), Action: "/t1/signout", ClientID: "5d7a3c1e-8f2b-4a6d-9c0e-1b2f3a4d5e6f",
			RedirectURI: d.Link, State: d.Name})
	}},
	messageCase("message-signedout", 200, "signedout.heading", "signedout.body", true, false),
}

// TestSignoutPagesRenderInEveryLanguage: translated heading and text in
// every language, nothing left untranslated or unfilled, the organization
// named.
func TestSignoutPagesRenderInEveryLanguage(t *testing.T) {
	wantEveryLanguage(t, signoutCases)
	r, cat := testRenderer(t)
	for _, c := range signoutCases {
		for _, lang := range i18n.Languages {
			if out := renderCase(t, r, c, plainData(cat, lang)); !strings.Contains(out, "Fabrikam") {
				t.Errorf("%s %s: the organization is not named:\n%s", c.name, lang, out)
			}
		}
	}
}

// TestSignoutPageCarriesTheRequest: the confirmation posts back, to the
// tenant's own page, what the application asked for.
func TestSignoutPageCarriesTheRequest(t *testing.T) {
	r, cat := testRenderer(t)
	out := renderCase(t, r, signoutCases[0], plainData(cat, "en"))
	for _, w := range []string{`<form method="post" action="/t1/signout">`,
		`name="client_id" value="5d7a3c1e-8f2b-4a6d-9c0e-1b2f3a4d5e6f"`,
		`name="post_logout_redirect_uri" value="https://app.example/welcome"`, `name="state" value="Alice Adams"`, `id="signout"`} {
		if !strings.Contains(out, w) {
			t.Errorf("page does not contain %q:\n%s", w, out)
		}
	}
}

// TestSignoutPageEscapesData: what the application's request carries
// reaches the page as attribute values, never markup.
func TestSignoutPageEscapesData(t *testing.T) {
	r, cat := testRenderer(t)
	for _, lang := range i18n.Languages {
		// The redirect URI is only a value posted back: the POST follows it
		// only when it is registered for the application.
		d := pageData{L: Loc{Lang: lang, cat: cat}, Org: `<script>alert(1)</script>`, Name: `x"><script>alert(2)</script>`,
			Link: `https://app.example/"><script>alert(3)</script>`}
		out := renderCase(t, r, signoutCases[0], d)
		for _, raw := range []string{"<script", `"><`} {
			if strings.Contains(out, raw) {
				t.Errorf("%s: %q reached the page unescaped:\n%s", lang, raw, out)
			}
		}
	}
}

// TestPagesGoldenSignout pins the English logout pages (rewritten by the
// same -update as the other goldens).
func TestPagesGoldenSignout(t *testing.T) {
	r, cat := testRenderer(t)
	for _, c := range signoutCases {
		t.Run(c.name, func(t *testing.T) {
			checkGolden(t, c.name, []byte(renderCase(t, r, c, plainData(cat, "en"))))
		})
	}
}
