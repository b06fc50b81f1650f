package apps

import (
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"guestlist/internal/core"
)

// Redirect URI kinds, named as Graph's application properties are.
const (
	KindWeb          = "web"
	KindSPA          = "spa"
	KindPublicClient = "publicClient"
)

// Limits of Entra's application registrations.
const (
	MaxRedirectURIs      = 256 // per kind
	MaxRedirectURILength = 256
	MaxDisplayName       = 256
	maxHomePageURL       = 2048
)

// forbiddenSchemes can never be private-use redirect schemes: they run
// code, read files or stay in the browser.
var forbiddenSchemes = []string{"javascript", "vbscript", "data", "file", "about", "blob", "ftp", "ws", "wss"}

// RedirectURIs checks the redirect URIs of one kind and returns them with
// duplicates removed, in their first order. Errors: core.ErrInvalid with a
// message that names the property and the URI.
func RedirectURIs(kind string, uris []string) ([]string, error) {
	out := make([]string, 0, len(uris))
	for _, u := range uris {
		if err := CheckRedirectURI(kind, u); err != nil {
			return nil, err
		}
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	if len(out) > MaxRedirectURIs {
		return nil, core.Invalidf("%s.redirectUris: at most %d redirect URIs are allowed, got %d",
			kind, MaxRedirectURIs, len(out))
	}
	return out, nil
}

// CheckRedirectURI applies Entra's rules to one redirect URI: absolute,
// at most 256 characters, no fragment, no wildcard, no user information;
// https, or http for a loopback host (localhost, 127.0.0.1, [::1]); for
// public clients (mobile and desktop applications) also a private-use
// scheme such as com.example.app:/callback (RFC 8252 section 7.1).
func CheckRedirectURI(kind, raw string) error {
	bad := func(format string, args ...any) error {
		return core.Invalidf("%s.redirectUris: %q "+format, append([]any{kind, shorten(raw)}, args...)...)
	}
	switch {
	case raw == "":
		return core.Invalidf("%s.redirectUris: a redirect URI cannot be empty", kind)
	case len(raw) > MaxRedirectURILength:
		return bad("is longer than %d characters", MaxRedirectURILength)
	case !printableASCII(raw):
		return bad("contains spaces, control or non-ASCII characters (percent-encode them)")
	case strings.Contains(raw, "#"):
		return bad("must not contain a fragment (#)")
	case strings.Contains(raw, "*"):
		return bad("must not contain a wildcard (*)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("is not a valid URI")
	}
	if u.Scheme == "" {
		return bad("is not an absolute URI: it needs a scheme such as https://")
	}
	if u.User != nil {
		return bad("must not contain a user name or password")
	}
	switch u.Scheme {
	case "https", "http":
		if u.Host == "" || u.Hostname() == "" || u.Opaque != "" {
			return bad("needs a host name after %s://", u.Scheme)
		}
		if u.Scheme == "http" && !loopback(u.Hostname()) {
			return bad("must use https: http is only allowed for localhost, 127.0.0.1 and [::1]")
		}
		return nil
	}
	if kind != KindPublicClient {
		return bad("must use https (or http for localhost); other schemes are only allowed for publicClient")
	}
	if slices.Contains(forbiddenSchemes, u.Scheme) {
		return bad("uses the scheme %s:, which cannot be a redirect URI", u.Scheme)
	}
	if u.Host == "" && u.Path == "" && u.Opaque == "" {
		return bad("needs a path after the scheme, as in %s:/callback", u.Scheme)
	}
	return nil
}

func loopback(host string) bool {
	return strings.EqualFold(host, "localhost") || host == "127.0.0.1" || host == "::1"
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// shorten keeps error messages readable when the input is long.
func shorten(s string) string {
	const n = 80
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// HomePageURL checks web.homePageUrl: empty (none), or an absolute http or
// https URL.
func HomePageURL(raw string) error {
	if raw == "" {
		return nil
	}
	bad := func(format string) error {
		return core.Invalidf("web.homePageUrl: %q "+format, shorten(raw))
	}
	if len(raw) > maxHomePageURL {
		return core.Invalidf("web.homePageUrl is longer than %d characters", maxHomePageURL)
	}
	if !printableASCII(raw) {
		return bad("contains spaces, control or non-ASCII characters (percent-encode them)")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Hostname() == "" || u.User != nil {
		return bad("must be an absolute http or https URL with a host and no user name or password")
	}
	return nil
}

// DisplayName checks and trims an application's displayName.
func DisplayName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", core.Invalidf("displayName is required")
	case utf8.RuneCountInString(name) > MaxDisplayName:
		return "", core.Invalidf("displayName must be at most %d characters", MaxDisplayName)
	case !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl):
		return "", core.Invalidf("displayName must not contain control characters")
	}
	return name, nil
}

// Validate checks a's display name, redirect URIs and home page, trimming
// the name and removing duplicate URIs in place.
func Validate(a *core.Application) error {
	name, err := DisplayName(a.DisplayName)
	if err != nil {
		return err
	}
	a.DisplayName = name
	for _, l := range []struct {
		kind string
		uris *[]string
	}{
		{KindWeb, &a.WebRedirectURIs}, {KindSPA, &a.SPARedirectURIs}, {KindPublicClient, &a.PublicClientRedirectURIs},
	} {
		if *l.uris, err = RedirectURIs(l.kind, *l.uris); err != nil {
			return err
		}
	}
	return HomePageURL(a.HomePageURL)
}
