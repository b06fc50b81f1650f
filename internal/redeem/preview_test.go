package redeem_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/idp/fake"
	"guestlist/internal/platform"
	"guestlist/internal/policy"
	"guestlist/internal/redeem"
)

// previewTenant is a tenant with a pending guest (pat), a guest who
// redeemed with the passcode (rob) and a member (mia).
func previewTenant(t *testing.T) (*core.Tenant, func(d policy.Deployment, methods ...idp.Method) *redeem.Service) {
	t.Helper()
	ctx := t.Context()
	st, must := testStore(t)
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tenant := &core.Tenant{ID: "00000000-0000-4000-8000-00000000000b", DisplayName: "Fabrikam",
		InitialDomain: "fabrikam.guestlist.test", DefaultLanguage: "en", EmailOTP: core.OTPDefault, CreatedAt: now}
	must(st.CreateTenant(ctx, tenant))
	user := func(id, mail, userType string, m core.Method) {
		must(st.CreateUser(ctx, &core.User{TenantID: tenant.ID, ID: id, Mail: mail, MailKey: mail, UserType: userType,
			ExternalUserState: core.StatePendingAcceptance, CreationType: core.CreationTypeInvitation, Method: m, CreatedAt: now}))
	}
	user("pat", "pat@contoso.example", core.UserTypeGuest, core.MethodNone)
	user("rob", "rob@contoso.example", core.UserTypeGuest, core.MethodNone)
	must(st.AcceptUser(ctx, tenant.ID, "rob", core.MethodOTP, []core.Identity{core.MethodOTP.Identity("", "rob@contoso.example")}, now))
	user("mia", "mia@fabrikam.example", core.UserTypeMember, core.MethodPassword)
	keys, err := platform.NewKeyring(make([]byte, 32))
	must(err)
	return tenant, func(d policy.Deployment, methods ...idp.Method) *redeem.Service {
		return redeem.New(st, keys, func() time.Time { return now }, d, redeem.Config{}, methods...)
	}
}

// previewGot is what an administrator reads in a preview.
type previewGot struct {
	User     string // the user's id, "" for none
	Method   core.Method
	Signup   bool
	Usable   bool
	LockedIn bool
	Steps    []redeem.PreviewStep
}

