package policy

import (
	"time"

	"guestlist/internal/core"
)

// Cloud profiles (SPEC R40).
const (
	ProfilePublic     = "public"
	ProfileGovernment = "government"
)

// Deployment is what the tenant settings resolve against.
type Deployment struct {
	Profile string
	// OTPAutoEnable is the date from which "default" means enabled on the
	// public profile (Entra's automatic enablement); zero means always.
	OTPAutoEnable time.Time
}

// EmailOTPEnabled reports whether guests of t may use email one-time
// passcodes at now. Read fresh from the store on each request, a change is
// seen by every server process at once (R27).
func (d Deployment) EmailOTPEnabled(t *core.Tenant, now time.Time) bool {
	on, _ := d.EmailOTP(t, now)
	return on
}

// EmailOTP is EmailOTPEnabled with the reason, as the email policy shows
// it (R20). The method's state comes first: Graph's state "disabled"
// turns the method off for everyone, so external users lose it too,
// whatever allowExternalIdToUseEmailOtp says; allowExternalIdToUseEmailOtp
// then decides for external users, "default" through the deployment.
func (d Deployment) EmailOTP(t *core.Tenant, now time.Time) (bool, string) {
	if t.EmailMethodOff {
		return false, "state is disabled: the method is off for everyone, external users included"
	}
	switch t.EmailOTP {
	case core.OTPEnabled:
		return true, "allowExternalIdToUseEmailOtp is enabled"
	case core.OTPDisabled:
		return false, "allowExternalIdToUseEmailOtp is disabled"
	}
	if d.Profile == ProfileGovernment {
		return false, "default: off on the government profile"
	}
	if d.OTPAutoEnable.IsZero() {
		return true, "default: on on the public profile"
	}
	date := d.OTPAutoEnable.UTC().Format(time.DateOnly)
	if now.Before(d.OTPAutoEnable) {
		return false, "default: off until " + date + " on the public profile"
	}
	return true, "default: on from " + date + " on the public profile"
}

// PersonalAccounts reports whether the deployment offers personal
// accounts (SPEC R10 steps 4 and 6): the government profile does not
// (R40), so it has no consumers tenant either.
func (d Deployment) PersonalAccounts() bool { return d.Profile != ProfileGovernment }
