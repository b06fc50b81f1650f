package compose

import (
	"strings"
	"time"
)

// OrgLink is the mail of "Sign in to an organization" by name (SPEC R31):
// the link to the organization's sign-in goes only to an address it
// invited, so only the owner of the address learns that the organization
// exists and has invited them (R25).
type OrgLink struct {
	Lang        string
	Org         string
	Link        string
	RequestedAt time.Time
	IP          string
}

// When is the request time as the mail shows it.
func (d OrgLink) When() string { return d.RequestedAt.UTC().Format("2006-01-02 15:04 UTC") }

// OrgLink renders the mail.
func (c *Composer) OrgLink(d OrgLink) (Mail, error) {
	org := map[string]any{"Org": d.Org}
	var text strings.Builder
	line := func(s string) { text.WriteString(s + "\n") }
	line(c.cat.T(d.Lang, "mail.orglink.body", org))
	line("")
	line(d.Link)
	line("")
	line(c.cat.T(d.Lang, "mail.code.requested", map[string]any{"Time": d.When(), "IP": d.IP}))
	line(c.cat.T(d.Lang, "mail.note.ignore", org))
	line("")
	line(c.cat.T(d.Lang, "mail.footer", org))
	html, err := c.render("orglink.html", d)
	if err != nil {
		return Mail{}, err
	}
	return Mail{Subject: c.cat.T(d.Lang, "mail.orglink.subject", org), Text: text.String(), HTML: html}, nil
}
