package console

import (
	"encoding/base64"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"

	"guestlist/internal/adminsession"
	"guestlist/internal/core"
	"guestlist/internal/mfa"
	"guestlist/internal/platform"
)

// The second factor: after the password, a member with an authenticator
// app enters its code; a member whose roles require one (the tenant's
// setting, on by default for Global Administrators) and has none enrols
// first. Until then the session is pending and opens no console page.

type verifyPage struct {
	base
	Next    string
	Error   string // message id
	Minutes int
}

type enrolPage struct {
	base
	Action string // where the form posts
	Next   string
	QR     string // data: URL of the QR code's PNG
	Secret string // for typing in by hand
	Error  string // message id
	// Required: the member may not go on without enrolling.
	Required bool
}

type recoveryPage struct {
	base
	Codes    []string // shown once, in clear
	Continue string
}

// pending wraps the pages of a session that waits for its second factor.
func (c *Console) pending(h func(http.ResponseWriter, *http.Request, *visit)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, ok := c.tenantOf(w, r)
		if !ok {
			return
		}
		ctx := r.Context()
		sess, err := c.Sessions.Find(ctx, v.tenant.ID, c.token(r, v.tenant.ID))
		if errors.Is(err, adminsession.ErrSignedOut) {
			seeOther(w, r, v.path("/signin"))
			return
		} else if err != nil {
			c.internal(w, v, err)
			return
		}
		if !sess.Pending {
			seeOther(w, r, next(v, r.FormValue("next")))
			return
		}
		if ok := c.member(ctx, w, r, v, sess); !ok {
			return
		}
		v.pending = true
		if r.Method == http.MethodPost && !c.csrfOK(r, v) {
			c.message(w, v, http.StatusForbidden, "console.error.csrf")
			return
		}
		actor := core.Actor{UserID: v.user.ID, UserPrincipalName: v.user.UserPrincipalName}
		h(w, r.WithContext(core.WithActor(ctx, actor)), v)
	}
}

// signinVerify: GET /{tenant}/admin/signin/verify asks for the code of
// the member's authenticator app, or sends them to enrol one.
func (c *Console) signinVerify(w http.ResponseWriter, r *http.Request, v *visit) {
	enrolled, err := c.MFA.Enrolled(r.Context(), v.tenant.ID, v.user.ID)
	if err != nil {
		c.internal(w, v, err)
		return
	}
	nextPath := next(v, r.URL.Query().Get("next"))
	if !enrolled {
		seeOther(w, r, v.path("/signin/enrol?next="+url.QueryEscape(nextPath)))
		return
	}
	c.r.render(w, http.StatusOK, "verify.html", verifyPage{base: c.base(v, ""), Next: nextPath})
}

// checkCode: POST /{tenant}/admin/signin/verify completes the sign-in
// with a code of the app or a recovery code.
func (c *Console) checkCode(w http.ResponseWriter, r *http.Request, v *visit) {
	p := verifyPage{base: c.base(v, ""), Next: next(v, r.PostFormValue("next"))}
	_, err := c.MFA.Verify(r.Context(), v.tenant.ID, v.user.ID, r.PostFormValue("code"))
	var later *core.RetryLater
	switch {
	case errors.As(err, &later):
		p.Error, p.Minutes = "console.mfa.throttled", int(math.Ceil(later.After.Minutes()))
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(later.After.Seconds())))))
		c.r.render(w, http.StatusTooManyRequests, "verify.html", p)
		return
	case errors.Is(err, core.ErrUnauthenticated):
		p.Error = "console.mfa.wrong"
		c.r.render(w, http.StatusUnauthorized, "verify.html", p)
		return
	case errors.Is(err, core.ErrNotFound): // removed meanwhile
		seeOther(w, r, v.path("/signin/enrol?next="+url.QueryEscape(p.Next)))
		return
	case err != nil:
		c.internal(w, v, err)
		return
	}
	if err := c.Sessions.PassSecondFactor(r.Context(), v.sess); err != nil {
		c.internal(w, v, err)
		return
	}
	seeOther(w, r, p.Next)
}

// signinEnrol: GET /{tenant}/admin/signin/enrol shows a new secret to add
// to an authenticator app, for a member who must have one.
func (c *Console) signinEnrol(w http.ResponseWriter, r *http.Request, v *visit) {
	c.beginEnrol(w, r, v, v.path("/signin/enrol"), next(v, r.URL.Query().Get("next")), true)
}

// confirmSigninEnrol: POST /{tenant}/admin/signin/enrol activates the app
// with its first code, shows the recovery codes once and completes the
// sign-in.
func (c *Console) confirmSigninEnrol(w http.ResponseWriter, r *http.Request, v *visit) {
	nextPath := next(v, r.PostFormValue("next"))
	codes, ok := c.confirmEnrol(w, r, v, v.path("/signin/enrol"), nextPath, true)
	if !ok {
		return
	}
	if err := c.Sessions.PassSecondFactor(r.Context(), v.sess); err != nil {
		c.internal(w, v, err)
		return
	}
	c.r.render(w, http.StatusOK, "recovery.html", recoveryPage{base: c.base(v, ""), Codes: shown(codes), Continue: nextPath})
}

