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

// Why email one-time passcodes are on or off for a tenant's guests: the
// cases of EmailOTP, for surfaces that word them in their own language.
const (
	WhyMethodOff  = "methodOff"  // the method's state is disabled
	WhyEnabled    = "enabled"    // allowExternalIdToUseEmailOtp is enabled
	WhyDisabled   = "disabled"   // allowExternalIdToUseEmailOtp is disabled
	WhyGovernment = "government" // default, off on the government profile
	WhyPublic     = "public"     // default, on on the public profile
	WhyBeforeDate = "beforeDate" // default, off until the automatic enablement date
	WhyFromDate   = "fromDate"   // default, on from the automatic enablement date
)

// EmailOTPWhy is EmailOTPEnabled with the case that decided it and, for
// the date cases, the automatic enablement date.
func (d Deployment) EmailOTPWhy(t *core.Tenant, now time.Time) (on bool, why string, date time.Time) {
	if t.EmailMethodOff {
		return false, WhyMethodOff, time.Time{}
	}
	switch t.EmailOTP {
	case core.OTPEnabled:
		return true, WhyEnabled, time.Time{}
	case core.OTPDisabled:
		return false, WhyDisabled, time.Time{}
	}
	if d.Profile == ProfileGovernment {
		return false, WhyGovernment, time.Time{}
	}
	if d.OTPAutoEnable.IsZero() {
		return true, WhyPublic, time.Time{}
	}
	if now.Before(d.OTPAutoEnable) {
		return false, WhyBeforeDate, d.OTPAutoEnable
	}
	return true, WhyFromDate, d.OTPAutoEnable
}

// EmailOTP is EmailOTPEnabled with the reason, as the email policy shows
// it (R20). The method's state comes first: Graph's state "disabled"
// turns the method off for everyone, so external users lose it too,
// whatever allowExternalIdToUseEmailOtp says; allowExternalIdToUseEmailOtp
// then decides for external users, "default" through the deployment.
func (d Deployment) EmailOTP(t *core.Tenant, now time.Time) (bool, string) {
	on, why, date := d.EmailOTPWhy(t, now)
	day := date.UTC().Format(time.DateOnly)
	switch why {
	case WhyMethodOff:
		return on, "state is disabled: the method is off for everyone, external users included"
	case WhyEnabled:
		return on, "allowExternalIdToUseEmailOtp is enabled"
	case WhyDisabled:
		return on, "allowExternalIdToUseEmailOtp is disabled"
	case WhyGovernment:
		return on, "default: off on the government profile"
	case WhyPublic:
		return on, "default: on on the public profile"
	case WhyBeforeDate:
		return on, "default: off until " + day + " on the public profile"
	}
	return on, "default: on from " + day + " on the public profile"
}

// PersonalAccounts reports whether the deployment offers personal
// accounts (SPEC R10 steps 4 and 6): the government profile does not
// (R40), so it has no consumers tenant either.
func (d Deployment) PersonalAccounts() bool { return d.Profile != ProfileGovernment }
