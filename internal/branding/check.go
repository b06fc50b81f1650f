package branding

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	_ "image/jpeg" // registers JPEG for image.DecodeConfig
	_ "image/png"  // registers PNG for image.DecodeConfig
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"guestlist/internal/core"
)

// Limits of the branding's values, shown on the console page.
const (
	MaxLogoBytes  = 100 << 10
	MaxLogoWidth  = 1000
	MaxLogoHeight = 400
	MaxTextChars  = 1024
	maxURLBytes   = 2048
)

// Refusals, one per kind of bad value, so each surface can say which in
// its own words. Each is core.ErrInvalid.
var (
	ErrLogoFormat = core.Invalidf("the logo must be a PNG or JPEG image")
	ErrLogoSize   = core.Invalidf("the logo must be at most 100 KiB")
	ErrLogoPixels = core.Invalidf("the logo must be at most 1000 × 400 pixels")
	ErrColor      = core.Invalidf("the accent colour must be #rrggbb")
	ErrText       = core.Invalidf("the sign-in text must be plain text of at most 1024 characters")
	ErrPrivacyURL = core.Invalidf("the privacy statement URL must be an https URL")
)

// logoTypes are the formats a logo may have: what the browser is told it
// is (Content-Type) must be what image.DecodeConfig read, so an SVG, an
// HTML page or anything else never goes out as the tenant's logo.
var logoTypes = map[string]string{"image/png": "png", "image/jpeg": "jpeg"}

// checkLogo sniffs and decodes data's header; it returns the content type.
func checkLogo(data []byte) (string, error) {
	if len(data) > MaxLogoBytes {
		return "", ErrLogoSize
	}
	ct := http.DetectContentType(data)
	format, ok := logoTypes[ct]
	if !ok {
		return "", ErrLogoFormat
	}
	cfg, got, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || got != format {
		return "", ErrLogoFormat
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxLogoWidth || cfg.Height > MaxLogoHeight {
		return "", ErrLogoPixels
	}
	return ct, nil
}

// etag names a logo's bytes.
func etag(data []byte) string {
	sum := sha256.Sum256(data)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

var colorRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// checkColor: "" or #rrggbb, in lower case. Nothing else can pass, so the
// value can be written into a stylesheet as it is.
func checkColor(c string) (string, error) {
	c = strings.TrimSpace(c)
	if c == "" {
		return "", nil
	}
	if !colorRE.MatchString(c) {
		return "", ErrColor
	}
	return strings.ToLower(c), nil
}

// checkText: plain text with line breaks; other control characters are
// refused, as is anything over MaxTextChars characters.
func checkText(s string) (string, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > MaxTextChars {
		return "", ErrText
	}
	for _, r := range s {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			return "", ErrText
		}
	}
	return s, nil
}

// checkPrivacyURL: "" or an absolute https URL without credentials; http
// only to a loopback host, for tests and local trials.
func checkPrivacyURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || len(raw) > maxURLBytes || u.Host == "" || u.User != nil || u.Opaque != "" ||
		strings.ContainsAny(raw, " \t\r\n\\") {
		return "", ErrPrivacyURL
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !loopback(u.Hostname()) {
			return "", ErrPrivacyURL
		}
	default:
		return "", ErrPrivacyURL
	}
	return u.String(), nil
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
