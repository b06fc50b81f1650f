package oidcop

import (
	"context"
	"crypto/hmac"
	"net/http"

	"guestlist/internal/core"
	"guestlist/internal/platform"
)

// ErrOtherBrowser: the authorization request was started in another
// browser (SPEC R32). Whoever holds a sign-in link of someone else's
// request must not complete it, or the code would go to the browser that
// started it: the guest's tokens to a stranger.
var ErrOtherBrowser = core.Errorf(core.ErrForbidden, "Authorization_RequestDenied",
	"the sign-in was started in another browser")

// The browser binding: /authorize gives the browser a random value in a
// cookie (kept if it already has one, so several tabs and applications can
// sign in at once), and the request stores only a keyed hash of it with
// the request's id. Every later step — the sign-in page, the typed
// address, completion, the callback that hands out the code — must come
// with the same value.

type browserKey struct{}

func withBrowser(ctx context.Context, value string) context.Context {
	return context.WithValue(ctx, browserKey{}, value)
}

func browserOf(ctx context.Context) string {
	v, _ := ctx.Value(browserKey{}).(string)
	return v
}

func (p *Provider) bindingCookie(tenantID string) string {
	if p.secure {
		return "__Host-gl-authz-" + tenantID
	}
	return "gl-authz-" + tenantID
}

// browserValue is the browser's binding value in tenantID, "" when it has
// none or not one of ours.
func (p *Provider) browserValue(r *http.Request, tenantID string) string {
	c, err := r.Cookie(p.bindingCookie(tenantID))
	if err != nil || !wellFormedToken(c.Value) {
		return ""
	}
	return c.Value
}

// wellFormedToken: what platform.NewToken makes (26 characters of
// base32), so a cookie of any other shape is replaced, not trusted.
func wellFormedToken(v string) bool {
	if len(v) != 26 {
		return false
	}
	for _, c := range v {
		if (c < 'A' || c > 'Z') && (c < '2' || c > '7') {
			return false
		}
	}
	return true
}

// bindBrowser sets (or renews) the binding cookie at /authorize and puts
// its value in the request's context for CreateAuthRequest.
func (p *Provider) bindBrowser(w http.ResponseWriter, r *http.Request, t *core.Tenant) *http.Request {
	v := p.browserValue(r, t.ID)
	if v == "" {
		v = platform.NewToken()
	}
	http.SetCookie(w, &http.Cookie{
		Name: p.bindingCookie(t.ID), Value: v, Path: "/", MaxAge: int(p.storage.life.AuthRequest.Seconds()),
		Secure: p.secure, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
	return r.WithContext(withBrowser(r.Context(), v))
}

func (s *storage) browserHash(tenantID, requestID, value string) []byte {
	return s.ring.Hash("authz-browser", tenantID+"\x00"+requestID+"\x00"+value)
}

// sameBrowser: r comes from the browser that started ar. A request without
// a stored binding matches no browser.
func (p *Provider) sameBrowser(r *http.Request, ar *core.AuthRequest) bool {
	v := p.browserValue(r, ar.TenantID)
	if v == "" || len(ar.BrowserHash) == 0 {
		return false
	}
	return hmac.Equal(ar.BrowserHash, p.storage.browserHash(ar.TenantID, ar.ID, v))
}