// TestPreview: the explainer (R14) shows every method of the tenant's
// order with its outcome — the one that wins, those before it that do not
// apply, those after it not reached, those the deployment lacks — and a
// redeemed guest's lock-in (R11), the sign-up of R10 step 6 and its
// absence without personal accounts (R40).
func TestPreview(t *testing.T) {
	tenant, newService := previewTenant(t)
	on := func(k core.Method) *fake.Method {
		return &fake.Method{K: k, Verdict: idp.Verdict{OK: true, Reason: string(k) + " applies"}}
	}
	off := func(k core.Method) *fake.Method {
		return &fake.Method{K: k, Verdict: idp.Verdict{Reason: string(k) + " does not apply"}}
	}
	home, fed, google := core.MethodHomeTenant, core.MethodFederation, core.MethodGoogle
	personal, otp := core.MethodPersonal, core.MethodOTP
	step := func(k core.Method, o redeem.Outcome, applies bool) redeem.PreviewStep {
		r := string(k) + " does not apply"
		if applies {
			r = string(k) + " applies"
		}
		return redeem.PreviewStep{Method: k, Outcome: o, Reason: r}
	}
	missing := func(k core.Method) redeem.PreviewStep {
		return redeem.PreviewStep{Method: k, Outcome: redeem.OutcomeNotAvailable, Reason: "not available in this deployment"}
	}
	public := policy.Deployment{Profile: policy.ProfilePublic}
	gov := policy.Deployment{Profile: policy.ProfileGovernment}

	for _, tc := range []struct {
		name    string
		deploy  policy.Deployment
		methods []idp.Method
		order   core.RedemptionOrder
		email   string
		want    previewGot
		reason  string // in the summary
	}{
		{"home tenant wins, the rest not reached", public,
			[]idp.Method{on(home), off(google), on(personal), on(otp)}, core.RedemptionOrder{}, "pat@contoso.example",
			previewGot{"pat", home, false, true, false, []redeem.PreviewStep{step(home, redeem.OutcomeApplies, true),
				missing(fed), step(google, redeem.OutcomeNotReached, false),
				step(personal, redeem.OutcomeNotReached, true), step(otp, redeem.OutcomeNotReached, true)}},
			"their home tenant is the first method"},
		{"down to the passcode", public,
			[]idp.Method{off(home), off(personal), on(otp)}, core.RedemptionOrder{}, "pat@contoso.example",
			previewGot{"pat", otp, false, true, false, []redeem.PreviewStep{step(home, redeem.OutcomeDoesNotApply, false),
				missing(fed), missing(google), step(personal, redeem.OutcomeDoesNotApply, false), step(otp, redeem.OutcomeApplies, true)}},
			"the email one-time passcode is the first method"},
		{"nothing applies: sign up", public,
			[]idp.Method{off(personal), off(otp)}, core.RedemptionOrder{}, "pat@contoso.example",
			previewGot{"pat", core.MethodNone, true, true, false, []redeem.PreviewStep{missing(home), missing(fed), missing(google),
				step(personal, redeem.OutcomeDoesNotApply, false), step(otp, redeem.OutcomeDoesNotApply, false)}},
			"create a personal account"},
		{"nothing applies, no personal accounts on the government profile", gov,
			[]idp.Method{off(otp)}, core.RedemptionOrder{}, "pat@contoso.example",
			previewGot{"pat", core.MethodNone, false, false, false, []redeem.PreviewStep{missing(home), missing(fed), missing(google),
				missing(personal), step(otp, redeem.OutcomeDoesNotApply, false)}},
			"not offered on the government profile (R40)"},
		{"personal accounts are not a fallback of the tenant", public,
			[]idp.Method{on(personal), off(otp)}, core.RedemptionOrder{Primary: []core.Method{home}, Fallback: []core.Method{otp}}, "pat@contoso.example",
			previewGot{"pat", core.MethodNone, false, false, false, []redeem.PreviewStep{missing(home), step(otp, redeem.OutcomeDoesNotApply, false)}},
			"not among the tenant's fallbacks"},
		{"a tenant's reordered primaries", public,
			[]idp.Method{on(home), on(google), on(otp)}, core.RedemptionOrder{Primary: []core.Method{google, home}, Fallback: []core.Method{otp}}, "pat@contoso.example",
			previewGot{"pat", google, false, true, false, []redeem.PreviewStep{step(google, redeem.OutcomeApplies, true),
				step(home, redeem.OutcomeNotReached, true), step(otp, redeem.OutcomeNotReached, true)}},
			"Google is the first method"},
		{"locked in although home tenant now applies", public,
			[]idp.Method{on(home), on(otp)}, core.RedemptionOrder{}, "rob@contoso.example",
			previewGot{"rob", otp, false, true, true, []redeem.PreviewStep{step(home, redeem.OutcomeNotReached, true),
				missing(fed), missing(google), missing(personal), step(otp, redeem.OutcomeLockedIn, true)}},
			"locked to it until their redemption is reset (R11); the redemption order is not consulted"},
		{"locked to a method turned off", public,
			[]idp.Method{off(otp)}, core.RedemptionOrder{}, "rob@contoso.example",
			previewGot{"rob", otp, false, false, true, []redeem.PreviewStep{missing(home), missing(fed), missing(google),
				missing(personal), step(otp, redeem.OutcomeLockedIn, false)}},
			"cannot be used now"},
		{"locked to a method the order dropped", public,
			[]idp.Method{on(personal), on(otp)}, core.RedemptionOrder{Primary: []core.Method{home}, Fallback: []core.Method{personal}}, "rob@contoso.example",
			previewGot{"rob", otp, false, true, true, []redeem.PreviewStep{missing(home),
				step(personal, redeem.OutcomeNotReached, true), step(otp, redeem.OutcomeLockedIn, true)}},
			"not consulted"},
		{"a member signs in with their password", public,
			[]idp.Method{on(home), on(otp)}, core.RedemptionOrder{}, "MIA@fabrikam.example",
			previewGot{"mia", core.MethodPassword, false, true, false, []redeem.PreviewStep{step(home, redeem.OutcomeNotReached, true),
				missing(fed), missing(google), missing(personal), step(otp, redeem.OutcomeNotReached, true)}},
			"member of the tenant"},
		{"no guest with the address", public,
			[]idp.Method{off(home), on(otp)}, core.RedemptionOrder{}, "nobody@contoso.example",
			previewGot{"", otp, false, true, false, []redeem.PreviewStep{step(home, redeem.OutcomeDoesNotApply, false),
				missing(fed), missing(google), missing(personal), step(otp, redeem.OutcomeApplies, true)}},
			"what an invitation would lead to"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tn := *tenant
			tn.Redemption = tc.order
			p, err := newService(tc.deploy, tc.methods...).Preview(t.Context(), &tn, tc.email)
			if err != nil {
				t.Fatal(err)
			}
			got := previewGot{Method: p.Method, Signup: p.Signup, Usable: p.Usable, LockedIn: p.LockedIn, Steps: p.Steps}
			if p.User != nil {
				got.User = p.User.ID
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("Preview (-want +got):\n%s", d)
			}
			if !strings.Contains(p.Reason, tc.reason) {
				t.Errorf("reason %q, want it to say %q", p.Reason, tc.reason)
			}
		})
	}
}

// TestPreviewInvalidAddress: an address that cannot be a guest's is the
// administrator's mistake, not a preview.
func TestPreviewInvalidAddress(t *testing.T) {
	tenant, newService := previewTenant(t)
	svc := newService(policy.Deployment{Profile: policy.ProfilePublic})
	for _, email := range []string{"", "not an address", "@contoso.example", "pat@"} {
		if _, err := svc.Preview(t.Context(), tenant, email); !errors.Is(err, core.ErrInvalid) {
			t.Errorf("Preview(%q) = %v, want core.ErrInvalid", email, err)
		}
	}
}
