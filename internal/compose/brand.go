package compose

import "guestlist/internal/core"

// Brand is the company branding a mail shows (issue item 7): a link to
// the organization's privacy statement under the footer and, in the HTML
// part, its accent colour on the button. Its values were checked when
// they were stored (package branding): the URL is https, the colour
// #rrggbb. The logo is left out: mail clients hold back remote images,
// and an attached one would grow every mail.
type Brand struct {
	PrivacyURL string
	Accent     string
}

// BrandOf is b as mails show it; nil is no branding.
func BrandOf(b *core.Branding) Brand {
	if b == nil {
		return Brand{}
	}
	return Brand{PrivacyURL: b.PrivacyURL, Accent: b.AccentColor}
}

// defaultButton is the button colour of a tenant without its own.
const defaultButton = "#0067b8"

// Button is the HTML part's button colour.
func (b Brand) Button() string {
	if b.Accent == "" {
		return defaultButton
	}
	return b.Accent
}

// privacyLine is the text part's line naming the privacy statement, ""
// without one.
func (c *Composer) privacyLine(lang, org string, b Brand) string {
	if b.PrivacyURL == "" {
		return ""
	}
	return c.cat.T(lang, "branding.privacy", map[string]any{"Org": org}) + ": " + b.PrivacyURL
}
