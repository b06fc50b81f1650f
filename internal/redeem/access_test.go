package redeem_test

import (
	"errors"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/idp/otp"
	"guestlist/internal/platform"
	"guestlist/internal/policy"
	"guestlist/internal/redeem"
	"guestlist/internal/store"
)

// TestMayUse: the rule every refresh, userinfo and introspection applies
// (SPEC R13, R26, R32): an existing, redeemed guest whose method is still
// allowed and who may open the application (assigned to it, when it
// requires assignment); anything else is
// ErrAccessEnded.
func TestMayUse(t *testing.T) {
	ctx := t.Context()
	st, must := testStore(t)
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tenant := &core.Tenant{ID: "00000000-0000-4000-8000-00000000000a", DisplayName: "Fabrikam",
		InitialDomain: "fabrikam.guestlist.test", DefaultLanguage: "en", EmailOTP: core.OTPDefault, CreatedAt: now}
	must(st.CreateTenant(ctx, tenant))
	must(st.CreateApplication(ctx, &core.Application{TenantID: tenant.ID, AppID: "app", ID: "app-object",
		ServicePrincipalID: "app-sp", DisplayName: "Portal", CreatedAt: now, AssignmentRequired: true}))
	must(st.CreateApplication(ctx, &core.Application{TenantID: tenant.ID, AppID: "open", ID: "open-object",
		ServicePrincipalID: "open-sp", DisplayName: "Wiki", CreatedAt: now}))
	must(st.CreateApplication(ctx, &core.Application{TenantID: tenant.ID, AppID: "admin", ID: "admin-object",
		ServicePrincipalID: "admin-sp", DisplayName: "Admin", CreatedAt: now, IsAdmin: true}))
	user := func(id string, accept bool, m core.Method, assigned bool) {
		t.Helper()
		must(st.CreateUser(ctx, &core.User{TenantID: tenant.ID, ID: id, Mail: id + "@contoso.example",
			MailKey: id + "@contoso.example", UserType: core.UserTypeGuest,
			ExternalUserState: core.StatePendingAcceptance, CreationType: core.CreationTypeInvitation, CreatedAt: now}))
		if accept {
			must(st.AcceptUser(ctx, tenant.ID, id, m, []core.Identity{m.Identity("https://idp.contoso.example", id)}, now))
		}
		if assigned {
			must(st.CreateAssignment(ctx, &core.Assignment{TenantID: tenant.ID, ID: id + "-a", UserID: id, AppID: "app", CreatedAt: now}))
		}
	}
	user("alice", true, core.MethodOTP, true)
	user("pending", false, core.MethodNone, true)
	user("unassigned", true, core.MethodOTP, false)
	user("federated", true, core.MethodFederation, true)
	user("blocked", true, core.MethodOTP, true)
	blocked := true
	must(st.PatchUser(ctx, tenant.ID, "blocked", store.UserPatch{Blocked: &blocked}))

	keys, err := platform.NewKeyring(make([]byte, 32))
	must(err)
	clock := func() time.Time { return now }
	engine := func(d policy.Deployment) *redeem.Service {
		return redeem.New(st, keys, clock, d, redeem.Config{}, otp.New(nil, d, clock))
	}
	public := engine(policy.Deployment{Profile: policy.ProfilePublic})
	government := engine(policy.Deployment{Profile: policy.ProfileGovernment})
	off := *tenant
	off.EmailOTP = core.OTPDisabled
	otp := []string{"otp"}

	for _, tc := range []struct {
		name   string
		svc    *redeem.Service
		tenant *core.Tenant
		user   string
		client string
		amr    []string
		ok     bool
	}{
		{"redeemed with OTP, assigned", public, tenant, "alice", "app", otp, true},
		{"OTP off for the tenant (R26)", public, &off, "alice", "app", otp, false},
		{"OTP default on the government profile (R40)", government, tenant, "alice", "app", otp, false},
		{"pending after a reset (R13)", public, tenant, "pending", "app", otp, false},
		{"blocked (R43)", public, tenant, "blocked", "app", otp, false},
		{"not assigned where assignment is required", public, tenant, "unassigned", "app", otp, false},
		{"not assigned where it is not required", public, tenant, "unassigned", "open", otp, true},
		{"blocked where assignment is not required", public, tenant, "blocked", "open", otp, false},
		{"pending where assignment is not required", public, tenant, "pending", "open", otp, false},
		{"an admin application", public, tenant, "alice", "admin", otp, false},
		{"redeemed with another method", public, tenant, "federated", "app", otp, false},
		{"no method recorded", public, tenant, "alice", "app", nil, false},
		{"deleted user", public, tenant, "nobody", "app", otp, false},
		{"deleted application", public, tenant, "alice", "gone", otp, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.svc.MayUse(ctx, tc.tenant, tc.user, tc.client, tc.amr)
			if tc.ok && err != nil {
				t.Errorf("MayUse: %v, want access", err)
			}
			if !tc.ok && !errors.Is(err, redeem.ErrAccessEnded) {
				t.Errorf("MayUse: %v, want ErrAccessEnded", err)
			}
		})
	}
}
