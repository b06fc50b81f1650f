package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/passcode"
	"guestlist/internal/redeem"
)

// redeemLink opens the link from the invitation: it starts a flow, sets its
// cookie and moves on, so the token leaves the address bar at once.
func (p *Pages) redeemLink(w http.ResponseWriter, r *http.Request) {
	q, ok := p.tenantFor(w, r)
	if !ok {
		return
	}
	ui := p.cat.Match(r.URL.Query().Get("ui_locales"))
	st, err := p.redeem.StartFromToken(r.Context(), q.tenant, r.URL.Query().Get("t"), q.loc.Lang, ui, clientIP(r))
	if err != nil {
		p.flowError(w, q, err)
		return
	}
	p.setCookie(w, "flow", q.tenant.ID, st.Cookie, st.Flow.ExpiresAt.Sub(st.Flow.CreatedAt))
	sess, _, err := p.session(r.Context(), r, q.tenant)
	if err != nil {
		p.flowError(w, q, err)
		return
	}
	// A live session moves the flow past its proof; its step then says
	// where it goes.
	skipped, err := p.redeem.SkipWithSession(r.Context(), q.tenant, &st.Flow, &st.User, sess)
	if err != nil {
		p.flowError(w, q, err)
		return
	}
	q.flow, q.user = &st.Flow, &st.User
	if skipped {
		p.next(w, r, q)
		return
	}
	p.route(w, r, q, st.Route) // the engine decided it when the flow began
}

// Modes of the passcode pages: a sign-in, or the code that confirms the
// address of a new personal account (from a redeem link: R10 step 6; or
// on its own) or of a password reset. The mode is in the URL: it only
// changes the page's words; the engine checks what the flow may do.
const (
	modeSignin     = ""
	modeSignup     = "signup"
	modeNewAccount = "newaccount"
	modeReset      = "reset"
)

// mode is the page mode r names.
func mode(r *http.Request) string {
	switch m := r.URL.Query().Get("m"); m {
	case modeSignup, modeNewAccount, modeReset:
		return m
	}
	return modeSignin
}

