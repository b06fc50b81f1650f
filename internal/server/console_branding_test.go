package server_test

import (
	"bytes"
	"html"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// Company branding (issue item 7) from the outside: a Global
// Administrator sets it in the console; guests see it on the tenant's
// pages and in its mails, and nowhere else.

func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// brandingForm is the console's branding form as the page fills it, with
// changes.
func (a *consoleAdmin) postBranding(t *testing.T, change url.Values, files ...servertest.File) servertest.Page {
	t.Helper()
	page := a.b.Get(t, a.prefix+"/branding")
	wantStatus(t, "branding page", page, http.StatusOK)
	form := url.Values{"csrf": {csrf(t, page)}}
	for k, v := range change {
		form[k] = v
	}
	return a.b.PostMultipart(t, a.prefix+"/branding", form, files...)
}

func TestBrandingStory(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	other := s.CreateTenant(t, "Northwind", "northwind.example")
	admin := newConsoleAdmin(t, s, fab, "ada", globalAdmin)
	admin.signIn(t)
	logo := testPNG(t, 240, 60)

	saved := admin.postBranding(t, url.Values{"color": {"#C0FFEE"}, "text": {"Welcome to Fabrikam.\n<script>alert(1)</script>"},
		"privacy": {"https://fabrikam.example/privacy"}, "subject": {"1"}}, servertest.File{Field: "logo", Name: "logo.png", Data: logo})
	wantStatus(t, "save branding", saved, http.StatusSeeOther)
	page := admin.b.Follow(t, saved)
	for _, want := range []string{"The branding was saved.", `src="/` + fab.ID + `/branding/logo"`, `value="#c0ffee"`,
		"&lt;script&gt;alert(1)&lt;/script&gt;", `href="https://fabrikam.example/privacy"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("branding page lacks %q", want)
		}
	}
	if strings.Contains(page.Body, "<script>") {
		t.Error("the console shows the sign-in text as HTML")
	}

	// The logo comes back as it was uploaded, as a PNG, not sniffed.
	resp, body := s.Fetch(t, "/"+fab.ID+"/branding/logo")
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, logo) || resp.Header.Get("Content-Type") != "image/png" ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age=") ||
		resp.Header.Get("ETag") == "" {
		t.Errorf("logo: %d %v, %d bytes", resp.StatusCode, resp.Header, len(body))
	}
	resp, body = s.Fetch(t, "/"+fab.ID+"/branding/style.css")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") ||
		!strings.Contains(string(body), "#c0ffee") {
		t.Errorf("style.css: %d %v\n%s", resp.StatusCode, resp.Header, body)
	}

	// A guest sees it on the start page and the consent page.
	raw := s.Invite(t, fab, "greta@contoso.example", map[string]any{"sendInvitationMessage": true})
	invMail := s.WaitMail(t, "greta@contoso.example", 1, "")
	if !strings.Contains(invMail.TextBody, "Privacy statement of Fabrikam: https://fabrikam.example/privacy") ||
		!strings.Contains(invMail.HTMLBody, `href="https://fabrikam.example/privacy"`) ||
		!strings.Contains(invMail.HTMLBody, "background:#c0ffee") {
		t.Errorf("invitation mail lacks the privacy statement or the colour:\n%s\n%s", invMail.TextBody, invMail.HTMLBody)
	}
	g := s.NewGuest("en")
	opened := g.Get(t, raw["inviteRedeemUrl"].(string))
	start := g.Follow(t, opened)
	base := servertest.TenantBase(opened.Location)
	wantBranded(t, "start page", start.Body, fab.ID, true)
	if !strings.Contains(start.Body, `<p class="signin-text" id="signin-text">Welcome to Fabrikam.
&lt;script&gt;alert(1)&lt;/script&gt;</p>`) {
		t.Errorf("start page lacks the sign-in text, escaped:\n%s", start.Body)
	}
	mustSend(t, g, base, false)
	wantConsentNext(t, enter(t, g, base, waitCode(t, s, "greta@contoso.example", 1)), base)
	consent := g.Get(t, base+"/signin/consent")
	wantBranded(t, "consent page", consent.Body, fab.ID, false)
	if !strings.Contains(consent.Body, `id="consent-privacy" href="https://fabrikam.example/privacy"`) {
		t.Errorf("consent page lacks the privacy statement:\n%s", consent.Body)
	}

	// The passcode mail links the privacy statement too.
	codeMail := waitMail(t, s, "greta@contoso.example", 1)
	if servertest.CodeIn(codeMail) == "" || !strings.Contains(codeMail.TextBody, "https://fabrikam.example/privacy") ||
		!strings.Contains(codeMail.HTMLBody, `href="https://fabrikam.example/privacy"`) {
		t.Errorf("passcode mail lacks the privacy statement:\n%s\n%s", codeMail.TextBody, codeMail.HTMLBody)
	}
	if code := servertest.CodeIn(codeMail); !strings.Contains(codeMail.Subject, code) {
		t.Errorf("with the passcode-in-subject setting on, the subject is %q", codeMail.Subject)
	}

	// Northwind's pages show none of Fabrikam's branding.
	inv2 := invite(t, s, other, "nils@contoso.example")
	g2 := s.NewGuest("en")
	start2 := g2.Follow(t, g2.Get(t, inv2.link))
	for _, leak := range []string{"/branding/", "fabrikam.example/privacy", "Welcome to Fabrikam", fab.ID} {
		if strings.Contains(start2.Body, leak) {
			t.Errorf("another tenant's start page shows %q", leak)
		}
	}
	if resp, _ := s.Fetch(t, "/"+other.ID+"/branding/logo"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another tenant's logo: %d, want 404", resp.StatusCode)
	}
	if _, css := s.Fetch(t, "/"+other.ID+"/branding/style.css"); strings.Contains(string(css), "#c0ffee") {
		t.Errorf("another tenant's stylesheet has the colour:\n%s", css)
	}

	// Removing the logo: 404, and the pages stop showing it.
	removed := admin.postBranding(t, url.Values{"color": {"#c0ffee"}, "text": {"Welcome to Fabrikam."},
		"privacy": {"https://fabrikam.example/privacy"}, "removelogo": {"1"}})
	wantStatus(t, "remove logo", removed, http.StatusSeeOther)
	if resp, _ := s.Fetch(t, "/"+fab.ID+"/branding/logo"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("removed logo: %d, want 404", resp.StatusCode)
	}

	// Each change is in the audit log.
	var logs struct {
		Value []struct {
			ActivityDisplayName string `json:"activityDisplayName"`
		} `json:"value"`
	}
	wantAPI(t, "audit log", s.DoJSON(t, "GET", "/v1.0/auditLogs/directoryAudits", fab.Token, nil, &logs), http.StatusOK)
	var n int
	for _, r := range logs.Value {
		if r.ActivityDisplayName == "Update company branding" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d branding changes in the audit log, want 2", n)
	}
}

// wantBranded checks a guest page shows the tenant's logo, stylesheet and
// privacy link.
func wantBranded(t *testing.T, what, body, tenantID string, footer bool) {
	t.Helper()
	for _, want := range []string{`<img class="logo" id="logo" src="/` + tenantID + `/branding/logo?v=`, `alt="Fabrikam"`,
		`<link rel="stylesheet" href="/` + tenantID + `/branding/style.css">`} {
		if !strings.Contains(body, want) {
			t.Errorf("%s lacks %q:\n%s", what, want, body)
		}
	}
	if footer && !strings.Contains(body, `<a id="privacy" href="https://fabrikam.example/privacy"`) {
		t.Errorf("%s lacks the privacy statement in its footer", what)
	}
}

func TestBrandingRefusals(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	admin := newConsoleAdmin(t, s, fab, "ada", globalAdmin)
	admin.signIn(t)
	ok := admin.postBranding(t, url.Values{"color": {"#123456"}, "privacy": {"https://fabrikam.example/privacy"}})
	wantStatus(t, "first branding", ok, http.StatusSeeOther)

	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
	htmlInPNG := append([]byte("\x89PNG\r\n\x1a\n"), "<html><script>alert(1)</script></html>"...)
	for _, tc := range []struct {
		name   string
		form   url.Values
		file   []byte
		status int
		says   string
	}{
		{"svg logo", nil, svg, http.StatusBadRequest, "it must be a PNG or JPEG image"},
		{"html in png", nil, htmlInPNG, http.StatusBadRequest, "it must be a PNG or JPEG image"},
		{"huge logo", nil, testPNG(t, 1200, 100), http.StatusBadRequest, "larger than 1000 × 400 pixels"},
		{"body over the bound", nil, append(testPNG(t, 10, 10), make([]byte, 200<<10)...), http.StatusRequestEntityTooLarge, "The form was too large"},
		{"css in colour", url.Values{"color": {"red;} body{display:none"}}, nil, http.StatusBadRequest, "The accent colour was refused"},
		{"javascript url", url.Values{"privacy": {"javascript:alert(1)"}}, nil, http.StatusBadRequest, "The privacy statement URL was refused"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"color": {"#123456"}, "privacy": {"https://fabrikam.example/privacy"}}
			for k, v := range tc.form {
				form[k] = v
			}
			var files []servertest.File
			if tc.file != nil {
				files = append(files, servertest.File{Field: "logo", Name: "logo.png", Data: tc.file})
			}
			p := admin.postBranding(t, form, files...)
			wantStatus(t, tc.name, p, tc.status)
			if !strings.Contains(html.UnescapeString(p.Body), tc.says) {
				t.Errorf("%s: page does not say %q:\n%.2000s", tc.name, tc.says, p.Body)
			}
		})
	}
	if resp, _ := s.Fetch(t, "/"+fab.ID+"/branding/logo"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("after refusals a logo is served: %d", resp.StatusCode)
	}
	_, css := s.Fetch(t, "/"+fab.ID+"/branding/style.css")
	if !strings.Contains(string(css), "#123456") || strings.Contains(string(css), "display:none") {
		t.Errorf("after refusals the stylesheet is:\n%s", css)
	}

	// A Guest Inviter may not change the branding, and changes nothing.
	inviter := newConsoleAdmin(t, s, fab, "ivan", guestInv)
	inviter.signIn(t)
	if p := inviter.b.Get(t, inviter.prefix+"/branding"); p.Status != http.StatusForbidden {
		t.Errorf("inviter opens the branding page: %d", p.Status)
	}
	home := inviter.b.Get(t, inviter.prefix+"/invite")
	if strings.Contains(home.Body, "/branding") {
		t.Error("the inviter's navigation offers the branding page")
	}
	p := inviter.b.PostMultipart(t, inviter.prefix+"/branding", url.Values{"csrf": {csrf(t, home)}, "color": {"#ff0000"}},
		servertest.File{Field: "logo", Name: "logo.png", Data: testPNG(t, 10, 10)})
	wantStatus(t, "inviter posts branding", p, http.StatusForbidden)
	_, css = s.Fetch(t, "/"+fab.ID+"/branding/style.css")
	if !strings.Contains(string(css), "#123456") || strings.Contains(string(css), "#ff0000") {
		t.Errorf("after the inviter's post the stylesheet is:\n%s", css)
	}
	if resp, _ := s.Fetch(t, "/"+fab.ID+"/branding/logo"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("after the inviter's post a logo is served: %d", resp.StatusCode)
	}
}

// TestBrandingPageLanguages: the branding page is whole in every
// language: no message id shows through.
func TestBrandingPageLanguages(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	admin := newConsoleAdmin(t, s, fab, "ada", globalAdmin)
	admin.signIn(t)
	saved := admin.postBranding(t, url.Values{"color": {"#123456"}, "text": {"Hi"}, "privacy": {"https://fabrikam.example/p"}},
		servertest.File{Field: "logo", Name: "logo.png", Data: testPNG(t, 20, 20)})
	wantStatus(t, "save branding", saved, http.StatusSeeOther)
	for _, lang := range []string{"en", "nl", "sv", "de", "zh-TW"} {
		admin.b.Lang = lang
		for _, p := range []servertest.Page{
			admin.b.Get(t, admin.prefix+"/branding?saved=1"),
			admin.postBranding(t, url.Values{"color": {"blue"}}),
		} {
			if strings.Contains(p.Body, "console.branding.") || !strings.Contains(p.Body, `lang="`+lang+`"`) {
				t.Errorf("%s: branding page (%d) untranslated:\n%.3000s", lang, p.Status, p.Body)
			}
		}
	}
}
