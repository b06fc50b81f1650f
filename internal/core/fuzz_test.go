package core_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode"

	"guestlist/internal/core"
)

// FuzzParseAddress: whatever an admin or a guest types, ParseAddress never
// panics, and an address it accepts is safe to put in a mail header and
// stable: its normalised form parses again to the same comparison key.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{
		"alice@contoso.com", "ALICE@Contoso.COM", "a.b+tag@sub.example.co.uk",
		"bob@bücher.example", "bob@xn--bcher-kva.example", "Bob@BÜCHER.EXAMPLE",
		"user@例え.テスト", "x@ﬁ.example", "o'brien@example.ie", "{weird}!#$%&*=?^`|~@example.com",
		"", "@", "a@", "@b.com", "a@b", "a@@b.com", "a@b@c.com", "a..b@c.com", ".a@b.com", "a.@b.com",
		"Alice <a@b.com>", "a@b.com\r\nBcc: x@y.com", "a@b.com\nBcc:x@y.com", "a b@c.com", "a@b.com ",
		"\"quoted\"@example.com", "a(comment)@b.com", "a@[127.0.0.1]", "a@-b.com", "a@b-.com", "a@b..com",
		"a@b.com.", "a@.b.com", "a\u0085@b.com", "a@b\u200b.com", "a@b\u00a0.com", "a\x00@b.com",
		strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + ".com",
		strings.Repeat("a", 65) + "@b.com",
		"a@" + strings.Repeat("ü", 60) + ".example",
		strings.Repeat("a", 64) + "@" + strings.Repeat("ü", 40) + "." + strings.Repeat("ö", 40) + ".example",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := core.ParseAddress(s)
		if err != nil {
			var pub *core.Error
			if !errors.Is(err, core.ErrInvalid) || !errors.As(err, &pub) || pub.Message == "" {
				t.Fatalf("ParseAddress(%q) error %v is not a public ErrInvalid", s, err)
			}
			return
		}
		str, key := a.String(), a.Key()
		if strings.Count(str, "@") != 1 {
			t.Fatalf("ParseAddress(%q).String() = %q: not exactly one @", s, str)
		}
		for _, v := range []string{str, key} {
			for _, r := range v {
				if unicode.IsControl(r) || unicode.IsSpace(r) || r > unicode.MaxASCII {
					t.Fatalf("ParseAddress(%q) gives %q with %U", s, v, r)
				}
			}
			if strings.ContainsAny(v, "<>()[],;:\"\\") {
				t.Fatalf("ParseAddress(%q) gives %q with a header special", s, v)
			}
		}
		if len(str) > 254 {
			t.Fatalf("ParseAddress(%q) gives %q, %d octets (RFC 5321 allows 254)", s, str, len(str))
		}
		if a.Domain != strings.ToLower(a.Domain) || !strings.Contains(a.Domain, ".") {
			t.Fatalf("ParseAddress(%q).Domain = %q: not a lower-case multi-label name", s, a.Domain)
		}
		for _, again := range []string{str, key} {
			b, err := core.ParseAddress(again)
			if err != nil {
				t.Fatalf("ParseAddress(%q) gives %q, which does not parse again: %v", s, again, err)
			}
			if b.Key() != key {
				t.Fatalf("ParseAddress(%q).Key() = %q, but its form %q has key %q", s, key, again, b.Key())
			}
		}
	})
}

// FuzzValidateRedirectURL: only absolute http(s) URLs with a host and no
// user info get through; anything else is a public ErrInvalid.
func FuzzValidateRedirectURL(f *testing.F) {
	for _, s := range []string{
		"https://app.example/welcome", "http://localhost:8080/cb?x=1#f", "HTTPS://APP.EXAMPLE",
		"https://[::1]:443/", "https://bücher.example/", "https://app.example/a%20b",
		"", "javascript:alert(1)", "JavaScript:alert(1)", "ftp://x", "/relative", "//evil.example/",
		"https:evil.example", "https:/evil.example", "https://", "https://user:pw@app.example/",
		"https://@app.example/", "data:text/html,<script>", "https://app.example/\r\nLocation: x",
		"https://app.example/ x", "http://%41.example/", "https://app.example:99999/", "\thttps://a.example",
		"vbscript:msgbox", "https://app.example\\@evil.example/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := core.ValidateRedirectURL(s)
		if err != nil {
			if !errors.Is(err, core.ErrInvalid) {
				t.Fatalf("ValidateRedirectURL(%q) error %v is not ErrInvalid", s, err)
			}
			return
		}
		if u == nil || (u.Scheme != "http" && u.Scheme != "https") || !u.IsAbs() || u.Host == "" || u.User != nil || u.Opaque != "" {
			t.Fatalf("ValidateRedirectURL(%q) accepted %#v", s, u)
		}
		lower := strings.ToLower(s)
		if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
			t.Fatalf("ValidateRedirectURL(%q) accepted a URL that does not start with http(s)://", s)
		}
		for _, r := range s {
			if unicode.IsControl(r) || unicode.IsSpace(r) {
				t.Fatalf("ValidateRedirectURL(%q) accepted %U", s, r)
			}
		}
		// What a browser is sent to (the URL re-serialised) passes as well,
		// to the same host.
		back, err := core.ValidateRedirectURL(u.String())
		if err != nil {
			t.Fatalf("ValidateRedirectURL(%q) accepted it, but not its form %q: %v", s, u.String(), err)
		}
		if back.Host != u.Host || back.Scheme != u.Scheme {
			t.Fatalf("ValidateRedirectURL(%q): host %q, re-serialised host %q", s, u.Host, back.Host)
		}
		if p, err := url.Parse(s); err != nil || p.Hostname() != u.Hostname() {
			t.Fatalf("ValidateRedirectURL(%q): host differs from url.Parse", s)
		}
	})
}

// FuzzDomainName: an accepted domain is lower-case ASCII with at least two
// labels, and normalising it again changes nothing.
func FuzzDomainName(f *testing.F) {
	for _, s := range []string{
		"contoso.com", "Contoso.COM.", "bücher.example", "xn--bcher-kva.example", "例え.テスト",
		"", ".", "localhost", "a..b", "-a.com", "a-.com", "a b.com", "a_b.com", strings.Repeat("a", 64) + ".com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := core.DomainName(s)
		if err != nil {
			if !errors.Is(err, core.ErrInvalid) {
				t.Fatalf("DomainName(%q) error %v is not ErrInvalid", s, err)
			}
			return
		}
		if !strings.Contains(d, ".") || d != strings.ToLower(d) || strings.HasSuffix(d, ".") {
			t.Fatalf("DomainName(%q) = %q", s, d)
		}
		for _, r := range d {
			if r > unicode.MaxASCII || unicode.IsSpace(r) || unicode.IsControl(r) {
				t.Fatalf("DomainName(%q) = %q contains %U", s, d, r)
			}
		}
		if again, err := core.DomainName(d); err != nil || again != d {
			t.Fatalf("DomainName(%q) = %q, but DomainName(%q) = %q, %v", s, d, d, again, err)
		}
	})
}
