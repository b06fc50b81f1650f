package core

import "time"

// Branding is a tenant's company branding (issue item 7): what guests see
// of the organization on its pages, its consent page and its mails. The
// zero value is no branding.
type Branding struct {
	// Logo is set when the tenant has a logo; its bytes are read on their
	// own (store.Branding's GetLogo), as only the logo's URL serves them.
	Logo *LogoInfo
	// AccentColor is "#rrggbb" or "".
	AccentColor string
	// SignInText is plain text shown on the sign-in pages, never HTML.
	SignInText string
	// PrivacyURL is the organization's privacy statement, https.
	PrivacyURL string
}

// LogoInfo describes a stored logo.
type LogoInfo struct {
	ContentType string // image/png or image/jpeg
	// ETag names this version of the logo (a hash of its bytes).
	ETag      string
	UpdatedAt time.Time
}

// Logo is a logo with its bytes.
type Logo struct {
	LogoInfo
	Data []byte
}
