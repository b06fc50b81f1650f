package compose

import (
	"strings"
	"time"
)

// AdminLink is the mail with a member's one-time set-password link (SPEC
// R43: the first administrator of a tenant): whom it is for, what it
// does, when it expires.
type AdminLink struct {
	Lang      string
	Org       string
	Email     string // the administrator's address (their user principal name)
	Link      string
	ExpiresAt time.Time
}

// Expires is the expiry time as the mail shows it.
func (d AdminLink) Expires() string { return d.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC") }

// AdminLink renders the mail.
func (c *Composer) AdminLink(d AdminLink) (Mail, error) {
	org := map[string]any{"Org": d.Org}
	var text strings.Builder
	line := func(s string) { text.WriteString(s + "\n") }
	line(c.cat.T(d.Lang, "mail.adminlink.body", map[string]any{"Org": d.Org, "Email": d.Email}))
	line("")
	line(d.Link)
	line("")
	line(c.cat.T(d.Lang, "mail.adminlink.expires", map[string]any{"Time": d.Expires()}))
	line(c.cat.T(d.Lang, "mail.adminlink.ignore", org))
	line("")
	line(c.cat.T(d.Lang, "mail.footer", org))
	html, err := c.render("adminlink.html", d)
	if err != nil {
		return Mail{}, err
	}
	return Mail{Subject: c.cat.T(d.Lang, "mail.adminlink.subject", org), Text: text.String(), HTML: html}, nil
}
