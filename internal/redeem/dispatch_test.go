package redeem_test

import (
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/policy"
	"guestlist/internal/redeem"
)

// TestNext: the dispatcher's answer for each place a flow can be (SPEC R5,
// R7, R21, R24).
func TestNext(t *testing.T) {
	ctx := t.Context()
	st, must := testStore(t)
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	const tenant = "00000000-0000-4000-8000-00000000000c"
	fabrikam := &core.Tenant{ID: tenant, DisplayName: "Fabrikam", InitialDomain: "fabrikam.guestlist.test",
		DefaultLanguage: "en", EmailOTP: core.OTPDefault, CreatedAt: now}
	must(st.CreateTenant(ctx, fabrikam))
	must(st.CreateApplication(ctx, &core.Application{TenantID: tenant, AppID: "shared", ID: "shared-object",
		ServicePrincipalID: "shared-sp", DisplayName: "Portal", CreatedAt: now}))
	must(st.CreateUser(ctx, &core.User{TenantID: tenant, ID: "guest", Mail: "guest@contoso.example",
		MailKey: "guest@contoso.example", UserType: core.UserTypeGuest,
		ExternalUserState: core.StatePendingAcceptance, CreationType: core.CreationTypeInvitation, CreatedAt: now}))
	must(st.CreateAssignment(ctx, &core.Assignment{TenantID: tenant, ID: "a", UserID: "guest", AppID: "shared", CreatedAt: now}))
	keys, err := platform.NewKeyring(make([]byte, 32))
	must(err)
	engine := redeem.New(st, keys, func() time.Time { return now }, policy.Deployment{}, redeem.Config{})

	pending := &core.User{TenantID: tenant, ID: "guest", ExternalUserState: core.StatePendingAcceptance}
	accepted := &core.User{TenantID: tenant, ID: "guest", ExternalUserState: core.StateAccepted, Method: core.MethodOTP}
	flow := func(step, app string) *core.Flow {
		return &core.Flow{TenantID: tenant, ID: "f", Step: step, AppID: app}
	}
	for _, tc := range []struct {
		name string
		flow *core.Flow
		user *core.User
		want redeem.Step
	}{
		{"started, no user yet", flow(core.FlowStarted, "other"), nil, redeem.StepProve},
		{"started", flow(core.FlowStarted, ""), pending, redeem.StepProve},
		{"proved, pending", flow(core.FlowVerified, ""), pending, redeem.StepConsent},
		{"proved, redeemed", flow(core.FlowVerified, ""), accepted, redeem.StepFinish},
		{"proved, assigned to the application", flow(core.FlowVerified, "shared"), pending, redeem.StepConsent},
		{"proved, not assigned to the application", flow(core.FlowVerified, "other"), accepted, redeem.StepNoAccess},
		{"ended", flow(core.FlowDone, "other"), accepted, redeem.StepEnded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := engine.Next(ctx, fabrikam, tc.flow, tc.user)
			if err != nil || got.Step != tc.want {
				t.Errorf("Next = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}
