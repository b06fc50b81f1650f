package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// createTenant creates a tenant through the operator API with a default
// language, as an operator would, and gets an admin token.
func createTenant(t *testing.T, s *servertest.Server, name, lang string, domains ...string) servertest.Tenant {
	t.Helper()
	status, body := s.Do(t, "POST", "/operator/v1/tenants", s.OperatorToken, map[string]any{
		"displayName": name, "domains": append([]string{}, domains...), "defaultLanguage": lang,
	})
	if status != http.StatusCreated || body["defaultLanguage"] != lang {
		t.Fatalf("create tenant: %d %v", status, body)
	}
	app := body["adminApplication"].(map[string]any)
	tn := servertest.Tenant{ID: body["id"].(string), AppID: app["appId"].(string), ClientSecret: app["clientSecret"].(string)}
	tn.Token = s.AdminToken(t, tn)
	return tn
}

// TestGuestLanguage: pages follow ui_locales, then Accept-Language, then
// the tenant default, for the whole flow, and the passcode mail is in the
// language of the pages (R53). The texts are those of the locale files.
func TestGuestLanguage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name          string
		tenantLang    string // "" = the operator gives none (English)
		browser       string // Accept-Language
		uiLocales     string // on the redeem link
		lang          string // <html lang>
		start, code   string // page headings
		consent       string
		subject, body string // passcode mail
	}{
		{
			name: "accept-language nl", browser: "nl-NL,nl;q=0.9,en;q=0.5", lang: "nl",
			start: "Uw e-mailadres verifiëren", code: "Code invoeren", consent: "Machtigingen controleren",
			subject: "Uw verificatiecode voor Fabrikam", body: "Gebruik deze code om u aan te melden bij Fabrikam:",
		},
		{
			name: "ui_locales de beats accept-language nl", browser: "nl", uiLocales: "de", lang: "de",
			start: "E-Mail-Adresse bestätigen", code: "Code eingeben", consent: "Berechtigungen überprüfen",
			subject: "Ihr Code für Fabrikam", body: "Verwenden Sie diesen Code, um sich bei Fabrikam anzumelden:",
		},
		{
			name: "unsupported fr falls back to tenant default sv", tenantLang: "sv", browser: "fr-FR,fr", lang: "sv",
			start: "Verifiera din e-postadress", code: "Ange kod", consent: "Granska behörigheter",
			subject: "Din verifieringskod för Fabrikam", body: "Använd den här koden för att logga in på Fabrikam:",
		},
		{
			name: "no preference, no tenant default: English", browser: "", lang: "en",
			start: "Verify your email", code: "Enter code", consent: "Review permissions",
			subject: "Your Fabrikam verification code", body: "Use this code to sign in to Fabrikam:",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := servertest.New(t, servertest.Options{})
			var tn servertest.Tenant
			if tc.tenantLang != "" {
				tn = createTenant(t, s, "Fabrikam", tc.tenantLang)
			} else {
				tn = s.CreateTenant(t, "Fabrikam")
			}
			inv := invite(t, s, tn, "kim@contoso.com")
			link := inv.link
			if tc.uiLocales != "" {
				link += "&ui_locales=" + tc.uiLocales
			}
			g := s.NewGuest(tc.browser)
			wantPage := func(step string, p servertest.Page, heading string) {
				t.Helper()
				if p.Status != http.StatusOK || !strings.Contains(p.Body, `<html lang="`+tc.lang+`">`) ||
					!strings.Contains(p.Body, "<h1>"+heading+"</h1>") {
					t.Fatalf("%s page: %d, want lang %q and heading %q\n%s", step, p.Status, tc.lang, heading, p.Body)
				}
			}

			opened := g.Get(t, link)
			base := servertest.TenantBase(opened.Location)
			wantPage("start", g.Follow(t, opened), tc.start)
			wantPage("code", mustSend(t, g, base, false), tc.code)
			m := waitMail(t, s, inv.email, 1)
			if m.Subject != tc.subject || !strings.Contains(m.TextBody, tc.body) {
				t.Errorf("passcode mail: subject %q, want %q; text should contain %q:\n%s", m.Subject, tc.subject, tc.body, m.TextBody)
			}
			wantConsentNext(t, enter(t, g, base, servertest.CodeIn(m)), base)
			wantPage("consent", g.Get(t, base+"/signin/consent"), tc.consent)
		})
	}
}

// TestGuestPagesUnderTenantDomain: the guest pages work when the URL names
// the tenant by a verified domain (any case) or its initial domain instead
// of its id; they continue under the tenant id so the flow's cookie applies
// (R30).
func TestGuestPagesUnderTenantDomain(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	status, tj := s.Do(t, "GET", "/operator/v1/tenants/"+tn.ID, s.OperatorToken, nil)
	initial, _ := tj["initialDomain"].(string)
	if status != http.StatusOK || initial == "" {
		t.Fatalf("operator GET tenant: %d %v", status, tj)
	}
	for i, ref := range []string{"fabrikam.example", "Fabrikam.EXAMPLE", initial} {
		t.Run(ref, func(t *testing.T) {
			inv := invite(t, s, tn, "lee"+string(rune('a'+i))+"@contoso.com")
			byID := "/" + tn.ID
			byDomain := "/" + ref
			link := strings.Replace(inv.link, byID+"/redeem", byDomain+"/redeem", 1)
			if link == inv.link {
				t.Fatalf("redeem link %s is not under the tenant id", inv.link)
			}
			g := s.NewGuest("en")
			opened := g.Get(t, link)
			if opened.Status != http.StatusSeeOther || opened.Location != byID+"/signin/passcode" {
				t.Fatalf("link under %s: %d to %q, want %s/signin/passcode\n%.500s", ref, opened.Status, opened.Location, byID, opened.Body)
			}
			start := g.Get(t, byDomain+"/signin/passcode")
			if start.Status != http.StatusOK || !strings.Contains(start.Body, `action="`+byID+`/signin/passcode"`) ||
				!strings.Contains(start.Body, inv.email) {
				t.Fatalf("start page under %s: %d\n%.800s", ref, start.Status, start.Body)
			}
			mustSend(t, g, byDomain, false)
			wantConsentNext(t, enter(t, g, byDomain, waitCode(t, s, inv.email, 1)), byID)
			if p := g.Post(t, byDomain+"/signin/consent", url.Values{"action": {"accept"}}); p.Status != http.StatusSeeOther || p.Location != redirectURL {
				t.Fatalf("consent under %s: %d to %q", ref, p.Status, p.Location)
			}
			wantOneMailIdentity(t, user(t, s, tn, inv.userID), inv.email)
		})
	}
}
