package console

import (
	"errors"
	"net/http"
	"strings"

	"guestlist/internal/core"
	"guestlist/internal/i18n"
	"guestlist/internal/invite"
)

type previewStep struct {
	Method  string // message id
	Outcome string // message id
	Reason  string // in the explainer's words
}

type invitePage struct {
	base
	Email, Name, Message, Language, CC, Redirect string
	Send                                         bool
	Languages2                                   []language
	// Preview is the explainer's answer for Email (R14), when asked.
	Preview     []previewStep
	PreviewGets string // message id of the method the address gets
	Error       string // the service's refusal, in its words
	// Done: the invitation was made; Link is its redeem link when it was
	// not mailed, for the administrator to pass on.
	Done   bool
	Link   string
	UserID string
}

// inviteForm: GET /{tenant}/admin/invite.
func (c *Console) inviteForm(w http.ResponseWriter, r *http.Request, v *visit) {
	p := c.invitePage(v)
	p.Send = true
	c.r.render(w, http.StatusOK, "invite.html", p)
}

func (c *Console) invitePage(v *visit) invitePage {
	p := invitePage{base: c.base(v, "/invite"), Redirect: c.BaseURL + "/" + v.tenant.ID + "/apps"}
	p.Return = v.path("/invite")
	for _, tag := range i18n.Languages {
		p.Languages2 = append(p.Languages2, language{Tag: tag, Name: languageNames[tag]})
	}
	return p
}

// invite: POST /{tenant}/admin/invite. With "check" it only explains
// which sign-in method the address would get (R14); otherwise it invites
// through the same service as POST /v1.0/invitations.
func (c *Console) invite(w http.ResponseWriter, r *http.Request, v *visit) {
	p := c.invitePage(v)
	p.Email = strings.TrimSpace(r.PostFormValue("email"))
	p.Name = strings.TrimSpace(r.PostFormValue("name"))
	p.Message = r.PostFormValue("message")
	p.Language = c.Catalog.Supported(r.PostFormValue("language"))
	p.CC = strings.TrimSpace(r.PostFormValue("cc"))
	p.Redirect = strings.TrimSpace(r.PostFormValue("redirect"))
	p.Send = r.PostFormValue("send") != ""
	for i := range p.Languages2 {
		p.Languages2[i].Current = p.Languages2[i].Tag == p.Language
	}
	if r.PostFormValue("check") != "" {
		c.preview(w, r, v, &p)
		return
	}
	req := invite.Request{Email: p.Email, DisplayName: p.Name, RedirectURL: p.Redirect,
		SendInvitationMessage: p.Send,
		MessageInfo:           core.MessageInfo{CustomizedMessageBody: p.Message, MessageLanguage: p.Language}}
	if p.CC != "" {
		req.MessageInfo.CCRecipients = strings.FieldsFunc(p.CC, func(r rune) bool { return r == ',' || r == ';' || r == ' ' })
	}
	res, err := c.Invites.Invite(r.Context(), v.tenant, req)
	if refused(err, &p.Error) {
		status := http.StatusBadRequest
		var later *core.RetryLater
		if errors.As(err, &later) {
			status = http.StatusTooManyRequests
		}
		c.r.render(w, status, "invite.html", p)
		return
	} else if err != nil {
		c.internal(w, v, err)
		return
	}
	p.Done, p.UserID = true, res.User.ID
	if !p.Send {
		p.Link = res.RedeemURL
	}
	c.r.render(w, http.StatusOK, "invite.html", p)
}

// preview fills p with the explainer's answer for p.Email.
func (c *Console) preview(w http.ResponseWriter, r *http.Request, v *visit, p *invitePage) {
	pv, err := c.Flows.Preview(r.Context(), v.tenant, p.Email)
	if refused(err, &p.Error) {
		c.r.render(w, http.StatusBadRequest, "invite.html", *p)
		return
	} else if err != nil {
		c.internal(w, v, err)
		return
	}
	p.PreviewGets = "console.method.none"
	if pv.Method != core.MethodNone {
		p.PreviewGets = "console.method." + string(pv.Method)
	}
	for _, s := range pv.Steps {
		p.Preview = append(p.Preview, previewStep{Method: "console.method." + string(s.Method),
			Outcome: "console.outcome." + string(s.Outcome), Reason: s.Reason})
	}
	c.r.render(w, http.StatusOK, "invite.html", *p)
}

// refused reports whether err is a refusal the administrator can act on
// (bad input, a conflict, a limit), and puts its public message in msg.
func refused(err error, msg *string) bool {
	if err == nil {
		return false
	}
	var later *core.RetryLater
	if !errors.As(err, &later) && !errors.Is(err, core.ErrInvalid) && !errors.Is(err, core.ErrConflict) &&
		!errors.Is(err, core.ErrNotFound) && !errors.Is(err, core.ErrForbidden) {
		return false
	}
	*msg = err.Error()
	if pub, ok := core.PublicError(err); ok {
		*msg = pub.Message
	}
	return true
}
