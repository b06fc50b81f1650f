package redeem_test

import (
	"errors"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/idp/fake"
	"guestlist/internal/platform"
	"guestlist/internal/policy"
	"guestlist/internal/redeem"
)

// TestEngine drives the engine with fake methods: the page's method
// begins, refusing (by a note to the address's owner) a flow whose guest
// may not use it, and judges the answer; an accepted proof of the method
// chosen for the guest (R10, R11) turns the flow verified under a new
// cookie with a session (R24), in one transaction; a rejected one changes
// nothing; a method turned off meanwhile (R26), a flow with no guest (R7,
// R25) or a proof of another method than the guest's gets no session
// although its proof holds; a password that must change stops the flow
// before its session.
func TestEngine(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	type want struct {
		refusal idp.Refusal
		err     error       // of Prove; nil: signed in
		other   core.Method // Prove's *redeem.OtherMethod, if any
		step    string      // the flow's step after a proof that held
	}
	for _, tc := range []struct {
		name       string
		guest      string      // "", "pending" or "accepted": the address's user
		page       core.Method // the method whose page the person is on
		secret     string
		otpOff     bool
		homeOn     bool
		mustChange bool
		want       want
	}{
		{"pending guest, right answer", "pending", core.MethodOTP, "right", false, false, false, want{idp.RefuseNone, nil, "", core.FlowVerified}},
		{"pending guest, wrong answer", "pending", core.MethodOTP, "wrong", false, false, false, want{idp.RefuseNone, fake.ErrWrong, "", ""}},
		{"a higher method applies: a code is refused", "pending", core.MethodOTP, "right", false, true, false,
			want{idp.RefuseOtherMethod, nil, core.MethodHomeTenant, ""}},
		{"a higher method applies: its password signs in", "pending", core.MethodHomeTenant, "right", false, true, false,
			want{idp.RefuseNone, nil, "", core.FlowVerified}},
		{"a password that must change", "pending", core.MethodHomeTenant, "right", false, true, true,
			want{idp.RefuseNone, nil, "", core.FlowNewPassword}},
		{"accepted guest stays with the passcode", "accepted", core.MethodOTP, "right", false, true, false, want{idp.RefuseNone, nil, "", core.FlowVerified}},
		{"accepted guest's home password is not their method", "accepted", core.MethodHomeTenant, "right", false, true, false,
			want{idp.RefuseOtherMethod, nil, core.MethodOTP, ""}},
		{"method off", "accepted", core.MethodOTP, "right", true, true, false, want{idp.RefuseMethodOff, redeem.ErrOTPOff, "", ""}},
		{"no guest", "", core.MethodOTP, "right", false, false, false, want{idp.RefuseNotInvited, redeem.ErrNotInvited, "", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			st, must := testStore(t)
			tenant := &core.Tenant{ID: "00000000-0000-4000-8000-00000000000b", DisplayName: "Fabrikam",
				InitialDomain: "fabrikam.guestlist.test", DefaultLanguage: "en", EmailOTP: core.OTPEnabled, CreatedAt: now}
			must(st.CreateTenant(ctx, tenant))
			if tc.guest != "" {
				must(st.CreateUser(ctx, &core.User{TenantID: tenant.ID, ID: "guest", Mail: "guest@contoso.example",
					MailKey: "guest@contoso.example", UserType: core.UserTypeGuest,
					ExternalUserState: core.StatePendingAcceptance, CreationType: core.CreationTypeInvitation, CreatedAt: now}))
			}
			if tc.guest == "accepted" {
				must(st.AcceptUser(ctx, tenant.ID, "guest", core.MethodOTP,
					[]core.Identity{core.MethodOTP.Identity("", "guest@contoso.example")}, now))
			}
			verdict := func(ok bool) idp.Verdict { return idp.Verdict{OK: ok} }
			otp := &fake.Method{K: core.MethodOTP, Verdict: verdict(true), Secret: "right"}
			home := &fake.Method{K: core.MethodHomeTenant, Verdict: verdict(tc.homeOn), Secret: "right",
				Subject: "member-in-contoso", MustChange: tc.mustChange}
			keys, err := platform.NewKeyring(make([]byte, 32))
			must(err)
			engine := redeem.New(st, keys, func() time.Time { return now }, policy.Deployment{Profile: policy.ProfilePublic},
				redeem.Config{}, otp, home)

			started, err := engine.StartByEmail(ctx, tenant, "guest@contoso.example", redeem.Target{RedirectURL: "https://app.example"}, "en", "", "192.0.2.1")
			must(err)
			f, u, err := engine.Flow(ctx, tenant, string(started.Cookie))
			must(err)
			otp.Verdict = verdict(!tc.otpOff) // turned off after the flow began
			_, err = engine.Begin(ctx, tenant, f, u, tc.page, "en", "192.0.2.1")
			must(err)
			began := map[core.Method]*fake.Method{core.MethodOTP: otp, core.MethodHomeTenant: home}[tc.page]
			if starts := began.Starts(); len(starts) != 1 || starts[0].Refusal != tc.want.refusal {
				t.Fatalf("%s began with %+v, want one start refused %d", tc.page, starts, tc.want.refusal)
			}

			done, err := engine.Prove(ctx, tenant, f, u, tc.page, idp.Answer{Secret: tc.secret}, "de")
			var other *redeem.OtherMethod
			if tc.want.other != "" {
				if !errors.As(err, &other) || other.Want != tc.want.other {
					t.Fatalf("Prove: %v, want the guest's other method %q", err, tc.want.other)
				}
				return
			}
			if !errors.Is(err, tc.want.err) {
				t.Fatalf("Prove: %v, want %v", err, tc.want.err)
			}
			if tc.want.err != nil {
				// Nothing moved: the old cookie still names the flow at
				// its first step.
				if f, _, err := engine.Flow(ctx, tenant, string(started.Cookie)); tc.guest != "" && !tc.otpOff && (err != nil || f.Step != core.FlowStarted) {
					t.Errorf("after a refused proof: flow %+v, %v; want it unchanged", f, err)
				}
				return
			}
			if done.Flow.Step != tc.want.step || done.Flow.ID == f.ID || done.Flow.ProvedMethod != tc.page {
				t.Errorf("flow after Prove: %+v, want %s by %s under a new id", done.Flow, tc.want.step, tc.page)
			}
			if tc.page == core.MethodHomeTenant && done.Flow.ProvedSubject != "member-in-contoso" {
				t.Errorf("proved subject %q, want the home member's id", done.Flow.ProvedSubject)
			}
			if tc.want.step == core.FlowNewPassword {
				if done.Session != "" {
					t.Errorf("a session before the password changed")
				}
				return
			}
			if _, _, err := engine.Flow(ctx, tenant, string(started.Cookie)); !errors.Is(err, redeem.ErrNoFlow) {
				t.Errorf("old cookie after Prove: %v, want ErrNoFlow", err)
			}
			if _, _, err := engine.Flow(ctx, tenant, string(done.FlowCookie)); err != nil {
				t.Errorf("new flow cookie: %v", err)
			}
			sess, _, err := engine.Session(ctx, tenant, string(done.Session))
			if err != nil || sess.AMR != tc.page.AMR() {
				t.Errorf("session: %+v, %v; want one with amr %q", sess, err, tc.page.AMR())
			}
		})
	}
}
