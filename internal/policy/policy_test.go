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
