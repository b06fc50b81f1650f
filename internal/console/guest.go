package console

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/invite"
	"guestlist/internal/roles"
	"guestlist/internal/store"
	"guestlist/internal/users"
)

type invitationRow struct {
	Created, Expires, Redeemed time.Time
	Status                     string // Graph's status, or Expired/Revoked
	Resent                     int
	Mail                       string // message id of the mail's delivery state, "" when none was sent
	MailError                  string
}

type assignmentRow struct{ App, AppID string }

type signInRow struct {
	At      time.Time
	App     string
	Method  string // message id, "" when none was used
	Result  string // message id
	Failure string
}

type guestPage struct {
	base
	Guest       guestRow
	UPN         string
	UserType    string
	StateAt     time.Time
	Identities  []core.Identity
	Invitations []invitationRow
	Apps        []assignmentRow
	SignIns     []signInRow
	// Actions are the actions the member's roles allow on this guest now.
	Actions []string
	Notice  string // message id
}

// guest: GET /{tenant}/admin/guests/{id}, one guest in full (R43 3).
func (c *Console) guest(w http.ResponseWriter, r *http.Request, v *visit) {
	ctx := r.Context()
	u, ok := c.invited(w, r, v)
	if !ok {
		return
	}
	p := guestPage{base: c.base(v, "/guests"), Guest: row(u), UPN: u.UserPrincipalName, UserType: u.UserType,
		StateAt: u.StateChangedAt, Identities: u.Identities}
	p.Guest.OTPOff = u.ExternalUserState == core.StateAccepted && u.Method == core.MethodOTP &&
		!c.Deploy.EmailOTPEnabled(v.tenant, c.Now())
	p.Return = r.URL.RequestURI()
	if done := r.URL.Query().Get("done"); done != "" && actionOf(done) != nil {
		p.Notice = "console.action." + done + ".done"
	}
	invs, err := c.Store.ListInvitations(ctx, v.tenant.ID, store.InvitationFilter{UserID: u.ID})
	if err != nil {
		c.internal(w, v, err)
		return
	}
	now := c.Now()
	for i := len(invs) - 1; i >= 0 && len(p.Invitations) < 10; i-- { // newest first
		inv := invs[i]
		ir := invitationRow{Created: inv.CreatedAt, Expires: inv.ExpiresAt, Redeemed: inv.RedeemedAt,
			Status: inv.StatusAt(now), Resent: inv.ResentCount}
		if inv.MessageID != "" {
			if ir.Mail, ir.MailError, err = c.delivery(ctx, v.tenant.ID, inv.MessageID); err != nil {
				c.internal(w, v, err)
				return
			}
		}
		p.Invitations = append(p.Invitations, ir)
	}
	_, assigned, err := c.Apps.Assignments(ctx, v.tenant.ID, u.ID, store.Page{Top: 50})
	if err != nil {
		c.internal(w, v, err)
		return
	}
	for _, a := range assigned {
		ar := assignmentRow{AppID: a.AppID}
		if a.App != nil {
			ar.App = a.App.DisplayName
		}
		p.Apps = append(p.Apps, ar)
	}
	signins, err := c.Store.ListSignIns(ctx, v.tenant.ID, store.SignInFilter{UserID: u.ID,
		LogFilter: store.LogFilter{Page: store.Page{Top: 10}}})
	if err != nil {
		c.internal(w, v, err)
		return
	}
	for _, s := range signins {
		sr := signInRow{At: s.At, App: s.AppDisplayName, Result: "console.signins.success"}
		if s.Method != "" {
			sr.Method = "console.method." + string(s.Method)
		}
		if s.ErrorCode != 0 {
			sr.Result, sr.Failure = "console.signins.failure", s.FailureReason
		}
		p.SignIns = append(p.SignIns, sr)
	}
	for _, a := range guestActions {
		if v.can(a.action) && a.applies(u, pendingOf(invs, now)) {
			p.Actions = append(p.Actions, a.name)
		}
	}
	c.r.render(w, http.StatusOK, "guest.html", p)
}

