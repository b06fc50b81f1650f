package console

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"guestlist/internal/branding"
	"guestlist/internal/core"
)

// maxBrandingForm bounds the branding form's body: the logo (at most
// 100 KiB) with the other fields and the multipart framing.
const maxBrandingForm = 150 << 10

type brandingPage struct {
	base
	Tenant            string // the tenant's id, for the logo's and stylesheet's URLs
	Logo              *core.LogoInfo
	Color, Text, URL  string
	PasscodeInSubject bool
	Saved, Unchanged  bool
	Error             string // message id of a refusal
}

func (c *Console) brandingPage(v *visit, b *core.Branding) brandingPage {
	p := brandingPage{base: c.base(v, "/branding"), Tenant: v.tenant.ID, Logo: b.Logo,
		Color: b.AccentColor, Text: b.SignInText, URL: b.PrivacyURL, PasscodeInSubject: v.tenant.PasscodeInSubject}
	p.Return = v.path("/branding")
	return p
}

// brandingForm: GET /{tenant}/admin/branding.
func (c *Console) brandingForm(w http.ResponseWriter, r *http.Request, v *visit) {
	b, err := c.Branding.Get(r.Context(), v.tenant.ID)
	if err != nil {
		c.internal(w, v, err)
		return
	}
	p := c.brandingPage(v, b)
	p.Saved = r.URL.Query().Get("saved") == "1"
	c.r.render(w, http.StatusOK, "branding.html", p)
}

// saveBranding: POST /{tenant}/admin/branding, a multipart form. Every
// field is sent, so each is set; the service writes only those that
// change. A refusal shows the form again with what was typed.
func (c *Console) saveBranding(w http.ResponseWriter, r *http.Request, v *visit) {
	color, text, url := r.PostFormValue("color"), r.PostFormValue("text"), r.PostFormValue("privacy")
	subject := r.PostFormValue("subject") != ""
	ch := branding.Change{AccentColor: &color, SignInText: &text, PrivacyURL: &url,
		PasscodeInSubject: &subject, RemoveLogo: r.PostFormValue("removelogo") != ""}
	if f, _, err := r.FormFile("logo"); err == nil {
		data, err := io.ReadAll(io.LimitReader(f, branding.MaxLogoBytes+1))
		_ = f.Close()
		if err != nil {
			c.internal(w, v, err)
			return
		}
		if len(data) > 0 {
			ch.Logo = data
		}
	}
	changed, err := c.Branding.Update(r.Context(), v.tenant.ID, ch)
	if id := brandingRefusal(err); id != "" {
		b, gerr := c.Branding.Get(r.Context(), v.tenant.ID)
		if gerr != nil {
			c.internal(w, v, gerr)
			return
		}
		p := c.brandingPage(v, b)
		p.Color, p.Text, p.URL, p.PasscodeInSubject, p.Error = color, text, url, subject, id
		c.r.render(w, http.StatusBadRequest, "branding.html", p)
		return
	} else if err != nil {
		c.internal(w, v, err)
		return
	}
	if !changed {
		b, err := c.Branding.Get(r.Context(), v.tenant.ID)
		if err != nil {
			c.internal(w, v, err)
			return
		}
		p := c.brandingPage(v, b)
		p.Unchanged = true
		c.r.render(w, http.StatusOK, "branding.html", p)
		return
	}
	seeOther(w, r, v.path("/branding?saved=1"))
}

// brandingRefusal is the message id of a value the service refused, ""
// for anything else.
func brandingRefusal(err error) string {
	for _, e := range []struct {
		err error
		id  string
	}{
		{branding.ErrLogoFormat, "console.branding.error.logoformat"},
		{branding.ErrLogoSize, "console.branding.error.logosize"},
		{branding.ErrLogoPixels, "console.branding.error.logopixels"},
		{branding.ErrColor, "console.branding.error.color"},
		{branding.ErrText, "console.branding.error.text"},
		{branding.ErrPrivacyURL, "console.branding.error.privacy"},
	} {
		if errors.Is(err, e.err) {
			return e.id
		}
	}
	return ""
}

// brandingUpload reads the branding form, bounded, before the page's
// checks read its CSRF token: a body over the bound is refused with a
// page that says so, not a CSRF error.
func (c *Console) brandingUpload(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBrandingForm)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			h.ServeHTTP(w, r) // an ordinary form, read by the page as usual
			return
		}
		if err := r.ParseMultipartForm(maxBrandingForm); err != nil {
			v, ok := c.tenantOf(w, r)
			if !ok {
				return
			}
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				c.message(w, v, http.StatusRequestEntityTooLarge, "console.branding.error.toolarge")
				return
			}
			c.message(w, v, http.StatusBadRequest, "console.branding.error.form")
			return
		}
		defer func() { _ = r.MultipartForm.RemoveAll() }()
		h.ServeHTTP(w, r)
	})
}
