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
}

// account: GET /{tenant}/admin/account, the member's own page: their
// roles, this session, sign-out everywhere.
func (c *Console) account(w http.ResponseWriter, r *http.Request, v *visit) {
	p := accountPage{base: c.base(v, ""), UPN: v.user.UserPrincipalName, Started: v.sess.CreatedAt,
		Expires: v.sess.ExpiresAt, IdleMin: int(c.Sessions.Lifetimes().Idle.Minutes())}
	p.Return = v.path("/account")
	for _, id := range v.roles {
		if d, ok := roles.Lookup(id); ok {
			p.Roles = append(p.Roles, d.DisplayName)
		}
	}
	c.r.render(w, http.StatusOK, "account.html", p)
}
