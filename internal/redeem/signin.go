package redeem

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// Target is where a sign-in started by typing an address leads: an
// authorization request of an application, or a URL (an application's home
// page, the portal).
type Target struct {
	AuthRequestID string
	AppID         string // the application the guest must be allowed to open, if any
	RedirectURL   string
}

// Sign-in page throttle: typed addresses per client address and tenant.
const (
	lookupWindow = time.Hour
	lookupLimit  = 60
)

// StartByEmail starts a sign-in for the address email (just-in-time
// redemption for a guest who never opened their invitation, SPEC R5). It
// answers every address alike (R7, R25): a flow whether or not the address
// is a guest of the tenant, may use OTP or may use the application, with
// the same reads and writes on every path; what the address gets is
// decided when Send code is pressed, and told only to its owner, by mail.
// The throttle on the client address is counted before anything is looked
// up. Errors: core.ErrInvalid (not an address), *core.Error ErrThrottled.
func (s *Service) StartByEmail(ctx context.Context, tenant *core.Tenant, email string, to Target, lang, uiLocale, clientIP string) (*Started, error) {
	return s.StartFor(ctx, tenant, core.FlowSignIn, email, to, uiLocale, clientIP)
}

// StartFor is StartByEmail for a flow of purpose: a sign-in, a sign-up
// of a personal account or a password reset, all answering every address
// alike until a code is mailed (R25).
func (s *Service) StartFor(ctx context.Context, tenant *core.Tenant, purpose, email string, to Target, uiLocale, clientIP string) (*Started, error) {
	addr, err := core.ParseAddress(email)
	if err != nil {
		return nil, err
	}
	key := "signin-lookup:" + platform.ThrottleKey(clientIP)
	n, _, err := s.st.CountEvents(ctx, tenant.ID, key, s.now().Add(-lookupWindow))
	if err != nil {
		return nil, err
	}
	if n >= lookupLimit {
		return nil, core.Errorf(core.ErrThrottled, "TooManyRequests", "too many sign-in attempts from this address")
	}
	if err := s.st.RecordEvent(ctx, tenant.ID, key, s.now()); err != nil {
		return nil, err
	}
	u, err := s.st.UserByMail(ctx, tenant.ID, addr.Key())
	switch {
	case errors.Is(err, core.ErrNotFound):
		u = &core.User{}
	case err != nil:
		return nil, err
	}
	// The browser's language is remembered as the guest's only once they
	// prove the address (Verified): a stranger must not change it, nor
	// make this path write what the other does not.
	var out *Started
	err = s.st.InTx(ctx, func(tx store.Tx) error {
		var err error
		out, err = s.createFlow(ctx, tx, tenant.ID, u, flowStart{
			redirectURL: to.RedirectURL, authRequestID: to.AuthRequestID, appID: to.AppID, email: addr.String(),
			purpose: purpose,
		}, uiLocale, clientIP)
		return err
	})
	return out, err
}

// pendingInvitation is the newest pending invitation of a guest who has
// not redeemed, so a just-in-time redemption completes it as the link
// would have.
func (s *Service) pendingInvitation(ctx context.Context, tenantID string, u *core.User) (string, error) {
	if u.ExternalUserState == core.StateAccepted {
		return "", nil
	}
	invs, err := s.st.ListInvitations(ctx, tenantID, store.InvitationFilter{Status: core.InvitationPending})
	if err != nil {
		return "", err
	}
	var newest *core.Invitation
	for i := range invs {
		if invs[i].UserID == u.ID && (newest == nil || invs[i].CreatedAt.After(newest.CreatedAt)) {
			newest = &invs[i]
		}
	}
	if newest == nil {
		return s.revokedInvitation(ctx, tenantID, u) // R8: refused at consent
	}
	return newest.ID, nil
}

// MayOpen reports whether the user may open the application (client id):
// false for an application that does not exist.
func (s *Service) MayOpen(ctx context.Context, tenantID, userID, appID string) (bool, error) {
	app, err := s.st.GetApplication(ctx, tenantID, appID)
	if errors.Is(err, core.ErrNotFound) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	return mayOpen(app, func() (bool, error) { return s.st.IsAssigned(ctx, tenantID, userID, appID) })
}

// Portal lists the applications the user may open (SPEC R30), by display
// name.
func (s *Service) Portal(ctx context.Context, tenantID, userID string) ([]core.Application, error) {
	all, err := s.st.ListApplications(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	mine, err := s.st.UserAssignments(ctx, tenantID, userID)
	if err != nil {
		return nil, err
	}
	assigned := make(map[string]bool, len(mine))
	for _, x := range mine {
		assigned[x.AppID] = true
	}
	var out []core.Application
	for i := range all {
		ok, _ := mayOpen(&all[i], func() (bool, error) { return assigned[all[i].AppID], nil })
		if ok {
			out = append(out, all[i])
		}
	}
	slices.SortStableFunc(out, func(a, b core.Application) int {
		return cmp.Or(cmp.Compare(a.DisplayName, b.DisplayName), cmp.Compare(a.AppID, b.AppID))
	})
	return out, nil
}

// App returns an application of the tenant by client id.
func (s *Service) App(ctx context.Context, tenantID, appID string) (*core.Application, error) {
	return s.st.GetApplication(ctx, tenantID, appID)
}

// SignedIn records a completed sign-in (signInActivity).
func (s *Service) SignedIn(ctx context.Context, tenantID, userID string) error {
	err := s.st.SetLastSignIn(ctx, tenantID, userID, s.now())
	if errors.Is(err, core.ErrNotFound) {
		return nil // deleted meanwhile; nothing to record
	}
	return err
}

// SessionSatisfies reports whether a live session is recent enough for a
// request's max_age (seconds; negative when not asked). max_age=0 always
// asks for a new sign-in, like prompt=login (OpenID Connect Core 3.1.2.1),
// even when the session began this very instant.
func (s *Service) SessionSatisfies(sess *core.Session, maxAge int64) bool {
	return maxAge < 0 || maxAge > 0 && s.now().Sub(sess.CreatedAt) <= time.Duration(maxAge)*time.Second
}
