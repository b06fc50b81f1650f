package console

import (
	"net/http"
	"time"

	"guestlist/internal/roles"
)

type accountPage struct {
	base
	UPN     string
	Roles   []string // role display names
	Started time.Time
	Expires time.Time
	IdleMin int
	// The member's authenticator app.
	Enrolled      bool
	CodesLeft     int
	MFARequired   bool
	Notice, Error string // message ids
}

// account: GET /{tenant}/admin/account, the member's own page: their
// roles, this session, their authenticator app, sign-out everywhere.
func (c *Console) account(w http.ResponseWriter, r *http.Request, v *visit) {
	notice := ""
	if r.URL.Query().Get("done") == "removed" {
		notice = "console.mfa.removed"
	}
	c.showAccount(w, r, v, http.StatusOK, "", notice)
}

func (c *Console) showAccount(w http.ResponseWriter, r *http.Request, v *visit, status int, errID string, notice ...string) {
	ctx := r.Context()
	p := accountPage{base: c.base(v, ""), UPN: v.user.UserPrincipalName, Started: v.sess.CreatedAt,
		Expires: v.sess.ExpiresAt, IdleMin: int(c.Sessions.Lifetimes().Idle.Minutes()),
		MFARequired: mfaRequired(v), Error: errID}
	if len(notice) > 0 {
		p.Notice = notice[0]
	}
	p.Return = v.path("/account")
	for _, id := range v.roles {
		if d, ok := roles.Lookup(id); ok {
			p.Roles = append(p.Roles, d.DisplayName)
		}
	}
	var err error
	if p.Enrolled, err = c.MFA.Enrolled(ctx, v.tenant.ID, v.user.ID); err != nil {
		c.internal(w, v, err)
		return
	}
	if p.Enrolled {
		if p.CodesLeft, err = c.MFA.RecoveryCodesLeft(ctx, v.tenant.ID, v.user.ID); err != nil {
			c.internal(w, v, err)
			return
		}
	}
	c.r.render(w, status, "account.html", p)
}