// delivery is the state of an outbox message as a message id.
func (c *Console) delivery(ctx context.Context, tenantID, id string) (state, reason string, err error) {
	m, err := c.Store.GetMail(ctx, id)
	if errors.Is(err, core.ErrNotFound) { // pruned: sent long ago
		return "console.mail.gone", "", nil
	} else if err != nil {
		return "", "", err
	}
	if m.TenantID != tenantID {
		return "console.mail.gone", "", nil
	}
	switch m.Status {
	case core.MailSent:
		return "console.mail.sent", "", nil
	case core.MailFailed:
		return "console.mail.failed", m.LastError, nil
	}
	return "console.mail.pending", m.LastError, nil
}

// invited reads the {id} of the path as one of the tenant's invited
// users; anything else is the not-found page.
func (c *Console) invited(w http.ResponseWriter, r *http.Request, v *visit) (*core.User, bool) {
	u, err := c.Store.GetUser(r.Context(), v.tenant.ID, r.PathValue("id"))
	if err == nil && u.CreationType != core.CreationTypeInvitation {
		err = core.ErrNotFound
	}
	if errors.Is(err, core.ErrNotFound) {
		c.message(w, v, http.StatusNotFound, "console.error.noguest")
		return nil, false
	} else if err != nil {
		c.internal(w, v, err)
		return nil, false
	}
	return u, true
}

// pendingOf is the user's live pending invitation, nil if none.
func pendingOf(invs []core.Invitation, now time.Time) *core.Invitation {
	for i := len(invs) - 1; i >= 0; i-- {
		if s := invs[i].StatusAt(now); s == core.InvitationPending || s == core.InvitationExpired {
			return &invs[i]
		}
	}
	return nil
}

// guestAction is one thing an administrator can do to a guest.
type guestAction struct {
	name    string
	action  roles.Action
	danger  bool
	applies func(u *core.User, pending *core.Invitation) bool
	do      func(c *Console, ctx context.Context, v *visit, u *core.User, pending *core.Invitation, r *http.Request) error
}

var guestActions = []guestAction{
	{name: "resend", action: roles.Invite,
		applies: func(_ *core.User, p *core.Invitation) bool { return p != nil && p.MessageID != "" },
		do: func(c *Console, ctx context.Context, v *visit, _ *core.User, p *core.Invitation, _ *http.Request) error {
			_, err := c.Invites.Resend(ctx, v.tenant, p.ID)
			return err
		}},
	{name: "revoke", action: roles.Invite, danger: true,
		applies: func(_ *core.User, p *core.Invitation) bool { return p != nil },
		do: func(c *Console, ctx context.Context, v *visit, _ *core.User, p *core.Invitation, _ *http.Request) error {
			_, err := c.Invites.Revoke(ctx, v.tenant, p.ID)
			return err
		}},
	{name: "reset", action: roles.ResetRedemption, danger: true,
		applies: func(u *core.User, _ *core.Invitation) bool { return u.ExternalUserState == core.StateAccepted },
		do: func(c *Console, ctx context.Context, v *visit, u *core.User, _ *core.Invitation, r *http.Request) error {
			addr := strings.TrimSpace(r.PostFormValue("email"))
			if addr == "" {
				addr = u.Mail
			}
			_, err := c.Invites.Invite(ctx, v.tenant, invite.Request{Email: addr, ResetRedemption: true,
				InvitedUserID: u.ID, RedirectURL: c.BaseURL + "/" + v.tenant.ID + "/apps",
				SendInvitationMessage: r.PostFormValue("send") != ""})
			return err
		}},
	{name: "block", action: roles.ManageUsers, danger: true,
		applies: func(u *core.User, _ *core.Invitation) bool { return !u.Blocked },
		do: func(c *Console, ctx context.Context, v *visit, u *core.User, _ *core.Invitation, _ *http.Request) error {
			enabled := false
			return c.Users.Update(ctx, v.tenant.ID, u.ID, users.Patch{AccountEnabled: &enabled})
		}},
	{name: "unblock", action: roles.ManageUsers,
		applies: func(u *core.User, _ *core.Invitation) bool { return u.Blocked },
		do: func(c *Console, ctx context.Context, v *visit, u *core.User, _ *core.Invitation, _ *http.Request) error {
			enabled := true
			return c.Users.Update(ctx, v.tenant.ID, u.ID, users.Patch{AccountEnabled: &enabled})
		}},
	{name: "delete", action: roles.ManageUsers, danger: true,
		applies: func(*core.User, *core.Invitation) bool { return true },
		do: func(c *Console, ctx context.Context, v *visit, u *core.User, _ *core.Invitation, _ *http.Request) error {
			return c.Invites.DeleteUser(ctx, v.tenant.ID, u.ID)
		}},
}

