package redeem

import (
	"context"
	"errors"

	"guestlist/internal/core"
)

// ErrAccessEnded: the guest may no longer use the application — deleted,
// reset to pending (R13), their method turned off (R26), or no longer
// assigned — or the application is gone. The OpenID provider answers it
// as invalid_grant or a refused token.
var ErrAccessEnded = core.Errorf(core.ErrForbidden, "Authorization_RequestDenied", "access to the application has ended")

// ErrBlocked: the administrator blocked the guest's sign-in (Graph's
// accountEnabled false, R43). Told only to whoever holds the redeem link
// or has proved the address (R25); Send code mails anyone else a note.
var ErrBlocked = core.Errorf(core.ErrForbidden, "Authorization_RequestDenied", "the account is blocked")

// maySignIn is the one rule of whether u may still sign in to the tenant
// with the method of a session or a token (amr "otp": an emailed
// passcode). It is checked on every use, so a change takes effect on every
// process at once; the events that take access away also revoke what the
// guest holds (store.Access), so nothing returns when the rule allows it
// again.
func (s *Service) maySignIn(tenant *core.Tenant, u *core.User, amr string) bool {
	if u.Blocked { // Graph's accountEnabled false (R43)
		return false
	}
	switch amr {
	case "otp":
		return s.otpApplies(tenant, u)
	}
	return false // no other method exists yet
}

// MayUse reports whether the user may still use the application (client
// id) with what they signed in with: the user exists, may sign in (the
// method they redeemed with is still allowed), has redeemed (a reset makes
// them pending, R13), and is assigned to the application. Every refresh,
// userinfo and introspection asks (SPEC R32). Errors: ErrAccessEnded, or
// the store's.
func (s *Service) MayUse(ctx context.Context, tenant *core.Tenant, userID, clientID string, amr []string) error {
	u, err := s.st.GetUser(ctx, tenant.ID, userID)
	if err != nil {
		return notFoundAs(err, ErrAccessEnded)
	}
	method := ""
	if len(amr) > 0 {
		method = amr[0]
	}
	if !s.maySignIn(tenant, u, method) || u.ExternalUserState != core.StateAccepted {
		return ErrAccessEnded
	}
	app, err := s.st.GetApplication(ctx, tenant.ID, clientID)
	if errors.Is(err, core.ErrNotFound) {
		return ErrAccessEnded
	} else if err != nil {
		return err
	}
	if !assignmentRequired(app) {
		return nil
	}
	ok, err := s.st.IsAssigned(ctx, tenant.ID, u.ID, app.AppID)
	if err != nil {
		return err
	}
	if !ok {
		return ErrAccessEnded
	}
	return nil
}

// assignmentRequired: only assigned users may use the application. Every
// application requires assignment today; the service principal's
// appRoleAssignmentRequired decides it once applications have it.
func assignmentRequired(*core.Application) bool { return true }
