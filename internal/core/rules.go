package core

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// GuestUPN is the user principal name Entra gives a guest:
// alice_contoso.com#EXT#@<initial domain>.
func GuestUPN(a Address, initialDomain string) string {
	return strings.ToLower(a.Local) + "_" + a.Domain + "#EXT#@" + initialDomain
}

// ValidateRedirectURL accepts an absolute http or https URL with a host and
// no user info (SPEC R1). It is where a guest lands after redemption, so it is
// only ever taken from an authenticated admin.
func ValidateRedirectURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, Invalidf("inviteRedirectUrl is required")
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return nil, Invalidf("inviteRedirectUrl contains a space or control character")
		}
	}
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return nil, Invalidf("inviteRedirectUrl must be an absolute http or https URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, Invalidf("inviteRedirectUrl must use http or https")
	}
	if u.User != nil {
		return nil, Invalidf("inviteRedirectUrl must not contain user information")
	}
	return u, nil
}

// DomainName normalises a domain name given by an operator or in a URL:
// IDN to ASCII, lower case, at least two labels.
func DomainName(s string) (string, error) {
	if !utf8.ValidString(s) { // idna would encode U+FFFD for the bad bytes
		return "", Invalidf("%q is not a valid domain name", s)
	}
	ascii, err := idnaProfile.ToASCII(strings.TrimSuffix(s, "."))
	// idna lets one trailing (root) dot through: "x.." would be "x.".
	if err != nil || !strings.Contains(ascii, ".") || strings.HasSuffix(ascii, ".") {
		return "", Invalidf("%q is not a valid domain name", s)
	}
	return strings.ToLower(ascii), nil
}

// Slug turns a display name into the first label of an initial domain:
// lower-case ASCII letters and digits, at most 27 characters, never empty.
func Slug(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
		if b.Len() == 27 {
			break
		}
	}
	if b.Len() == 0 {
		return "tenant"
	}
	return b.String()
}

// DefaultDisplayName is the displayName a user gets when the inviter gave
// none: the local part of the address, as Entra does, so Graph clients see
// the object they expect.
func DefaultDisplayName(a Address) string { return a.Local }

// GivenName is the user's display name when someone gave it (the inviter, an
// admin's PATCH, the guest's own account), and "" when it is only the
// default taken from the address: mails and pages then greet the guest
// without a name rather than as "greta".
func (u *User) GivenName() string {
	local, _, ok := strings.Cut(u.Mail, "@")
	if u.DisplayName == "" || ok && strings.EqualFold(u.DisplayName, local) {
		return ""
	}
	return u.DisplayName
}
