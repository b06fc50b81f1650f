package console

import (
	"errors"
	"net/http"

	"guestlist/internal/core"
)

type securityPage struct {
	base
	Options []option
	Notice  string // message id
	Error   string // the service's refusal
}

// security: GET /{tenant}/admin/security, who must use an authenticator
// app to sign in to the console.
func (c *Console) security(w http.ResponseWriter, r *http.Request, v *visit) {
	notice := ""
	if r.URL.Query().Get("done") != "" {
		notice = "console.security.saved"
	}
	c.showSecurity(w, v, http.StatusOK, notice, "")
}

func (c *Console) showSecurity(w http.ResponseWriter, v *visit, status int, notice, refusal string) {
	p := securityPage{base: c.base(v, "/security"), Notice: notice, Error: refusal}
	p.Return = v.path("/security")
	for _, val := range core.AdminMFAValues() {
		p.Options = append(p.Options, option{Value: val, Label: "console.security." + val,
			Selected: val == v.tenant.AdminMFARequirement()})
	}
	c.r.render(w, status, "security.html", p)
}

// setSecurity: POST /{tenant}/admin/security.
func (c *Console) setSecurity(w http.ResponseWriter, r *http.Request, v *visit) {
	err := c.MFA.SetAdminRequirement(r.Context(), v.tenant.ID, r.PostFormValue("mfa"))
	var msg string
	switch {
	case err == nil:
		seeOther(w, r, v.path("/security?done=1"))
	case errors.Is(err, core.ErrInvalid) && refused(err, &msg):
		c.showSecurity(w, v, http.StatusBadRequest, "", msg)
	default:
		c.internal(w, v, err)
	}
}
