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
	switch t.EmailOTP {
	case core.OTPEnabled:
		return true
	case core.OTPDisabled:
		return false
	}
	if d.Profile == ProfileGovernment {
		return false
	}
	return !now.Before(d.OTPAutoEnable)
}

// PersonalAccounts reports whether the deployment offers personal
// accounts (SPEC R10 steps 4 and 6): the government profile does not
// (R40), so it has no consumers tenant either.
func (d Deployment) PersonalAccounts() bool { return d.Profile != ProfileGovernment }
