package otp_test

import (
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/idp/otp"
	"guestlist/internal/policy"
)

// TestApplies: the passcode applies when the tenant's setting, resolved
// against the deployment, allows it (R20, R40), and its reason names the
// setting and the profile, as the explainer shows them (R14).
func TestApplies(t *testing.T) {
	day := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return day }
	public := policy.Deployment{Profile: policy.ProfilePublic}
	later := policy.Deployment{Profile: policy.ProfilePublic, OTPAutoEnable: day.Add(24 * time.Hour)}
	gov := policy.Deployment{Profile: policy.ProfileGovernment}
	for _, tc := range []struct {
		deploy  policy.Deployment
		setting string
		want    idp.Verdict
	}{
		{public, core.OTPDefault, idp.Verdict{OK: true, Reason: "enabled (tenant setting: default; deployment profile public)"}},
		{public, core.OTPDisabled, idp.Verdict{Reason: "disabled (tenant setting: disabled; deployment profile public)"}},
		{later, core.OTPDefault, idp.Verdict{Reason: "disabled (tenant setting: default; deployment profile public, where default turns on at 2026-06-02T00:00:00Z)"}},
		{gov, core.OTPDefault, idp.Verdict{Reason: "disabled (tenant setting: default; deployment profile government, where default means off (R40))"}},
		{gov, core.OTPEnabled, idp.Verdict{OK: true, Reason: "enabled (tenant setting: enabled; deployment profile government)"}},
	} {
		m := otp.New(nil, tc.deploy, clock)
		got, err := m.Applies(t.Context(), &core.Tenant{EmailOTP: tc.setting}, core.Address{})
		if err != nil || got != tc.want {
			t.Errorf("%s, %s: %+v, %v; want %+v", tc.deploy.Profile, tc.setting, got, err, tc.want)
		}
	}
}
