package console

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/redeem"
	"guestlist/internal/users"
)

// policiesPage is the guest sign-in policies of R43: the email passcode
// (R20), the redemption order (R10), the guest domain list (R9) and who
// may invite.
type policiesPage struct {
	base
	OTP       []option
	OTPOn     bool
	OTPWhy    string // message id
	OTPDate   string // the automatic enablement date, for the date cases
	Primary   [][]option
	Fallback  []option
	IsDefault bool // the order is the service default
	Kinds     []option
	Domains   string
	Invites   []option
	Notice    string // message id
	Error     string // the service's refusal, in its words
}

// otpValues are allowExternalIdToUseEmailOtp's values, as Entra's seeds
// show them (R20).
var otpValues = []string{core.OTPDefault, core.OTPEnabled, core.OTPDisabled}

// policySaved are the forms of the page, by what ?done= names.
var policySaved = []string{"otp", "order", "domains", "invites"}

// fallbacks are the choices of fallback (R10 steps 4 and 5): both, in
// the default order, or one of them.
var fallbacks = []struct {
	value   string
	methods []core.Method
}{
	{"default", core.DefaultFallback()},
	{"otp", []core.Method{core.MethodOTP}},
	{"personal", []core.Method{core.MethodPersonal}},
}

// policies: GET /{tenant}/admin/policies.
func (c *Console) policies(w http.ResponseWriter, r *http.Request, v *visit) {
	p := c.policiesPage(v, v.tenant)
	if done := r.URL.Query().Get("done"); slices.Contains(policySaved, done) {
		p.Notice = "console.policies." + done + ".saved"
	}
	c.r.render(w, http.StatusOK, "policies.html", p)
}

func (c *Console) policiesPage(v *visit, t *core.Tenant) policiesPage {
	p := policiesPage{base: c.base(v, "/policies")}
	p.Return = v.path("/policies")
	for _, o := range otpValues {
		p.OTP = append(p.OTP, option{Value: o, Label: "console.otp." + o, Selected: o == t.EmailOTP || (o == core.OTPDefault && t.EmailOTP == "")})
	}
	on, why, date := c.Deploy.EmailOTPWhy(t, c.Now())
	p.OTPOn, p.OTPWhy = on, "console.otp.why."+why
	if !date.IsZero() {
		p.OTPDate = date.UTC().Format(time.DateOnly)
	}
	o := t.Redemption
	p.IsDefault = len(o.Primary) == 0 && len(o.Fallback) == 0
	all := o.Methods()
	primary := o.Primary
	if len(primary) == 0 {
		primary = core.DefaultPrimary()
	}
	for i := range core.DefaultPrimary() {
		slot := []option{{Value: "", Label: "console.order.unused", Selected: i >= len(primary)}}
		for _, m := range core.DefaultPrimary() {
			slot = append(slot, option{Value: string(m), Label: "console.method." + string(m), Selected: i < len(primary) && primary[i] == m})
		}
		p.Primary = append(p.Primary, slot)
	}
	for _, f := range fallbacks {
		p.Fallback = append(p.Fallback, option{Value: f.value, Label: "console.order.fallback." + f.value,
			Selected: slices.Equal(all[len(primary):], f.methods)})
	}
	for _, k := range []string{"", core.DomainsAllowed, core.DomainsBlocked} {
		label := k
		if label == "" {
			label = "none"
		}
		p.Kinds = append(p.Kinds, option{Value: label, Label: "console.domains." + label, Selected: k == t.GuestDomains.Kind})
	}
	p.Domains = strings.Join(t.GuestDomains.Domains, "\n")
	for _, f := range core.InvitesFromValues() {
		p.Invites = append(p.Invites, option{Value: f, Label: "console.invites." + f, Selected: f == t.InvitesFrom()})
	}
	return p
}

// savePolicy answers a saved form: back to the page with a notice, or
// the page again with the service's refusal.
func (c *Console) savePolicy(w http.ResponseWriter, r *http.Request, v *visit, done string, err error) {
	var msg string
	if refused(err, &msg) {
		t, terr := c.Tenants.Resolve(r.Context(), v.tenant.ID)
		if terr != nil {
			c.internal(w, v, terr)
			return
		}
		p := c.policiesPage(v, t)
		p.Error = msg
		c.r.render(w, http.StatusBadRequest, "policies.html", p)
		return
	} else if err != nil {
		c.internal(w, v, err)
		return
	}
	seeOther(w, r, v.path("/policies?done="+done))
}

