package redeem_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/policy"
	"guestlist/internal/redeem"
)

// TestSetRedemptionOrder: a tenant may reorder the primary providers,
// leave some out, and choose its fallbacks, at least one of which stays
// on (R10's last paragraph); anything else is refused and changes nothing.
// The empty order is the default.
func TestSetRedemptionOrder(t *testing.T) {
	ctx := t.Context()
	st, must := testStore(t)
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tenant := &core.Tenant{ID: "00000000-0000-4000-8000-00000000000b", DisplayName: "Fabrikam",
		InitialDomain: "fabrikam.guestlist.test", DefaultLanguage: "en", EmailOTP: core.OTPDefault, CreatedAt: now}
	must(st.CreateTenant(ctx, tenant))
	keys, err := platform.NewKeyring(make([]byte, 32))
	must(err)
	svc := redeem.New(st, keys, func() time.Time { return now }, policy.Deployment{Profile: policy.ProfilePublic}, redeem.Config{})

	home, fed, google := core.MethodHomeTenant, core.MethodFederation, core.MethodGoogle
	personal, otp := core.MethodPersonal, core.MethodOTP
	order := func(p, f []core.Method) core.RedemptionOrder { return core.RedemptionOrder{Primary: p, Fallback: f} }
	kept := order([]core.Method{google, home}, []core.Method{otp})
	must(svc.SetRedemptionOrder(ctx, tenant.ID, kept))

	for _, tc := range []struct {
		name  string
		order core.RedemptionOrder
		ok    bool
	}{
		{"the default, empty", core.RedemptionOrder{}, true},
		{"the default, spelled out", order(core.DefaultPrimary(), core.DefaultFallback()), true},
		{"primaries reordered", order([]core.Method{fed, google, home}, []core.Method{personal, otp}), true},
		{"some primaries left out", order([]core.Method{google}, []core.Method{otp}), true},
		{"the passcode before personal accounts", order([]core.Method{home}, []core.Method{otp, personal}), true},
		{"only personal accounts", order([]core.Method{home}, []core.Method{personal}), true},
		{"no primary", order(nil, []core.Method{otp}), false},
		{"no fallback", order([]core.Method{home}, nil), false},
		{"a duplicate primary", order([]core.Method{home, google, home}, []core.Method{otp}), false},
		{"a duplicate fallback", order([]core.Method{home}, []core.Method{otp, otp}), false},
		{"a fallback among the primaries", order([]core.Method{home, otp}, []core.Method{personal}), false},
		{"a primary among the fallbacks", order([]core.Method{home}, []core.Method{google}), false},
		{"a member's password", order([]core.Method{home}, []core.Method{core.MethodPassword}), false},
		{"an unknown method", order([]core.Method{"saml"}, []core.Method{otp}), false},
		{"no method", order([]core.Method{core.MethodNone}, []core.Method{otp}), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := svc.SetRedemptionOrder(ctx, tenant.ID, tc.order)
			want := kept
			if tc.ok {
				want = tc.order
			} else if !errors.Is(err, core.ErrInvalid) {
				t.Fatalf("SetRedemptionOrder(%+v) = %v, want core.ErrInvalid", tc.order, err)
			}
			if tc.ok && err != nil {
				t.Fatalf("SetRedemptionOrder(%+v) = %v", tc.order, err)
			}
			got, err := st.GetTenant(ctx, tenant.ID)
			must(err)
			if d := cmp.Diff(want.Methods(), got.Redemption.Methods()); d != "" {
				t.Errorf("stored order (-want +got):\n%s", d)
			}
			must(svc.SetRedemptionOrder(ctx, tenant.ID, kept))
		})
	}
	if err := svc.SetRedemptionOrder(ctx, "00000000-0000-4000-8000-0000000000ff", kept); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("no such tenant: %v, want core.ErrNotFound", err)
	}
}
