package redeem

import (
	"context"
	"errors"

	"guestlist/internal/core"
)

// ErrAccessEnded: the guest may no longer use the application — deleted,
// reset to pending (R13), their method turned off (R26), blocked (R43), or
// no longer assigned where assignment is required — or the application is
// gone. The OpenID provider answers it as invalid_grant or a refused
// token.
var ErrAccessEnded = core.Errorf(core.ErrForbidden, "Authorization_RequestDenied", "access to the application has ended")

// ErrBlocked: the administrator blocked the guest's sign-in (Graph's
// accountEnabled false, R43). Told only to whoever holds the redeem link
// or has proved the address (R25); Send code mails anyone else a note.
var ErrBlocked = core.Errorf(core.ErrForbidden, "Authorization_RequestDenied", "the account is blocked")

// maySignIn is the one rule of whether u may still sign in to the tenant
// with the method of a session or a token, named by its amr: the guest is
// not blocked (Graph's accountEnabled, R43), the amr is that of the
// guest's method (R11: the redeemed one is locked in) and the tenant still
// allows that method (R26). It is checked on every use, so a change takes
// effect on every process at once; the events that take access away also
// revoke what the guest holds (store.Access), so nothing returns when the
// rule allows it again.
func (s *Service) maySignIn(ctx context.Context, tenant *core.Tenant, u *core.User, amr string) (bool, error) {
	if u.Blocked {
		return false, nil
	}
	m, ok, err := s.usable(ctx, tenant, u)
	return ok && amr != "" && amr == m.AMR(), err
}

// MayUse reports whether the user may still use the application (client
// id) with what they signed in with: the user exists, may sign in (the
// method they redeemed with is still allowed), has redeemed (a reset makes
// them pending, R13), and may open the application (mayOpen). Every refresh,
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
	if ok, err := s.maySignIn(ctx, tenant, u, method); err != nil {
		return err
	} else if !ok || !Redeemed(u) {
		return ErrAccessEnded
	}
	app, err := s.st.GetApplication(ctx, tenant.ID, clientID)
	if errors.Is(err, core.ErrNotFound) {
		return ErrAccessEnded
	} else if err != nil {
		return err
	}
	ok, err := mayOpen(app, func() (bool, error) { return s.st.IsAssigned(ctx, tenant.ID, u.ID, app.AppID) })
	if err != nil {
		return err
	}
	if !ok {
		return ErrAccessEnded
	}
	return nil
}

// mayOpen is the one rule of whether a user of the tenant may open an
// application (SPEC R7, R30, R32): never an admin application, which
// signs in as itself; any other application unless its service principal
// requires assignment (appRoleAssignmentRequired, false by default as in
// Entra); then only when the user is assigned. assigned is asked only
// when the answer depends on it. Sign-in pages, the portal, direct links,
// refresh and userinfo all ask here.
func mayOpen(app *core.Application, assigned func() (bool, error)) (bool, error) {
	switch {
	case app.IsAdmin:
		return false, nil
	case !app.AssignmentRequired:
		return true, nil
	}
	return assigned()
}