type otpConfirmPage struct {
	base
	Allow  string // the value chosen
	Label  string // its message id
	Guests int    // guests who redeemed with a passcode
}

// setOTP: POST /{tenant}/admin/policies/otp sets allowExternalIdToUseEmailOtp
// through the service Graph's PATCH uses. When the choice turns the
// passcode off, it first shows what that does to the guests who sign in
// with one (R26) and saves only once confirmed.
func (c *Console) setOTP(w http.ResponseWriter, r *http.Request, v *visit) {
	allow := r.PostFormValue("allow")
	if r.PostFormValue("confirm") == "" && c.turnsOTPOff(v.tenant, allow) {
		q, err := users.GuestQuery{Source: core.SourceOTP}.Filter()
		if err != nil {
			c.internal(w, v, err)
			return
		}
		n, err := c.Store.CountUsers(r.Context(), v.tenant.ID, q)
		if err != nil {
			c.internal(w, v, err)
			return
		}
		c.r.render(w, http.StatusOK, "otp.html", otpConfirmPage{base: c.base(v, "/policies"), Allow: allow,
			Label: "console.otp." + allow, Guests: n})
		return
	}
	_, err := c.Flows.SetEmailOTPPolicy(r.Context(), v.tenant.ID, redeem.EmailOTPChange{Allow: &allow})
	c.savePolicy(w, r, v, "otp", err)
}

// turnsOTPOff reports whether setting allow would take the passcode
// from guests who have it now. A value the service refuses turns
// nothing off: the service says why it is refused.
func (c *Console) turnsOTPOff(t *core.Tenant, allow string) bool {
	if !slices.Contains(otpValues, allow) {
		return false
	}
	now := c.Now()
	after := *t
	after.EmailOTP = allow
	return c.Deploy.EmailOTPEnabled(t, now) && !c.Deploy.EmailOTPEnabled(&after, now)
}

// setOrder: POST /{tenant}/admin/policies/order sets the redemption order
// (R10) through the service Graph's PATCH of the cross-tenant default
// uses; "reset" restores the default.
func (c *Console) setOrder(w http.ResponseWriter, r *http.Request, v *visit) {
	var o core.RedemptionOrder
	if r.PostFormValue("reset") == "" {
		for _, m := range r.PostForm["primary"] {
			if m != "" {
				o.Primary = append(o.Primary, core.Method(m))
			}
		}
		for _, f := range fallbacks {
			if f.value == r.PostFormValue("fallback") {
				o.Fallback = f.methods
			}
		}
		if o.Fallback == nil {
			o.Fallback = []core.Method{} // refused by the service with its reason
		}
	}
	c.savePolicy(w, r, v, "order", c.Flows.SetRedemptionOrder(r.Context(), v.tenant.ID, o))
}

// setDomains: POST /{tenant}/admin/policies/domains sets the guest domain
// list (R9) through the service Graph's B2B management policy uses.
func (c *Console) setDomains(w http.ResponseWriter, r *http.Request, v *visit) {
	g := core.GuestDomains{}
	switch kind := r.PostFormValue("kind"); kind {
	case "none":
	case core.DomainsAllowed, core.DomainsBlocked:
		g.Kind = kind
		g.Domains = strings.FieldsFunc(r.PostFormValue("domains"), func(r rune) bool {
			return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
		})
	default:
		g.Kind = kind // refused by the service with its reason
	}
	_, err := c.Flows.SetB2BPolicy(r.Context(), v.tenant.ID, redeem.B2BPolicy{Domains: &g})
	c.savePolicy(w, r, v, "domains", err)
}

// setInvites: POST /{tenant}/admin/policies/invites sets who may invite
// guests, through the service Graph's authorizationPolicy PATCH uses.
func (c *Console) setInvites(w http.ResponseWriter, r *http.Request, v *visit) {
	c.savePolicy(w, r, v, "invites", c.Invites.SetInvitesFrom(r.Context(), v.tenant.ID, r.PostFormValue("allow")))
}
