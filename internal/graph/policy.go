package graph

import (
	"net/http"

	"guestlist/internal/core"
	"guestlist/internal/platform"
)

// emailPolicyJSON is Graph's emailAuthenticationMethodConfiguration (R20).
type emailPolicyJSON struct {
	Context                      string `json:"@odata.context,omitempty"`
	OdataType                    string `json:"@odata.type,omitempty"`
	ID                           string `json:"id,omitempty"`
	State                        string `json:"state,omitempty"`
	AllowExternalIDToUseEmailOtp string `json:"allowExternalIdToUseEmailOtp"`
}

func (a *API) emailPolicy(t *core.Tenant) emailPolicyJSON {
	state := "disabled"
	if a.deploy.EmailOTPEnabled(t, a.now()) {
		state = "enabled"
	}
	return emailPolicyJSON{
		Context:   a.context("policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity"),
		OdataType: "#microsoft.graph.emailAuthenticationMethodConfiguration", ID: "Email",
		State: state, AllowExternalIDToUseEmailOtp: t.EmailOTP,
	}
}

func (a *API) getEmailPolicy(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	platform.WriteJSON(w, http.StatusOK, a.emailPolicy(t))
	return nil
}

// patchEmailPolicy changes allowExternalIdToUseEmailOtp. The setting is read
// from the store on every guest request, so every process applies it at once
// (R27); turning it off ends OTP guests' sessions at their next request (R26).
func (a *API) patchEmailPolicy(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var req struct {
		OdataType string  `json:"@odata.type"`
		ID        string  `json:"id"`
		State     string  `json:"state"`
		Allow     *string `json:"allowExternalIdToUseEmailOtp"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Allow == nil {
		return core.Invalidf("allowExternalIdToUseEmailOtp is required")
	}
	switch *req.Allow {
	case core.OTPDefault, core.OTPEnabled, core.OTPDisabled:
	default:
		return core.Invalidf("allowExternalIdToUseEmailOtp must be default, enabled or disabled")
	}
	t.EmailOTP = *req.Allow
	if err := a.st.UpdateTenantSettings(r.Context(), t); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
