package redeem

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/idp/federation"
	"guestlist/internal/passcode"
	"guestlist/internal/store"
)

// Sign-in log error codes (SPEC R41): Entra ID's AADSTS codes for the same
// refusals, so that reports written for Graph's signIn read them alike.
const (
	codeWrongPassword = 50126  // invalid username or password
	codeWrongCode     = 50181  // the one-time passcode could not be validated
	codeThrottled     = 50053  // locked out: too many attempts
	codeBlocked       = 50057  // the account is disabled
	codeNotInvited    = 90072  // no such user in the tenant (not invited)
	codeMethodOff     = 130500 // the method is off by the tenant's policy
	// Federation (R10 steps 2 and 3).
	codeFedUnavailable = 80001 // the identity provider could not be reached or answered unusably
	codeFedRefused     = 50158 // the identity provider refused the sign-in
	codeFedInvalid     = 50008 // the SAML assertion or ID token failed verification
	codeFedMismatch    = 50020 // the provider signed in another address than the invited one
)

// failure is the sign-in log's code and reason for a refusal, ok false
// for one that is no sign-in failure (a malformed form, a flow gone).
func failure(err error) (code int, reason string, ok bool) {
	var th *passcode.Throttled
	var ith *idp.Throttled
	switch {
	case errors.Is(err, idp.ErrWrongPassword):
		return codeWrongPassword, "Invalid username or password.", true
	case errors.Is(err, passcode.ErrWrong), errors.Is(err, passcode.ErrExpired):
		return codeWrongCode, "The one-time passcode is wrong or has expired.", true
	case errors.As(err, &th), errors.As(err, &ith):
		return codeThrottled, "Too many failed sign-in attempts: sign-in is throttled.", true
	case errors.Is(err, ErrBlocked):
		return codeBlocked, "The account is disabled.", true
	case errors.Is(err, ErrNotInvited):
		return codeNotInvited, "The user has not been invited to the tenant.", true
	case errors.Is(err, ErrOTPOff), errors.Is(err, ErrMethodOff):
		return codeMethodOff, "The sign-in method is turned off by the tenant's policy.", true
	}
	return federationFailure(err)
}

// federationFailure is failure for a federated sign-in's errors: the
// reason names the provider and the detail, for the administrator.
func federationFailure(err error) (int, string, bool) {
	var e *federation.Error
	if !errors.As(err, &e) {
		return 0, "", false
	}
	who := "The identity provider"
	if e.Provider != "" {
		who = "The identity provider " + e.Provider
	}
	detail := ""
	if e.Err != nil {
		detail = " " + e.Err.Error() + "."
	}
	switch e.Problem {
	case federation.Unavailable:
		return codeFedUnavailable, who + " could not be reached or answered with something unusable." + detail, true
	case federation.Refused:
		return codeFedRefused, who + " refused the sign-in." + detail, true
	case federation.Invalid, federation.Expired:
		return codeFedInvalid, who + "'s answer failed verification." + detail, true
	case federation.Mismatch:
		return codeFedMismatch, who + " signed in " + e.Got + ", not the invited address " + e.Expected + ".", true
	case federation.NoProvider:
		return codeFedUnavailable, "No identity provider serves this address any more." + detail, true
	}
	return 0, "", false // NoAnswer: a page loaded again, or in another browser
}

// recordSignIn writes one sign-in attempt of the flow's person (u nil: an
// address with no user) with method: err nil for a success, else the
// refusal (one failure does not know is not recorded). w is the
// transaction of the attempt, or the store for an attempt refused before
// one started.
func (s *Service) recordSignIn(ctx context.Context, w store.Tx, f *core.Flow, u *core.User, m core.Method, refusal error) error {
	rec := core.SignInRecord{
		TenantID: f.TenantID, ID: newID(), At: s.now(), AppID: f.AppID,
		IPAddress: f.ClientIP, Method: m, UserPrincipalName: f.Email, CrossTenantAccess: core.AccessNone,
	}
	if refusal != nil {
		var ok bool
		if rec.ErrorCode, rec.FailureReason, ok = failure(refusal); !ok {
			return nil
		}
	}
	if u != nil && u.ID != "" {
		rec.UserID, rec.UserPrincipalName, rec.UserDisplayName, rec.UserType = u.ID, u.UserPrincipalName, u.DisplayName, u.UserType
		if u.CreationType == core.CreationTypeInvitation {
			rec.CrossTenantAccess = core.AccessB2BCollaboration
		} else {
			rec.HomeTenantID = f.TenantID // a member's home is this tenant
		}
	}
	if f.AppID != "" {
		if app, err := w.GetApplication(ctx, f.TenantID, f.AppID); err == nil {
			rec.AppDisplayName = app.DisplayName
		} else if !errors.Is(err, core.ErrNotFound) {
			return err
		}
	}
	return w.RecordSignIn(ctx, &rec)
}

// refusalError is the sign-in failure a refusal at Send code is: the
// person never gets a code, so this is their attempt's only record.
// errNotAFailure (recordSignIn skips it) for refusals that are no failed
// sign-in.
func refusalError(r idp.Refusal) error {
	switch r {
	case idp.RefuseNotInvited:
		return ErrNotInvited
	case idp.RefuseBlocked:
		return ErrBlocked
	case idp.RefuseMethodOff:
		return ErrOTPOff
	}
	return errNotAFailure
}

// errNotAFailure is a step that is no sign-in attempt's end.
var errNotAFailure = errors.New("not a sign-in failure")

// newID is a time-ordered id (UUIDv7): records made in the same
// microsecond still list in the order they were made.
func newID() string {
	if id, err := uuid.NewV7(); err == nil {
		return id.String()
	}
	return uuid.NewString()
}
