package web

import (
	"errors"
	"net/http"
	"strconv"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/password"
	"guestlist/internal/redeem"
)

// passwordKind is the account kind a password page is for: the method
// named by ?as=, one of the password methods.
func passwordKind(r *http.Request) (core.Method, bool) {
	switch k := core.Method(r.URL.Query().Get("as")); k {
	case core.MethodHomeTenant, core.MethodPersonal, core.MethodPassword:
		return k, true
	}
	return core.MethodNone, false
}

// passwordPageFor is the password page of kind for the flow. The page is
// the same for an address with and without an account (R25); what it
// names comes from the address's domain, which is public.
func (p *Pages) passwordPageFor(w http.ResponseWriter, r *http.Request, q *req) (passwordPage, core.Method, bool) {
	kind, ok := passwordKind(r)
	if !ok {
		p.r.message(w, http.StatusNotFound, messagePage{base: q.base(), Heading: "error.heading", Body: "error.link"})
		return passwordPage{}, kind, false
	}
	holder, err := p.redeem.AccountHolder(r.Context(), q.tenant, kind, q.flow.Email)
	if errors.Is(err, redeem.ErrNoMethod) {
		p.r.message(w, http.StatusNotFound, messagePage{base: q.base(), Heading: "error.heading", Body: "error.link"})
		return passwordPage{}, kind, false
	} else if err != nil {
		p.internal(w, q.base(), err)
		return passwordPage{}, kind, false
	}
	page := passwordPage{base: q.base(), Email: q.flow.Email,
		Action: q.path("/signin/password?as=" + string(kind)),
		Reset:  "/" + holder.ID + "/password/reset", Code: q.path("/signin/passcode")}
	switch kind {
	case core.MethodHomeTenant:
		page.Heading, page.Home = "password.heading.home", holder.DisplayName
	case core.MethodPersonal:
		page.Heading = "password.heading.personal"
	default:
		page.Heading = "password.heading.member"
	}
	return page, kind, true
}

// passwordForm asks for the password of the flow's account.
func (p *Pages) passwordForm(w http.ResponseWriter, r *http.Request) {
	q, ok := p.startedFlow(w, r)
	if !ok {
		return
	}
	page, _, ok := p.passwordPageFor(w, r, q)
	if ok {
		p.r.password(w, http.StatusOK, page)
	}
}

// checkPassword checks the typed password. A wrong password and an
// address without an account are one answer (R25).
func (p *Pages) checkPassword(w http.ResponseWriter, r *http.Request) {
	q, ok := p.startedFlow(w, r)
	if !ok {
		return
	}
	page, kind, ok := p.passwordPageFor(w, r, q)
	if !ok {
		return
	}
	if typed := r.PostFormValue("email"); typed != "" && !sameAddress(typed, q.flow.Email) {
		page.Error = "password.otheraddress"
		p.r.password(w, http.StatusBadRequest, page)
		return
	}
	done, err := p.redeem.Prove(r.Context(), q.tenant, q.flow, q.user, kind,
		idp.Answer{Secret: r.PostFormValue("password"), ClientIP: clientIP(r)}, q.loc.Lang)
	var th *idp.Throttled
	switch {
	case err == nil:
		p.proved(w, r, q, done)
	case errors.Is(err, idp.ErrWrongPassword):
		page.Error = "password.wrong"
		p.r.password(w, http.StatusUnauthorized, page)
	case errors.As(err, &th):
		wait := int(th.RetryAfter.Seconds() + 0.999)
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		page.Error, page.Minutes = "password.toomany", minutes(wait)
		p.r.password(w, http.StatusTooManyRequests, page)
	default:
		p.proofError(w, r, q, err)
	}
}

// sameAddress reports whether two typed addresses are one.
func sameAddress(a, b string) bool {
	x, err1 := core.ParseAddress(a)
	y, err2 := core.ParseAddress(b)
	return err1 == nil && err2 == nil && x.Key() == y.Key()
}

// setPassword takes the code and the new password of a sign-up or reset.
func (p *Pages) setPassword(w http.ResponseWriter, r *http.Request) {
	q, ok := p.startedFlow(w, r)
	if !ok {
		return
	}
	done, err := p.redeem.SetPassword(r.Context(), q.tenant, q.flow, q.user,
		r.PostFormValue("code"), r.PostFormValue("password"), clientIP(r), q.loc.Lang)
	p.codeAnswered(w, r, q, mode(r), done, err)
}