func actionOf(name string) *guestAction {
	for i := range guestActions {
		if guestActions[i].name == name {
			return &guestActions[i]
		}
	}
	return nil
}

type confirmPage struct {
	base
	Guest  guestRow
	Action string
	Danger bool
	Error  string // the service's refusal, in its words
}

// confirm: GET /{tenant}/admin/guests/{id}/{action} asks before acting
// and says what the action does.
func (c *Console) confirm(w http.ResponseWriter, r *http.Request, v *visit) {
	a, u, pending, ok := c.guestAction(w, r, v)
	if !ok {
		return
	}
	if !a.applies(u, pending) {
		c.message(w, v, http.StatusConflict, "console.error.notnow")
		return
	}
	c.r.render(w, http.StatusOK, "confirm.html", confirmPage{base: c.base(v, "/guests"), Guest: row(u), Action: a.name, Danger: a.danger})
}

// act: POST /{tenant}/admin/guests/{id}/{action} does it, through the
// service the Graph API uses (which writes the audit record).
func (c *Console) act(w http.ResponseWriter, r *http.Request, v *visit) {
	a, u, pending, ok := c.guestAction(w, r, v)
	if !ok {
		return
	}
	if !a.applies(u, pending) {
		c.message(w, v, http.StatusConflict, "console.error.notnow")
		return
	}
	err := a.do(c, r.Context(), v, u, pending, r)
	var pub *core.Error
	var later *core.RetryLater
	switch {
	case err == nil:
	case errors.As(err, &later), errors.Is(err, core.ErrInvalid), errors.Is(err, core.ErrConflict), errors.Is(err, core.ErrNotFound):
		status := http.StatusBadRequest
		if later != nil {
			status = http.StatusTooManyRequests
		}
		p := confirmPage{base: c.base(v, "/guests"), Guest: row(u), Action: a.name, Danger: a.danger}
		if errors.As(err, &pub) {
			p.Error = pub.Message
		}
		c.r.render(w, status, "confirm.html", p)
		return
	default:
		c.internal(w, v, err)
		return
	}
	if a.name == "delete" {
		seeOther(w, r, v.path("/guests?deleted=1"))
		return
	}
	seeOther(w, r, v.path("/guests/"+u.ID+"?done="+a.name))
}

// guestAction reads the path's guest and action and checks the member's
// role for it.
func (c *Console) guestAction(w http.ResponseWriter, r *http.Request, v *visit) (*guestAction, *core.User, *core.Invitation, bool) {
	a := actionOf(r.PathValue("action"))
	if a == nil {
		c.message(w, v, http.StatusNotFound, "console.error.notfound")
		return nil, nil, nil, false
	}
	if !v.can(a.action) {
		c.message(w, v, http.StatusForbidden, "console.error.role")
		return nil, nil, nil, false
	}
	u, ok := c.invited(w, r, v)
	if !ok {
		return nil, nil, nil, false
	}
	invs, err := c.Store.ListInvitations(r.Context(), v.tenant.ID, store.InvitationFilter{UserID: u.ID})
	if err != nil {
		c.internal(w, v, err)
		return nil, nil, nil, false
	}
	return a, u, pendingOf(invs, c.Now()), true
}
