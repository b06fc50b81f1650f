package otp

import (
	"context"
	"fmt"

	"guestlist/internal/compose"
	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/passcode"
	"guestlist/internal/platform"
	"guestlist/internal/policy"
)

// Method proves control of the address with a mailed code.
type Method struct {
	codes  *passcode.Service
	deploy policy.Deployment
	now    platform.Clock
}

// New returns the passcode method. The tenant's allowExternalIdToUseEmailOtp
// (R20) is resolved against deploy on every use, from the tenant as read
// for the request, so a change takes effect on every process at once
// (R27).
func New(codes *passcode.Service, deploy policy.Deployment, now platform.Clock) *Method {
	return &Method{codes: codes, deploy: deploy, now: now}
}

var _ idp.Method = (*Method)(nil)

// Kind is core.MethodOTP.
func (m *Method) Kind() core.Method { return core.MethodOTP }

// Applies to every address of a tenant that allows the passcode (R10
// step 5, R20). The reason names the tenant's setting and the deployment
// profile it resolves against, so the explainer (R14) shows why
// "default" is on or off here (R40).
func (m *Method) Applies(_ context.Context, tenant *core.Tenant, _ core.Address) (idp.Verdict, error) {
	on := m.deploy.EmailOTPEnabled(tenant, m.now())
	state := "disabled"
	if on {
		state = "enabled"
	}
	why := fmt.Sprintf("tenant setting: %s; deployment profile %s", tenant.EmailOTP, m.deploy.Profile)
	if tenant.EmailMethodOff { // off for everyone, whatever the setting (R20)
		why = "the email method's state is disabled"
	} else if tenant.EmailOTP == core.OTPDefault {
		switch {
		case m.deploy.Profile == policy.ProfileGovernment:
			why += ", where default means off (R40)"
		case !on:
			why += fmt.Sprintf(", where default turns on at %s", m.deploy.OTPAutoEnable.UTC().Format("2006-01-02T15:04:05Z"))
		}
	}
	return idp.Verdict{OK: on, Reason: fmt.Sprintf("%s (%s)", state, why)}, nil
}

// Begin mails a code (first or again) when Send code is pressed (R21), or
// for a refused flow a note in its place, with the same throttles, reads
// and writes, so the page is the same (R7, R25, R26). Errors:
// *passcode.Throttled.
func (m *Method) Begin(ctx context.Context, s idp.Start) (idp.Began, error) {
	mailKey, err := flowMailKey(s.Flow)
	if err != nil {
		return idp.Began{}, err
	}
	var note compose.NoteKind
	switch s.Refusal {
	case idp.RefuseNotInvited:
		note = compose.NoteNotInvited
	case idp.RefuseMethodOff:
		note = compose.NoteOTPOff
	case idp.RefuseBlocked:
		note = compose.NoteBlocked
	case idp.RefuseOtherMethod:
		note = compose.NoteOtherMethod
	case idp.RefuseSignup:
		note = compose.NoteSignup
	case idp.RefuseAccountExists:
		note = compose.NoteAccountExists
	case idp.RefuseNoAccount:
		note = compose.NoteNoAccount
	}
	out, err := m.codes.Send(ctx, s.Tenant, s.Flow, mailKey, s.Lang, s.ClientIP, s.Tenant.PasscodeInSubject, note)
	if err != nil {
		return idp.Began{}, err
	}
	return idp.Began{Resent: out == passcode.SentSame}, nil
}

// Complete takes the typed code as the proof. Errors: passcode.ErrMalformed.
func (m *Method) Complete(_ context.Context, tenant *core.Tenant, flow *core.Flow, a idp.Answer) (idp.Proof, error) {
	mailKey, err := flowMailKey(flow)
	if err != nil {
		return nil, err
	}
	return m.codes.Proof(tenant.ID, flow, mailKey, a.Secret, a.ClientIP)
}

// flowMailKey is the key the passcode throttles count the flow's address
// by: the same for a guest's flow and for one with no user behind it.
func flowMailKey(f *core.Flow) (string, error) {
	addr, err := core.ParseAddress(f.Email)
	if err != nil {
		return "", fmt.Errorf("otp: flow address: %w", err)
	}
	return addr.Key(), nil
}
