package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"guestlist/internal/core"
	"guestlist/internal/platform"
)

// Brander is the company branding the pages show (issue item 7). Its
// values were checked when they were stored (package branding).
type Brander interface {
	Get(ctx context.Context, tenantID string) (*core.Branding, error)
	Logo(ctx context.Context, tenantID string) (*core.Logo, error)
}

// UseBranding makes the pages show each tenant's branding.
func (p *Pages) UseBranding(b Brander) { p.brand = b }

// look is the branding a page shows.
type look struct {
	Tenant string // the tenant's id, for the logo's and stylesheet's URLs
	// LogoVersion is set when the tenant has a logo; it makes the logo's
	// URL change with the logo, so a browser never shows an old one.
	LogoVersion string
	Styled      bool // the tenant has its own stylesheet
	SignInText  string
	Privacy     string
}

// brandingOf reads t's branding. A failure to read it leaves the page
// without: the sign-in goes on.
func (p *Pages) brandingOf(ctx context.Context, t *core.Tenant) look {
	if p.brand == nil {
		return look{}
	}
	b, err := p.brand.Get(ctx, t.ID)
	if err != nil {
		p.log.Warn("web: read branding", "tenant", t.ID, "err", platform.LogErr(err))
		return look{}
	}
	l := look{Tenant: t.ID, SignInText: b.SignInText, Privacy: b.PrivacyURL}
	if b.Logo != nil {
		l.LogoVersion = strings.Trim(b.Logo.ETag, `"`)
	}
	l.Styled = b.AccentColor != "" || b.Logo != nil || b.SignInText != ""
	return l
}

// brandingMaxAge: a changed colour or logo shows within minutes; the
// logo's URL changes with it anyway.
const brandingMaxAge = "public, max-age=300"

// logo: GET /{tenant}/branding/logo, the tenant's logo as stored, 404
// when it has none. Only PNG or JPEG was ever stored, and nosniff keeps
// the browser to the type it is told.
func (p *Pages) logo(w http.ResponseWriter, r *http.Request) {
	t, err := p.tenants.Resolve(r.Context(), r.PathValue("tenant"))
	if errors.Is(err, core.ErrNotFound) {
		http.NotFound(w, r)
		return
	} else if err != nil {
		p.assetError(w, err)
		return
	}
	l, err := p.brand.Logo(r.Context(), t.ID)
	if errors.Is(err, core.ErrNotFound) {
		http.NotFound(w, r)
		return
	} else if err != nil {
		p.assetError(w, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", l.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", brandingMaxAge)
	h.Set("ETag", l.ETag)
	h.Set("Content-Security-Policy", "default-src 'none'")
	if match := r.Header.Get("If-None-Match"); match != "" && match == l.ETag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", fmt.Sprint(len(l.Data)))
	_, _ = w.Write(l.Data)
}

// style: GET /{tenant}/branding/style.css, the tenant's accent colour
// and the layout of its logo and text. The pages' CSP allows only
// stylesheets of this origin, so the colour comes here rather than in a
// style attribute; it is #rrggbb (checked when stored), so it cannot end
// the rule it is written into.
func (p *Pages) style(w http.ResponseWriter, r *http.Request) {
	t, err := p.tenants.Resolve(r.Context(), r.PathValue("tenant"))
	if errors.Is(err, core.ErrNotFound) {
		http.NotFound(w, r)
		return
	} else if err != nil {
		p.assetError(w, err)
		return
	}
	b, err := p.brand.Get(r.Context(), t.ID)
	if err != nil {
		p.assetError(w, err)
		return
	}
	var css strings.Builder
	css.WriteString(".logo{display:block;max-width:100%;max-height:72px;margin:0 0 16px}\n")
	css.WriteString(".signin-text{white-space:pre-line;overflow-wrap:anywhere}\n")
	if c := b.AccentColor; isColor(c) {
		fmt.Fprintf(&css, ".card button:not(.plain):not(.link),.card .button,.brand-sample{color:#fff;background:%[1]s;border-color:%[1]s}\n", c)
		fmt.Fprintf(&css, ".card a,.card button.link,footer a{color:%[1]s}\n.card .notice{border-left-color:%[1]s}\n", c)
		fmt.Fprintf(&css, ".card input[type=text]:focus,.card input[type=email]:focus{border-bottom-color:%s}\n", c)
	}
	h := w.Header()
	h.Set("Content-Type", "text/css; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", brandingMaxAge)
	_, _ = w.Write([]byte(css.String()))
}

// isColor checks again what the store holds before it goes into CSS.
func isColor(c string) bool {
	if len(c) != 7 || c[0] != '#' {
		return false
	}
	for _, r := range c[1:] {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

func (p *Pages) assetError(w http.ResponseWriter, err error) {
	p.log.Error("web: branding", "err", platform.LogErr(err))
	if errors.Is(err, core.ErrUnavailable) {
		w.Header().Set("Retry-After", "5")
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	http.Error(w, "internal error", http.StatusInternalServerError)
}
