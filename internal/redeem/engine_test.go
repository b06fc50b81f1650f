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

// TestEngine drives the engine with fake methods: the method chosen for
// the flow's guest (R10, R11) begins and judges the answer; an accepted
// proof turns the flow verified under a new cookie with a session (R24),
// in one transaction; a rejected one changes nothing; a method turned off
// meanwhile (R26) or a flow with no guest (R7, R25) gets no session
// although its proof holds.
func TestEngine(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	type want struct {
		began   core.Method // whose Begin ran
		refusal idp.Refusal
		err     error // of Prove; nil: signed in
	}
	for _, tc := range []struct {
		name   string
		guest  string // "", "pending" or "accepted": the address's user
		secret string
		otpOff bool
		homeOn bool
		want   want
	}{
		{"pending guest, right answer", "pending", "right", false, false, want{core.MethodOTP, idp.RefuseNone, nil}},
		{"pending guest, wrong answer", "pending", "wrong", false, false, want{core.MethodOTP, idp.RefuseNone, fake.ErrWrong}},
		{"a higher method applies to a pending guest", "pending", "right", false, true, want{core.MethodHomeTenant, idp.RefuseNone, nil}},
		{"accepted guest stays with the passcode", "accepted", "right", false, true, want{core.MethodOTP, idp.RefuseNone, nil}},
		{"method off", "accepted", "right", true, true, want{core.MethodOTP, idp.RefuseMethodOff, redeem.ErrOTPOff}},
		{"no guest", "", "right", false, false, want{core.MethodOTP, idp.RefuseNotInvited, redeem.ErrNoFlow}},
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
			home := &fake.Method{K: core.MethodHomeTenant, Verdict: verdict(tc.homeOn), Secret: "right"}
			keys, err := platform.NewKeyring(make([]byte, 32))
			must(err)
			engine := redeem.New(st, keys, func() time.Time { return now }, policy.Deployment{Profile: policy.ProfilePublic},
				redeem.Config{}, otp, home)

			started, err := engine.StartByEmail(ctx, tenant, "guest@contoso.example", redeem.Target{RedirectURL: "https://app.example"}, "en", "", "192.0.2.1")
			must(err)
			f, u, err := engine.Flow(ctx, tenant, string(started.Cookie))
			must(err)
			otp.Verdict = verdict(!tc.otpOff) // turned off after the flow began
			_, err = engine.Begin(ctx, tenant, f, u, "en", "192.0.2.1")
			must(err)
			began := map[core.Method]*fake.Method{core.MethodOTP: otp, core.MethodHomeTenant: home}[tc.want.began]
			if starts := began.Starts(); len(starts) != 1 || starts[0].Refusal != tc.want.refusal {
				t.Fatalf("%s began with %+v, want one start refused %d", tc.want.began, starts, tc.want.refusal)
			}

			done, err := engine.Prove(ctx, tenant, f, u, idp.Answer{Secret: tc.secret}, "de")
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
			if done.Flow.Step != core.FlowVerified || done.Flow.ID == f.ID {
				t.Errorf("flow after Prove: %+v, want verified under a new id", done.Flow)
			}
			if _, _, err := engine.Flow(ctx, tenant, string(started.Cookie)); !errors.Is(err, redeem.ErrNoFlow) {
				t.Errorf("old cookie after Prove: %v, want ErrNoFlow", err)
			}
			if _, _, err := engine.Flow(ctx, tenant, string(done.FlowCookie)); err != nil {
				t.Errorf("new flow cookie: %v", err)
			}
			sess, _, err := engine.Session(ctx, tenant, string(done.Session))
			if err != nil || sess.AMR != tc.want.began.AMR() {
				t.Errorf("session: %+v, %v; want one with amr %q", sess, err, tc.want.began.AMR())
			}
		})
	}
}
