package graph

import (
	"net/http"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/redeem"
)

// emailPolicyJSON is Graph's emailAuthenticationMethodConfiguration (R20),
// with guestlist's own Effective.
type emailPolicyJSON struct {
	Context                      string          `json:"@odata.context,omitempty"`
	OdataType                    string          `json:"@odata.type,omitempty"`
	ID                           string          `json:"id,omitempty"`
	State                        string          `json:"state,omitempty"`
	AllowExternalIDToUseEmailOtp string          `json:"allowExternalIdToUseEmailOtp"`
	IncludeTargets               []methodTarget  `json:"includeTargets"`
	ExcludeTargets               []methodTarget  `json:"excludeTargets"`
	Effective                    effectiveEmailJ `json:"effectiveForExternalUsers"`
}

// effectiveEmailJ is guestlist's addition: whether guests may use the
// passcode now, after state, allowExternalIdToUseEmailOtp and the
// deployment's default, and why.
type effectiveEmailJ struct {
	Enabled bool   `json:"enabled"`
	Reason  string `json:"reason"`
}

// methodTarget is Graph's authenticationMethodTarget (and excludeTarget).
// guestlist has no groups: the only target is Graph's default, every
// user ("all_users").
type methodTarget struct {
	OdataType              string `json:"@odata.type,omitempty"`
	ID                     string `json:"id"`
	TargetType             string `json:"targetType"`
	IsRegistrationRequired bool   `json:"isRegistrationRequired"`
}

const allUsers = "all_users"

func (a *API) emailPolicy(r *http.Request, t *core.Tenant) emailPolicyJSON {
	state := core.OTPEnabled
	if t.EmailMethodOff {
		state = core.OTPDisabled
	}
	on, why := a.deploy.EmailOTP(t, a.now())
	return emailPolicyJSON{
		Context:   a.context(r, "policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity"),
		OdataType: "#microsoft.graph.emailAuthenticationMethodConfiguration", ID: "Email",
		State: state, AllowExternalIDToUseEmailOtp: t.EmailOTP,
		IncludeTargets: []methodTarget{{ID: allUsers, TargetType: "group"}},
		ExcludeTargets: []methodTarget{},
		Effective:      effectiveEmailJ{Enabled: on, Reason: why},
	}
}

func (a *API) getEmailPolicy(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	platform.WriteJSON(w, http.StatusOK, a.emailPolicy(r, t))
	return nil
}

// patchEmailPolicy changes state and allowExternalIdToUseEmailOtp, each
// when sent; the sign-in service applies them and their consequences
// (R26, R27).
func (a *API) patchEmailPolicy(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var req struct {
		OdataType      string          `json:"@odata.type"`
		ID             string          `json:"id"`
		State          *string         `json:"state"`
		Allow          *string         `json:"allowExternalIdToUseEmailOtp"`
		IncludeTargets *[]methodTarget `json:"includeTargets"`
		ExcludeTargets *[]methodTarget `json:"excludeTargets"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Allow == nil && req.State == nil && req.IncludeTargets == nil && req.ExcludeTargets == nil {
		return core.Invalidf("nothing to change: send state, allowExternalIdToUseEmailOtp or includeTargets")
	}
	if err := checkTargets(req.IncludeTargets, req.ExcludeTargets); err != nil {
		return err
	}
	if req.Allow == nil && req.State == nil {
		w.WriteHeader(http.StatusNoContent) // the targets are the only ones there are
		return nil
	}
	if _, err := a.signin.SetEmailOTPPolicy(r.Context(), t.ID, redeem.EmailOTPChange{Allow: req.Allow, State: req.State}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// checkTargets accepts the only targets guestlist has: includeTargets
// naming every user, excludeTargets empty. There are no groups to name.
func checkTargets(include, exclude *[]methodTarget) error {
	if include != nil {
		ts := *include
		if len(ts) != 1 || ts[0].ID != allUsers || ts[0].TargetType != "group" || ts[0].IsRegistrationRequired {
			return core.Invalidf("includeTargets: guestlist has no groups; the only target is {\"id\": \"all_users\", \"targetType\": \"group\", \"isRegistrationRequired\": false}")
		}
	}
	if exclude != nil && len(*exclude) != 0 {
		return core.Invalidf("excludeTargets: guestlist has no groups to exclude; send an empty list")
	}
	return nil
}
