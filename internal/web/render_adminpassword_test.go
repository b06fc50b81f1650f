package web

import (
	"net/http"
	"strings"
	"testing"

	"guestlist/internal/i18n"
)

// The set-password pages of an administrator's mailed link
// (adminpassword.go), checked as the other pages are: every language, the
// token only in the form's body, hostile data, English goldens.

func adminPasswordCase(name string, status int, errID string) pageCase {
	return pageCase{name, status, func(r *renderer, w http.ResponseWriter, d pageData) {
		r.adminPassword(w, status, adminPasswordPage{base: d.base(), Email: d.Email, Action: "/t1/admin/password",
			Token: d.Name, Error: errID, Min: 8, Max: 256})
	}}
}

var adminPasswordCases = []pageCase{
	adminPasswordCase("adminpassword", 200, ""),
	adminPasswordCase("adminpassword-short", 400, "password.weak.short"),
	adminPasswordCase("adminpassword-common", 400, "password.weak.common"),
	messageCase("adminpassword-invalid", 404, "adminpassword.invalid.heading", "adminpassword.invalid.body", true, false),
	messageCase("adminpassword-used", 410, "adminpassword.used.heading", "adminpassword.used.body", true, false),
	messageCase("adminpassword-expired", 410, "adminpassword.expired.heading", "adminpassword.expired.body", true, false),
}

func TestAdminPasswordPagesRenderInEveryLanguage(t *testing.T) {
	wantEveryLanguage(t, adminPasswordCases)
}

// TestAdminPasswordPageCarriesTheToken: the form posts the token in a
// hidden field to a URL without it, and names the account.
func TestAdminPasswordPageCarriesTheToken(t *testing.T) {
	r, cat := testRenderer(t)
	d := plainData(cat, "en")
	d.Name = "TOKEN234567"
	out := renderCase(t, r, adminPasswordCases[0], d)
	for _, w := range []string{`<form method="post" action="/t1/admin/password">`,
		`name="token" type="hidden" value="TOKEN234567"`, `autocomplete="new-password"`, "alice@contoso.com", "Fabrikam"} {
		if !strings.Contains(out, w) {
			t.Errorf("page does not contain %q:\n%s", w, out)
		}
	}
}

func TestAdminPasswordPageEscapesData(t *testing.T) {
	r, cat := testRenderer(t)
	for _, lang := range i18n.Languages {
		d := pageData{L: Loc{Lang: lang, cat: cat}, Org: `<script>alert(1)</script>`,
			Email: `"o'brien <x>"@contoso.com`, Name: `x"><script>alert(2)</script>`}
		out := renderCase(t, r, adminPasswordCases[0], d)
		for _, raw := range []string{"<script", `"><`, "<x>"} {
			if strings.Contains(out, raw) {
				t.Errorf("%s: %q reached the page unescaped:\n%s", lang, raw, out)
			}
		}
	}
}

func TestPagesGoldenAdminPassword(t *testing.T) {
	r, cat := testRenderer(t)
	for _, c := range adminPasswordCases {
		t.Run(c.name, func(t *testing.T) {
			checkGolden(t, c.name, []byte(renderCase(t, r, c, plainData(cat, "en"))))
		})
	}
}
