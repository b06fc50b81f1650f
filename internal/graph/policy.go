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

func (a *API) emailPolicy(r *http.Request, t *core.Tenant) emailPolicyJSON {
	state := "disabled"
	if a.deploy.EmailOTPEnabled(t, a.now()) {
		state = "enabled"
	}
	return emailPolicyJSON{
		Context:   a.context(r, "policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity"),
		OdataType: "#microsoft.graph.emailAuthenticationMethodConfiguration", ID: "Email",
		State: state, AllowExternalIDToUseEmailOtp: t.EmailOTP,
	}
}

func (a *API) getEmailPolicy(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	platform.WriteJSON(w, http.StatusOK, a.emailPolicy(r, t))
	return nil
}

// patchEmailPolicy changes allowExternalIdToUseEmailOtp; the sign-in
// service applies it and its consequences (R26, R27).
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
	if _, err := a.signin.SetEmailOTP(r.Context(), t.ID, *req.Allow); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
