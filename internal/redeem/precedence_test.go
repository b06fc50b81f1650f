package redeem_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/idp/fake"
	"guestlist/internal/redeem"
)

// TestChoose: the precedence of SPEC R10 — the first method of the order
// that applies wins, the fallbacks come last, nothing applying leaves the
// guest to create a personal account (step 6) — and lock-in (R11): a
// guest who redeemed keeps their method even when one that ranks higher
// now applies, and loses access, not the method, when it is turned off
// (R26). A reset guest (R13) chooses afresh.
func TestChoose(t *testing.T) {
	on := func(k core.Method) *fake.Method {
		return &fake.Method{K: k, Verdict: idp.Verdict{OK: true, Reason: "applies"}}
	}
	off := func(k core.Method) *fake.Method {
		return &fake.Method{K: k, Verdict: idp.Verdict{Reason: "does not apply"}}
	}
	yes := idp.Verdict{OK: true, Reason: "applies"}
	no := idp.Verdict{Reason: "does not apply"}
	pending := &core.User{ExternalUserState: core.StatePendingAcceptance}
	accepted := func(m core.Method) *core.User { return &core.User{ExternalUserState: core.StateAccepted, Method: m} }
	reversed := []core.Method{core.MethodOTP, core.MethodPersonal, core.MethodGoogle, core.MethodFederation, core.MethodHomeTenant}

	for _, tc := range []struct {
		name    string
		methods []idp.Method
		order   []core.Method // nil: DefaultOrder
		user    *core.User
		want    redeem.Choice
	}{
		{"only the passcode, on", []idp.Method{on(core.MethodOTP)}, nil, pending,
			redeem.Choice{Method: core.MethodOTP, OK: true, Steps: []redeem.Considered{{core.MethodOTP, yes}}}},
		{"only the passcode, off", []idp.Method{off(core.MethodOTP)}, nil, pending,
			redeem.Choice{Steps: []redeem.Considered{{core.MethodOTP, no}}}},
		{"no methods at all", nil, nil, pending, redeem.Choice{}},
		{"no guest: the methods still answer", []idp.Method{on(core.MethodOTP)}, nil, nil,
			redeem.Choice{Method: core.MethodOTP, OK: true, Steps: []redeem.Considered{{core.MethodOTP, yes}}}},
		{"home tenant ranks above the passcode", []idp.Method{on(core.MethodOTP), on(core.MethodHomeTenant)}, nil, pending,
			redeem.Choice{Method: core.MethodHomeTenant, OK: true, Steps: []redeem.Considered{{core.MethodHomeTenant, yes}}}},
		{"primaries that do not apply fall to the personal account",
			[]idp.Method{off(core.MethodHomeTenant), off(core.MethodFederation), off(core.MethodGoogle), on(core.MethodPersonal), on(core.MethodOTP)},
			nil, pending,
			redeem.Choice{Method: core.MethodPersonal, OK: true, Steps: []redeem.Considered{
				{core.MethodHomeTenant, no}, {core.MethodFederation, no}, {core.MethodGoogle, no}, {core.MethodPersonal, yes}}}},
		{"then to the passcode", []idp.Method{off(core.MethodFederation), off(core.MethodPersonal), on(core.MethodOTP)}, nil, pending,
			redeem.Choice{Method: core.MethodOTP, OK: true, Steps: []redeem.Considered{
				{core.MethodFederation, no}, {core.MethodPersonal, no}, {core.MethodOTP, yes}}}},
		{"nothing applies, no personal accounts here (R40): nothing", []idp.Method{off(core.MethodGoogle), off(core.MethodOTP)}, nil, pending,
			redeem.Choice{Steps: []redeem.Considered{{core.MethodGoogle, no}, {core.MethodOTP, no}}}},
		{"nothing applies: step 6, sign up", []idp.Method{off(core.MethodPersonal), off(core.MethodOTP)}, nil, pending,
			redeem.Choice{Signup: true, Steps: []redeem.Considered{{core.MethodPersonal, no}, {core.MethodOTP, no}}}},
		{"nothing applies, personal accounts not a fallback of the tenant: no sign-up",
			[]idp.Method{off(core.MethodPersonal), off(core.MethodOTP)},
			[]core.Method{core.MethodHomeTenant, core.MethodOTP}, pending,
			redeem.Choice{Steps: []redeem.Considered{{core.MethodOTP, no}}}},
		{"fallback: the passcode only, a personal account exists", []idp.Method{on(core.MethodPersonal), on(core.MethodOTP)},
			(core.RedemptionOrder{Fallback: []core.Method{core.MethodOTP}}).Methods(), pending,
			redeem.Choice{Method: core.MethodOTP, OK: true, Steps: []redeem.Considered{{core.MethodOTP, yes}}}},
		{"fallback: a personal account only, none exists: sign up", []idp.Method{off(core.MethodPersonal), on(core.MethodOTP)},
			(core.RedemptionOrder{Fallback: []core.Method{core.MethodPersonal}}).Methods(), pending,
			redeem.Choice{Signup: true, Steps: []redeem.Considered{{core.MethodPersonal, no}}}},
		{"fallback: a personal account only, one exists", []idp.Method{on(core.MethodPersonal), on(core.MethodOTP)},
			(core.RedemptionOrder{Fallback: []core.Method{core.MethodPersonal}}).Methods(), pending,
			redeem.Choice{Method: core.MethodPersonal, OK: true, Steps: []redeem.Considered{{core.MethodPersonal, yes}}}},
		{"fallbacks reversed: the passcode before the personal account", []idp.Method{on(core.MethodPersonal), on(core.MethodOTP)},
			(core.RedemptionOrder{Fallback: []core.Method{core.MethodOTP, core.MethodPersonal}}).Methods(), pending,
			redeem.Choice{Method: core.MethodOTP, OK: true, Steps: []redeem.Considered{{core.MethodOTP, yes}}}},
		{"government profile: no personal accounts, passcode off: nothing, no sign-up", []idp.Method{off(core.MethodHomeTenant), off(core.MethodOTP)},
			nil, pending, redeem.Choice{Steps: []redeem.Considered{{core.MethodHomeTenant, no}, {core.MethodOTP, no}}}},
		{"primary reordered: federation before home tenant", []idp.Method{on(core.MethodHomeTenant), on(core.MethodFederation)},
			(core.RedemptionOrder{Primary: []core.Method{core.MethodFederation, core.MethodHomeTenant}}).Methods(), pending,
			redeem.Choice{Method: core.MethodFederation, OK: true, Steps: []redeem.Considered{{core.MethodFederation, yes}}}},
		{"a primary left out of the order is not used", []idp.Method{on(core.MethodHomeTenant), on(core.MethodOTP)},
			(core.RedemptionOrder{Primary: []core.Method{core.MethodGoogle}}).Methods(), pending,
			redeem.Choice{Method: core.MethodOTP, OK: true, Steps: []redeem.Considered{{core.MethodOTP, yes}}}},
		{"a member signs in with their own password", []idp.Method{on(core.MethodHomeTenant), on(core.MethodOTP)}, nil,
			&core.User{UserType: core.UserTypeMember, Method: core.MethodPassword},
			redeem.Choice{Method: core.MethodPassword, OK: true, Locked: true}},
		{"a tenant's own order", []idp.Method{on(core.MethodHomeTenant), on(core.MethodOTP)}, reversed, pending,
			redeem.Choice{Method: core.MethodOTP, OK: true, Steps: []redeem.Considered{{core.MethodOTP, yes}}}},
		{"a method outside the order is never chosen", []idp.Method{on(core.MethodGoogle)}, []core.Method{core.MethodOTP}, pending,
			redeem.Choice{}},
		{"locked in although home tenant now applies", []idp.Method{on(core.MethodHomeTenant), on(core.MethodOTP)}, nil, accepted(core.MethodOTP),
			redeem.Choice{Method: core.MethodOTP, OK: true, Locked: true, Steps: []redeem.Considered{{core.MethodOTP, yes}}}},
		{"locked in although federation now applies", []idp.Method{on(core.MethodFederation), on(core.MethodPersonal)}, nil, accepted(core.MethodPersonal),
			redeem.Choice{Method: core.MethodPersonal, OK: true, Locked: true, Steps: []redeem.Considered{{core.MethodPersonal, yes}}}},
		{"locked to a method turned off", []idp.Method{on(core.MethodHomeTenant), off(core.MethodOTP)}, nil, accepted(core.MethodOTP),
			redeem.Choice{Method: core.MethodOTP, Locked: true, Steps: []redeem.Considered{{core.MethodOTP, no}}}},
		{"locked to a method the deployment lacks", []idp.Method{on(core.MethodOTP)}, nil, accepted(core.MethodGoogle),
			redeem.Choice{Method: core.MethodGoogle, Locked: true}},
		{"reset: chooses afresh", []idp.Method{on(core.MethodHomeTenant), on(core.MethodOTP)}, nil,
			&core.User{ExternalUserState: core.StatePendingAcceptance, Method: core.MethodNone},
			redeem.Choice{Method: core.MethodHomeTenant, OK: true, Steps: []redeem.Considered{{core.MethodHomeTenant, yes}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			order := tc.order
			if order == nil {
				order = redeem.DefaultOrder()
			}
			addr, err := core.ParseAddress("guest@contoso.example")
			if err != nil {
				t.Fatal(err)
			}
			got, err := redeem.Choose(t.Context(), tc.methods, order, &core.Tenant{ID: "t"}, addr, tc.user)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("Choose (-want +got):\n%s", d)
			}
		})
	}
}