// accountEnrol: GET /{tenant}/admin/account/mfa, a member who has no app
// sets one up of their own accord.
func (c *Console) accountEnrol(w http.ResponseWriter, r *http.Request, v *visit) {
	c.beginEnrol(w, r, v, v.path("/account/mfa"), v.path("/account"), false)
}

// confirmAccountEnrol: POST /{tenant}/admin/account/mfa.
func (c *Console) confirmAccountEnrol(w http.ResponseWriter, r *http.Request, v *visit) {
	codes, ok := c.confirmEnrol(w, r, v, v.path("/account/mfa"), v.path("/account"), false)
	if ok {
		c.r.render(w, http.StatusOK, "recovery.html", recoveryPage{base: c.base(v, ""), Codes: shown(codes), Continue: v.path("/account")})
	}
}

func (c *Console) beginEnrol(w http.ResponseWriter, r *http.Request, v *visit, action, nextPath string, required bool) {
	// The set-up begun already, if any: the page shows one secret however
	// often it is opened, until it is confirmed or expires.
	e, err := c.MFA.Pending(r.Context(), v.tenant.ID, v.user.ID)
	if err == nil && e == nil {
		e, err = c.MFA.BeginEnrolment(r.Context(), v.tenant.ID, v.user.ID)
	}
	if errors.Is(err, core.ErrConflict) { // enrolled already
		seeOther(w, r, nextPath)
		return
	} else if err != nil {
		c.internal(w, v, err)
		return
	}
	c.r.render(w, http.StatusOK, "enrol.html", enrolPage{base: c.base(v, ""), Action: action, Next: nextPath,
		QR: qrURL(e.QR), Secret: string(e.Secret), Required: required})
}

// qrURL is a QR code's PNG as a data: URL (the console's CSP allows
// data: images).
func qrURL(png []byte) string {
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)
}

// confirmEnrol checks the first code; on a refusal it shows the pending
// secret again and reports false.
func (c *Console) confirmEnrol(w http.ResponseWriter, r *http.Request, v *visit, action, nextPath string, required bool) ([]platform.Secret, bool) {
	codes, err := c.MFA.ConfirmEnrolment(r.Context(), v.tenant.ID, v.user.ID, r.PostFormValue("code"))
	if err == nil {
		return codes, true
	}
	p := enrolPage{base: c.base(v, ""), Action: action, Next: nextPath, Required: required}
	if e, perr := c.MFA.Pending(r.Context(), v.tenant.ID, v.user.ID); perr == nil && e != nil {
		p.QR, p.Secret = qrURL(e.QR), string(e.Secret)
	}
	var later *core.RetryLater
	switch {
	case errors.As(err, &later):
		p.Error = "console.mfa.enrolthrottled"
		c.r.render(w, http.StatusTooManyRequests, "enrol.html", p)
	case errors.Is(err, core.ErrUnauthenticated):
		p.Error = "console.mfa.enrolwrong"
		c.r.render(w, http.StatusUnauthorized, "enrol.html", p)
	case errors.Is(err, core.ErrNotFound), errors.Is(err, core.ErrConflict): // expired, or done elsewhere
		seeOther(w, r, action+"?next="+url.QueryEscape(nextPath))
	default:
		c.internal(w, v, err)
	}
	return nil, false
}

// mfaChange: POST /{tenant}/admin/account/mfa/{change}, "codes" for new
// recovery codes or "remove" to remove the app; either needs a current
// code, so a session left open is not enough to weaken the account.
func (c *Console) mfaChange(w http.ResponseWriter, r *http.Request, v *visit) {
	ctx := r.Context()
	change := r.PathValue("change")
	if change != "codes" && change != "remove" {
		c.message(w, v, http.StatusNotFound, "console.error.notfound")
		return
	}
	_, err := c.MFA.Verify(ctx, v.tenant.ID, v.user.ID, r.PostFormValue("code"))
	var later *core.RetryLater
	switch {
	case errors.As(err, &later):
		c.showAccount(w, r, v, http.StatusTooManyRequests, "console.mfa.throttledshort")
		return
	case errors.Is(err, core.ErrUnauthenticated), errors.Is(err, core.ErrNotFound):
		c.showAccount(w, r, v, http.StatusUnauthorized, "console.mfa.wrong")
		return
	case err != nil:
		c.internal(w, v, err)
		return
	}
	if change == "remove" {
		if err := c.MFA.Remove(ctx, v.tenant.ID, v.user.ID); err != nil {
			c.internal(w, v, err)
			return
		}
		seeOther(w, r, v.path("/account?done=removed"))
		return
	}
	codes, err := c.MFA.RegenerateRecoveryCodes(ctx, v.tenant.ID, v.user.ID)
	if err != nil {
		c.internal(w, v, err)
		return
	}
	c.r.render(w, http.StatusOK, "recovery.html", recoveryPage{base: c.base(v, ""), Codes: shown(codes), Continue: v.path("/account")})
}

// shown is the recovery codes to show: the one place they leave the
// server in clear.
func shown(codes []platform.Secret) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = string(c)
	}
	return out
}

// mfaRequired is whether the member's roles require an app under the
// tenant's setting.
func mfaRequired(v *visit) bool { return mfa.Required(v.tenant.AdminMFARequirement(), v.roles) }