// withMode is path with the mode m.
func withMode(path, m string) string {
	if m == modeSignin {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "m=" + m
}

// startedFlow is withFlow for the passcode steps: a flow already past
// them is sent on to where it belongs instead.
func (p *Pages) startedFlow(w http.ResponseWriter, r *http.Request) (*req, bool) {
	q, ok := p.withFlow(w, r)
	if ok && q.flow.Step != core.FlowStarted {
		p.next(w, r, q)
		return nil, false
	}
	return q, ok
}

// startPage says a code will be sent, with the Send code button (R21).
func (p *Pages) startPage(w http.ResponseWriter, r *http.Request) {
	q, ok := p.startedFlow(w, r)
	if !ok {
		return
	}
	p.r.start(w, http.StatusOK, p.startPageFor(q, mode(r)))
}

// startPageFor is the start page in mode m. A sign-in offers everyone a
// password instead (R25: the same page for every address).
func (p *Pages) startPageFor(q *req, m string) startPage {
	page := startPage{base: q.base(), Email: q.flow.Email, Action: withMode(q.path("/signin/passcode"), m), Mode: m}
	if m == modeSignin && p.redeem.Offers(core.MethodPersonal) {
		page.Password = q.path("/signin/password?as=" + string(core.MethodPersonal))
	}
	return page
}

// sendCode mails a code (first or again) and shows the Enter code page.
func (p *Pages) sendCode(w http.ResponseWriter, r *http.Request) {
	q, ok := p.startedFlow(w, r)
	if !ok {
		return
	}
	// Whether the address gets a code or a note is for its owner to read
	// in the mail; the page is the same (R7, R25, R26).
	m := mode(r)
	var began idp.Began
	var err error
	if m == modeSignin {
		began, err = p.redeem.Begin(r.Context(), q.tenant, q.flow, q.user, core.MethodOTP, q.loc.Lang, clientIP(r))
	} else {
		began, err = p.redeem.BeginNewPassword(r.Context(), q.tenant, q.flow, q.user, q.loc.Lang, clientIP(r))
	}
	var th *passcode.Throttled
	switch {
	case errors.Is(err, redeem.ErrWrongStep):
		p.next(w, r, q) // the page's mode is not the flow's
		return
	case errors.As(err, &th):
		msg, wait := throttleMessage(th)
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		if r.URL.Query().Get("from") == "code" {
			p.r.code(w, http.StatusTooManyRequests, p.codePage(q, m, "", msg, wait))
		} else {
			page := p.startPageFor(q, m)
			page.Error, page.Wait, page.WaitMinutes = msg, wait, minutes(wait)
			p.r.start(w, http.StatusTooManyRequests, page)
		}
		return
	case err != nil:
		p.internal(w, q.base(), err)
		return
	}
	notice := "code.newsent"
	if began.Resent {
		notice = "code.resent"
	}
	if r.URL.Query().Get("from") != "code" {
		notice = ""
	}
	seeOther(w, r, withMode(q.path("/signin/code")+"?n="+notice, m))
}

// codePage is the Enter code page in mode m: beside a sign-in's code, a
// new account's or a reset's asks for the new password too.
func (p *Pages) codePage(q *req, m, notice, errID string, wait int) codePage {
	cfg := p.passcode.Config()
	page := codePage{
		base: q.base(), Email: q.flow.Email, Action: q.path("/signin/code"),
		Resend: withMode(q.path("/signin/passcode?from=code"), m), Minutes: int(cfg.TTL.Minutes()), Digits: cfg.Digits,
		Notice: notice, Error: errID, Wait: wait, WaitMinutes: minutes(wait), Mode: m,
	}
	if m != modeSignin {
		page.Action = withMode(q.path("/signin/setpassword"), m)
	}
	return page
}

// throttleMessage is the message that tells the person what helps (R23):
// wait seconds for the next code of this flow, use the code they already
// have, wait some minutes, or start again; and the wait in seconds.
func throttleMessage(th *passcode.Throttled) (string, int) {
	wait := int(th.RetryAfter.Seconds() + 0.999)
	switch th.Reason {
	case passcode.ReasonWait:
		return "code.wait", wait
	case passcode.ReasonAddressSends:
		return "code.ceiling", wait
	case passcode.ReasonFlowAttempts:
		return "code.flowlocked", wait
	case passcode.ReasonClientAttempt:
		return "code.locked", wait
	default:
		return "code.toomany", wait
	}
}

// minutes rounds a wait in seconds up to whole minutes.
func minutes(seconds int) int { return (seconds + 59) / 60 }

// enterCode shows the Enter code page.
func (p *Pages) enterCode(w http.ResponseWriter, r *http.Request) {
	q, ok := p.startedFlow(w, r)
	if !ok {
		return
	}
	notice := r.URL.Query().Get("n")
	if notice != "code.resent" && notice != "code.newsent" {
		notice = ""
	}
	p.r.code(w, http.StatusOK, p.codePage(q, mode(r), notice, "", 0))
}

// checkCode checks the code; the right one starts a session (R24).
func (p *Pages) checkCode(w http.ResponseWriter, r *http.Request) {
	q, ok := p.startedFlow(w, r)
	if !ok {
		return
	}
	done, err := p.redeem.Prove(r.Context(), q.tenant, q.flow, q.user, core.MethodOTP,
		idp.Answer{Secret: r.PostFormValue("code"), ClientIP: clientIP(r)}, q.loc.Lang)
	p.codeAnswered(w, r, q, modeSignin, done, err)
}

// codeAnswered answers a typed code: the flow goes on, or the code page
// says what was wrong.
func (p *Pages) codeAnswered(w http.ResponseWriter, r *http.Request, q *req, m string, done *redeem.Completed, err error) {
	var th *passcode.Throttled
	switch {
	case err == nil:
		p.proved(w, r, q, done)
	case errors.Is(err, passcode.ErrMalformed):
		p.r.code(w, http.StatusBadRequest, p.codePage(q, m, "", "code.malformed", 0))
	case errors.Is(err, passcode.ErrWrong):
		p.r.code(w, http.StatusBadRequest, p.codePage(q, m, "", "code.wrong", 0))
	case errors.Is(err, passcode.ErrExpired):
		p.r.code(w, http.StatusBadRequest, p.codePage(q, m, "", "code.expired", 0))
	case errors.As(err, &th):
		msg, wait := throttleMessage(th)
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		p.r.code(w, http.StatusTooManyRequests, p.codePage(q, m, "", msg, wait))
	default:
		if id, ok := weakPassword(err); ok {
			page := p.codePage(q, m, "", id, 0)
			page.Min, page.Max = passwordBounds(err)
			p.r.code(w, http.StatusBadRequest, page)
			return
		}
		p.proofError(w, r, q, err)
	}
}

// proved goes on with a flow whose proof was accepted: its new cookies,
// then its next step.
func (p *Pages) proved(w http.ResponseWriter, r *http.Request, q *req, done *redeem.Completed) {
	q.flow = &done.Flow
	if q.user == nil {
		q.user = done.User // a sign-up's flow had no user until its account
	}
	if done.Session != "" {
		p.setCookie(w, "session", q.tenant.ID, done.Session, done.SessionTTL)
	}
	if done.FlowCookie != "" {
		p.setCookie(w, "flow", q.tenant.ID, done.FlowCookie, q.flow.ExpiresAt.Sub(q.flow.CreatedAt))
	}
	p.next(w, r, q)
}

// proofError answers what a proof that held may still meet: the address
// has no guest here (R7), the guest signs in another way (R10, R11), or
// the flow's own errors.
func (p *Pages) proofError(w http.ResponseWriter, r *http.Request, q *req, err error) {
	var other *redeem.OtherMethod
	switch {
	case errors.Is(err, redeem.ErrWrongStep):
		p.moved(w, r)
	case errors.Is(err, redeem.ErrNotInvited):
		p.r.message(w, http.StatusForbidden, messagePage{base: q.base(), Heading: "error.heading", Body: "error.notinvited"})
	case errors.Is(err, redeem.ErrAccountExists): // made meanwhile, in another tab
		p.r.message(w, http.StatusConflict, messagePage{base: q.base(), Heading: "error.heading", Body: "error.accountexists",
			Link: q.path("/signin/password?as=" + string(core.MethodPersonal))})
	case errors.As(err, &other):
		link := q.path("/signin/passcode")
		switch other.Want {
		case core.MethodOTP:
		case core.MethodFederation, core.MethodGoogle:
			link = federationPath(q, other.Want)
		default:
			link = q.path("/signin/password?as=" + string(other.Want))
		}
		p.r.message(w, http.StatusConflict, messagePage{base: q.base(), Heading: "error.heading",
			Body: "error.othermethod." + string(other.Want), Link: link})
	default:
		p.flowError(w, q, err)
	}
}

// next sends a flow to its next step, as the engine's dispatcher decides
// it (redeem.Next): the passcode's first page, the no-access page (R7: told
// only now that the address is proved), consent for a pending guest, or
// straight to where the flow leads. Every page that is done with its own
// step ends here rather than naming the page that follows.
func (p *Pages) next(w http.ResponseWriter, r *http.Request, q *req) {
	route, err := p.redeem.Next(r.Context(), q.tenant, q.flow, q.user)
	if err != nil {
		p.internal(w, q.base(), err)
		return
	}
	p.route(w, r, q, route)
}

// route sends the flow to the page of its step.
func (p *Pages) route(w http.ResponseWriter, r *http.Request, q *req, route redeem.Route) {
	switch route.Step {
	case redeem.StepProve:
		switch route.Method {
		case core.MethodOTP:
			seeOther(w, r, q.path("/signin/passcode"))
		case core.MethodFederation, core.MethodGoogle:
			seeOther(w, r, federationPath(q, route.Method))
		default:
			seeOther(w, r, q.path("/signin/password?as="+string(route.Method)))
		}
	case redeem.StepSignup:
		seeOther(w, r, withMode(q.path("/signin/passcode"), modeSignup))
	case redeem.StepSetPassword:
		m := modeReset
		if q.flow.Purpose == core.FlowSignup {
			m = modeNewAccount
		}
		seeOther(w, r, withMode(q.path("/signin/passcode"), m))
	case redeem.StepNewPassword:
		seeOther(w, r, q.path("/signin/newpassword"))
	case redeem.StepNoMethod:
		p.r.message(w, http.StatusForbidden, messagePage{base: q.base(), Heading: "error.heading", Body: "error.nomethod"})
	case redeem.StepNoAccess:
		p.noAccess(w, q)
	case redeem.StepEnded:
		if q.flow.Purpose == core.FlowReset {
			p.r.message(w, http.StatusOK, messagePage{base: q.base(), Heading: "reset.done.heading", Body: "reset.done.body", Link: q.flow.RedirectURL})
			return
		}
		p.r.message(w, http.StatusOK, messagePage{base: q.base(), Heading: "done.heading", Body: "done.body", Link: q.flow.RedirectURL})
	case redeem.StepConsent:
		seeOther(w, r, q.path("/signin/consent"))
	default: // redeem.StepFinish
		if err := p.redeem.Finish(r.Context(), q.flow); err != nil && !errors.Is(err, redeem.ErrWrongStep) {
			p.internal(w, q.base(), err)
			return
		}
		p.finishFlow(w, r, q)
	}
}

// finishFlow sends a signed-in guest where the flow leads: back to the
// application of its authorization request, or to its redirect URL.
func (p *Pages) finishFlow(w http.ResponseWriter, r *http.Request, q *req) {
	if !p.mayUseApp(w, r, q) {
		return
	}
	// The sign-in was recorded (signInActivity) with its proof, or with
	// the session that let the flow skip it.
	if q.flow.AuthRequestID != "" {
		p.completeAuthRequest(w, r, q, q.flow.AuthRequestID, q.user.ID, time.Time{}, q.user.Method.AMR())
		return
	}
	seeOther(w, r, q.flow.RedirectURL)
}

// mayUseApp reports whether the flow's guest may use the flow's
// application, if it has one; if not it answers with the no-access page.
func (p *Pages) mayUseApp(w http.ResponseWriter, r *http.Request, q *req) bool {
	if q.flow.AppID == "" {
		return true
	}
	assigned, err := p.redeem.MayOpen(r.Context(), q.tenant.ID, q.user.ID, q.flow.AppID)
	if err != nil {
		p.internal(w, q.base(), err)
		return false
	}
	if !assigned {
		p.noAccess(w, q)
	}
	return assigned
}

// consentPage names the organization and what it will see (R5).
func (p *Pages) consentPage(w http.ResponseWriter, r *http.Request) {
	q, ok := p.withFlow(w, r)
	if !ok {
		return
	}
	if q.flow.Step != core.FlowVerified || redeem.Redeemed(q.user) {
		p.next(w, r, q)
		return
	}
	p.r.consent(w, http.StatusOK, consentPage{base: q.base(), Name: q.user.DisplayName, NameGiven: q.user.GivenName() != "", Email: q.user.Mail, Action: q.path("/signin/consent")})
}

// consent accepts or declines. Of two browsers accepting at once exactly
// one redeems; the other gets a clear page (R6).
func (p *Pages) consent(w http.ResponseWriter, r *http.Request) {
	q, ok := p.withFlow(w, r)
	if !ok {
		return
	}
	if q.flow.Step != core.FlowVerified {
		p.next(w, r, q)
		return
	}
	if r.PostFormValue("action") != "accept" {
		p.decline(w, r, q)
		return
	}
	switch err := p.redeem.Accept(r.Context(), q.flow, q.user); {
	case err == nil:
		p.finishFlow(w, r, q)
	case errors.Is(err, redeem.ErrRedeemed):
		p.r.message(w, http.StatusConflict, messagePage{base: q.base(), Heading: "redeemed.heading", Body: "redeemed.body", Link: q.flow.RedirectURL})
	case errors.Is(err, redeem.ErrWrongStep):
		p.moved(w, r)
	default:
		p.flowError(w, q, err)
	}
}

// decline answers a guest who declined consent: the application of the
// flow's authorization request gets error=access_denied (OpenID Connect
// Core 3.1.2.6), so the guest is back where they came from; a flow from a
// redeem link has no application to return to and ends on a page.
func (p *Pages) decline(w http.ResponseWriter, r *http.Request, q *req) {
	if q.flow.AuthRequestID != "" {
		if _, err := p.auth.AuthRequest(r, q.tenant, q.flow.AuthRequestID); err == nil {
			p.auth.Decline(w, r, q.tenant, q.flow.AuthRequestID)
			return
		}
	}
	p.r.message(w, http.StatusOK, messagePage{base: q.base(), Heading: "declined.heading", Body: "declined.body"})
}

// moved answers a request whose flow moved on while it ran — another tab,
// or a retry after a process died with the first try already committed:
// the page is the one for where the flow stands now.
func (p *Pages) moved(w http.ResponseWriter, r *http.Request) {
	if q, ok := p.withFlow(w, r); ok {
		p.next(w, r, q)
	}
}
