package policy

import (
	"testing"
	"time"

	"guestlist/internal/core"
)

// TestEmailOTPEnabled: an explicit tenant setting wins; "default" is on
// for the public profile from the automatic enablement date (R20) and off
// for the government profile (R40).
func TestEmailOTPEnabled(t *testing.T) {
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	public := Deployment{Profile: ProfilePublic, OTPAutoEnable: day}
	gov := Deployment{Profile: ProfileGovernment}
	for _, tc := range []struct {
		name    string
		deploy  Deployment
		setting string
		now     time.Time
		want    bool
	}{
		{"public default after the date", public, core.OTPDefault, day, true},
		{"public default before the date", public, core.OTPDefault, day.Add(-time.Second), false},
		{"public default, no date set", Deployment{Profile: ProfilePublic}, core.OTPDefault, day, true},
		{"public disabled", public, core.OTPDisabled, day, false},
		{"public enabled before the date", public, core.OTPEnabled, day.Add(-time.Hour), true},
		{"government default", gov, core.OTPDefault, day, false},
		{"government enabled", gov, core.OTPEnabled, day, true},
		{"government disabled", gov, core.OTPDisabled, day, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.deploy.EmailOTPEnabled(&core.Tenant{EmailOTP: tc.setting}, tc.now)
			if got != tc.want {
				t.Errorf("EmailOTPEnabled = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestEmailOTPWhy: each case names what decided, with the date for the
// date cases, and the English reason Graph shows says the same.
func TestEmailOTPWhy(t *testing.T) {
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	public := Deployment{Profile: ProfilePublic, OTPAutoEnable: day}
	for _, tc := range []struct {
		name   string
		deploy Deployment
		tenant core.Tenant
		now    time.Time
		on     bool
		why    string
		date   time.Time
		reason string
	}{
		{"method off", public, core.Tenant{EmailOTP: core.OTPEnabled, EmailMethodOff: true}, day, false, WhyMethodOff, time.Time{}, "state is disabled: the method is off for everyone, external users included"},
		{"enabled", public, core.Tenant{EmailOTP: core.OTPEnabled}, day, true, WhyEnabled, time.Time{}, "allowExternalIdToUseEmailOtp is enabled"},
		{"disabled", public, core.Tenant{EmailOTP: core.OTPDisabled}, day, false, WhyDisabled, time.Time{}, "allowExternalIdToUseEmailOtp is disabled"},
		{"government", Deployment{Profile: ProfileGovernment}, core.Tenant{EmailOTP: core.OTPDefault}, day, false, WhyGovernment, time.Time{}, "default: off on the government profile"},
		{"public, no date", Deployment{Profile: ProfilePublic}, core.Tenant{}, day, true, WhyPublic, time.Time{}, "default: on on the public profile"},
		{"before the date", public, core.Tenant{EmailOTP: core.OTPDefault}, day.Add(-time.Second), false, WhyBeforeDate, day, "default: off until 2026-06-01 on the public profile"},
		{"from the date", public, core.Tenant{EmailOTP: core.OTPDefault}, day, true, WhyFromDate, day, "default: on from 2026-06-01 on the public profile"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			on, why, date := tc.deploy.EmailOTPWhy(&tc.tenant, tc.now)
			if on != tc.on || why != tc.why || !date.Equal(tc.date) {
				t.Errorf("EmailOTPWhy = %v, %q, %v; want %v, %q, %v", on, why, date, tc.on, tc.why, tc.date)
			}
			if on, reason := tc.deploy.EmailOTP(&tc.tenant, tc.now); on != tc.on || reason != tc.reason {
				t.Errorf("EmailOTP = %v, %q; want %v, %q", on, reason, tc.on, tc.reason)
			}
		})
	}
}
