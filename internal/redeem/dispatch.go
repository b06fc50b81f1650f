package redeem

import (
	"context"

	"guestlist/internal/core"
)

// Step is what a sign-in flow is to do next.
type Step int

const (
	// StepProve: prove who they are with the flow's method, starting at
	// its first page (Send code, R21).
	StepProve Step = iota + 1
	// StepNoAccess: proved, but the guest may not use the flow's
	// application; told only now that the address is proved (R7).
	StepNoAccess
	// StepConsent: a guest who has not redeemed consents first (R5).
	StepConsent
	// StepFinish: signed in and redeemed, on to the application or the
	// flow's redirect URL (R24).
	StepFinish
	// StepEnded: the flow is over (redeemed, or finished in another tab).
	StepEnded
)

// Next is the one place that decides a flow's next step: every guest page
// that is done with its own step, or that finds the flow elsewhere (another
// tab, a retry, the back button), asks it instead of naming the page that
// follows. u is the flow's user; a flow past StepProve always has one.
func (s *Service) Next(ctx context.Context, f *core.Flow, u *core.User) (Step, error) {
	switch f.Step {
	case core.FlowStarted:
		return StepProve, nil
	case core.FlowDone:
		return StepEnded, nil
	}
	if f.AppID != "" {
		ok, err := s.st.IsAssigned(ctx, f.TenantID, u.ID, f.AppID)
		if err != nil {
			return 0, err
		}
		if !ok {
			return StepNoAccess, nil
		}
	}
	if u.ExternalUserState != core.StateAccepted {
		return StepConsent, nil
	}
	return StepFinish, nil
}
