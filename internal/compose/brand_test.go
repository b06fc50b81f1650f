package compose_test

import (
	"strings"
	"testing"
	"time"

	"guestlist/internal/compose"
	"guestlist/internal/core"
)

// TestBrandingInMails: a tenant's privacy statement is under both parts'
// footer and its colour on the invitation's button; without branding the
// mails are as before (the golden files).
func TestBrandingInMails(t *testing.T) {
	c, _ := newComposer(t)
	brand := compose.BrandOf(&core.Branding{PrivacyURL: "https://contoso.example/privacy?a=1&b=2", AccentColor: "#c0ffee"})
	inv, err := c.Invitation(compose.Invitation{Lang: "de", Org: "Contoso", RedeemURL: "https://gl.example/t/redeem?x=1", Brand: brand})
	if err != nil {
		t.Fatal(err)
	}
	code, err := c.Passcode(compose.Passcode{Lang: "zh-TW", Org: "Contoso", Code: "12345678", Validity: 30 * time.Minute,
		RequestedAt: time.Unix(0, 0), IP: "192.0.2.1", Brand: brand})
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]compose.Mail{"invitation": inv, "passcode": code} {
		if !strings.Contains(m.Text, "https://contoso.example/privacy?a=1&b=2") ||
			!strings.Contains(m.HTML, `href="https://contoso.example/privacy?a=1&amp;b=2"`) {
			t.Errorf("%s mail lacks the privacy statement:\n%s\n%s", name, m.Text, m.HTML)
		}
	}
	if !strings.Contains(inv.Text, "Datenschutzerklärung von Contoso") || !strings.Contains(code.Text, "Contoso 的隱私權聲明") {
		t.Errorf("privacy line untranslated:\n%s\n%s", inv.Text, code.Text)
	}
	if !strings.Contains(inv.HTML, "background:#c0ffee") {
		t.Errorf("invitation button without the accent colour:\n%s", inv.HTML)
	}
	plain, err := c.Invitation(compose.Invitation{Lang: "en", Org: "Contoso", RedeemURL: "https://gl.example/t/redeem?x=1"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plain.HTML, "background:#0067b8") || strings.Contains(plain.HTML, "privacy") {
		t.Errorf("unbranded invitation:\n%s", plain.HTML)
	}
}