// newPasswordForm asks for the new password a sign-in must set first.
func (p *Pages) newPasswordForm(w http.ResponseWriter, r *http.Request) {
	q, ok := p.withFlow(w, r)
	if !ok {
		return
	}
	if q.flow.Step != core.FlowNewPassword {
		p.next(w, r, q)
		return
	}
	p.r.newPassword(w, http.StatusOK, newPasswordPage{base: q.base(), Email: q.flow.Email, Action: q.path("/signin/newpassword")})
}

// changePassword sets it and goes on with the sign-in.
func (p *Pages) changePassword(w http.ResponseWriter, r *http.Request) {
	q, ok := p.withFlow(w, r)
	if !ok {
		return
	}
	if q.flow.Step != core.FlowNewPassword {
		p.next(w, r, q)
		return
	}
	done, err := p.redeem.ChangePassword(r.Context(), q.tenant, q.flow, q.user, r.PostFormValue("password"), q.loc.Lang)
	if id, weak := weakPassword(err); weak {
		page := newPasswordPage{base: q.base(), Email: q.flow.Email, Action: q.path("/signin/newpassword"), Error: id}
		page.Min, page.Max = passwordBounds(err)
		p.r.newPassword(w, http.StatusBadRequest, page)
		return
	}
	if err != nil {
		p.proofError(w, r, q, err)
		return
	}
	p.proved(w, r, q, done)
}

// weakPassword is the message id of a password the rules refused.
func weakPassword(err error) (string, bool) {
	var rej *password.Rejected
	if !errors.As(err, &rej) {
		return "", false
	}
	switch rej.Reason {
	case password.TooShort:
		return "password.weak.short", true
	case password.TooLong:
		return "password.weak.long", true
	case password.Common:
		return "password.weak.common", true
	case password.Context:
		return "password.weak.context", true
	}
	return "password.weak.invalid", true
}

// passwordBounds are the length limits of a refused password, for its
// message.
func passwordBounds(err error) (lo, hi int) {
	var rej *password.Rejected
	if errors.As(err, &rej) {
		return rej.Min, rej.Max
	}
	return 0, 0
}

// accountEntry is the address form of a sign-up or a reset: the same
// page for every address (R25); a code goes only to an address that may
// have one, a note to any other.
func (p *Pages) accountEntry(w http.ResponseWriter, r *http.Request, purpose string) {
	q, ok := p.tenantFor(w, r)
	if !ok {
		return
	}
	page := signinPage{base: q.base(), Heading: "signup.heading", Body: "signup.body", Action: q.path("/signup")}
	done := p.baseURL + q.path("/signup/done")
	if purpose == core.FlowReset {
		page.Heading, page.Body, page.Action = "reset.heading", "reset.body", q.path("/password/reset")
		done = p.baseURL + q.path("/apps")
	} else if q.tenant.ID != core.ConsumersTenantID {
		// Personal accounts are made in the consumers tenant only.
		p.r.message(w, http.StatusNotFound, messagePage{base: q.base(), Heading: "error.heading", Body: "error.link"})
		return
	}
	if r.Method == http.MethodGet {
		page.Email = r.URL.Query().Get("email")
		p.r.signin(w, http.StatusOK, page)
		return
	}
	page.Email = r.PostFormValue("email")
	st, err := p.redeem.StartFor(r.Context(), q.tenant, purpose, page.Email, redeem.Target{RedirectURL: done}, "", clientIP(r))
	p.started(w, r, q, page, st, err)
}

func (p *Pages) signup(w http.ResponseWriter, r *http.Request) { p.accountEntry(w, r, core.FlowSignup) }
func (p *Pages) reset(w http.ResponseWriter, r *http.Request)  { p.accountEntry(w, r, core.FlowReset) }

// signupDone is where a new personal account lands.
func (p *Pages) signupDone(w http.ResponseWriter, r *http.Request) {
	q, ok := p.tenantFor(w, r)
	if ok {
		p.r.message(w, http.StatusOK, messagePage{base: q.base(), Heading: "signup.done.heading", Body: "signup.done.body"})
	}
}
