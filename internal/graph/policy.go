package graph

import (
	"context"
	"net/http"
	"slices"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/store"
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
// (R27); turning it off revokes the sessions of guests who redeemed with OTP
// in the same transaction (R26).
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
	err := a.st.InTx(r.Context(), func(tx store.Tx) error {
		if err := tx.UpdateTenantSettings(r.Context(), t); err != nil {
			return err
		}
		if a.deploy.EmailOTPEnabled(t, a.now()) {
			return nil
		}
		return endOTPSessions(r.Context(), tx, t.ID, a.now())
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// endOTPSessions revokes the sessions of the guests who redeemed with a
// passcode (R26). Refusing them while OTP is off is not enough: a session
// left alone would let its guest back in without a code once OTP is on
// again.
func endOTPSessions(ctx context.Context, tx store.Tx, tenantID string, now time.Time) error {
	users, err := tx.ListUsers(ctx, tenantID, store.UserFilter{ExternalUserState: core.StateAccepted})
	if err != nil {
		return err
	}
	for _, u := range users {
		if !slices.ContainsFunc(u.Identities, func(id core.Identity) bool { return id.Issuer == core.IssuerMail }) {
			continue
		}
		if err := tx.RevokeUserSessions(ctx, tenantID, u.ID, now); err != nil {
			return err
		}
	}
	return nil
}
