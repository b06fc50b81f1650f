package core

import (
	"net/mail"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Address is a parsed, normalised email address.
type Address struct {
	Local  string // as given (case kept)
	Domain string // ASCII (punycode), lower case
}

// String is the address to show and to send to.
func (a Address) String() string { return a.Local + "@" + a.Domain }

// Key is the form addresses are compared in: local part lower-cased, domain
// IDN-normalised (SPEC R2).
func (a Address) Key() string { return strings.ToLower(a.Local) + "@" + a.Domain }

var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.ValidateLabels(true),
	idna.StrictDomainName(true),
	idna.VerifyDNSLength(true),
	idna.Transitional(false),
)

// ParseAddress accepts exactly one bare address (addr-spec with a dot-atom
// local part), nothing else: no display name, no comments, no quoted local
// parts, no control characters (so no header injection), at most 254 octets.
// The error is an ErrInvalid with a message naming the problem.
func ParseAddress(s string) (Address, error) {
	if s == "" {
		return Address{}, Invalidf("the email address is empty")
	}
	if len(s) > 254 {
		return Address{}, Invalidf("the email address is longer than 254 characters")
	}
	// idna maps invalid UTF-8 to U+FFFD and encodes it, yielding a domain
	// that does not parse again.
	if !utf8.ValidString(s) {
		return Address{}, Invalidf("the email address is not valid UTF-8")
	}
	for _, r := range s {
		if r < 0x21 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return Address{}, Invalidf("the email address contains a space or control character")
		}
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return Address{}, Invalidf("%q is not an email address", s)
	}
	local, domain := s[:at], s[at+1:]
	if len(local) > 64 || !isDotAtom(local) {
		return Address{}, Invalidf("%q is not an email address", s)
	}
	ascii, err := idnaProfile.ToASCII(domain)
	if err != nil || !strings.Contains(ascii, ".") {
		return Address{}, Invalidf("%q does not have a valid domain", s)
	}
	if len(local)+1+len(ascii) > 254 { // the form that is sent (RFC 5321 4.5.3.1.3)
		return Address{}, Invalidf("the email address is longer than 254 characters")
	}
	// A second opinion from the standard library parser guards against
	// anything the checks above let through.
	parsed, err := mail.ParseAddress(local + "@" + ascii)
	if err != nil || parsed.Name != "" || parsed.Address != local+"@"+ascii {
		return Address{}, Invalidf("%q is not an email address", s)
	}
	return Address{Local: local, Domain: strings.ToLower(ascii)}, nil
}

// isDotAtom reports whether s is an RFC 5322 dot-atom of ASCII atext.
func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-/=?^_`{|}~.", c) >= 0:
		default:
			return false
		}
	}
	return true
}
