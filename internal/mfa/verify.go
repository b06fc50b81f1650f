package mfa

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp/totp"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// Throttle on wrong codes, per member, shared by all server processes
// (events in the store). A member who mistypes may try FailureLimit
// times in any FailureWindow; the daily cap bounds a patient guesser
// who spaces out tries. With skew 1, three codes of a million are
// accepted at any time, so DailyLimit wrong tries a day give a guesser
// about 6 in 100,000 a day (RFC 4226 section 7.3 asks for such a bound;
// RFC 6238 section 5.2 for throttling).
const (
	FailureLimit  = 5
	FailureWindow = 15 * time.Minute
	DailyLimit    = 20
	DailyWindow   = 24 * time.Hour
)

// errWrongCode answers a code that is not accepted: wrong, expired, or
// used before. Telling them apart would help nobody but a guesser.
var errWrongCode = core.Errorf(core.ErrUnauthenticated, "InvalidCode", "the code is not valid")

// Verified is an accepted code.
type Verified struct {
	// RecoveryCode: a recovery code was spent, not an app's code; the
	// console may suggest new codes when few are left.
	RecoveryCode bool
	// RecoveryCodesLeft is how many unused recovery codes remain.
	RecoveryCodesLeft int
}

// Verify accepts a code of the member's active authenticator app, once:
// a current TOTP code of a time step later than the last accepted one,
// or an unused recovery code, which it spends. Spaces and hyphens in the
// code are ignored. Errors: core.ErrNotFound (no active authenticator
// app), core.ErrUnauthenticated (a wrong, expired or replayed code),
// core.ErrThrottled in a *core.RetryLater (too many wrong codes; every
// code is refused until After, a right one too, or guessing would go on).
func (s *Service) Verify(ctx context.Context, tenantID, userID, code string) (*Verified, error) {
	now := s.now()
	var v *Verified
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		if err := s.guard(ctx, tx, tenantID, userID, now); err != nil {
			return err
		}
		a, err := tx.GetAuthenticator(ctx, tenantID, userID)
		if err != nil {
			return err
		}
		if !a.Active() {
			return core.NotFoundf("the user has no authenticator app")
		}
		if v, err = s.check(ctx, tx, a, code, now); err != nil || v != nil {
			return err
		}
		return recordFailure(ctx, tx, tenantID, userID, now)
	})
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, errWrongCode
	}
	return v, nil
}

// check accepts and spends code, or returns nil for a code not accepted.
func (s *Service) check(ctx context.Context, tx store.Tx, a *core.Authenticator, code string, now time.Time) (*Verified, error) {
	code = normalize(code)
	if len(code) == int(digits) {
		secret, err := s.keys.Open(a.Secret, aad(a.TenantID, a.UserID))
		if err != nil {
			return nil, fmt.Errorf("mfa: open secret: %w", err)
		}
		step, ok := matchStep(string(secret), code, now, a.LastStep)
		if !ok {
			return nil, nil
		}
		err = tx.AdvanceStep(ctx, a.TenantID, a.UserID, step)
		if errors.Is(err, core.ErrConflict) { // a use of the same step won
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		left, err := tx.RecoveryCodesLeft(ctx, a.TenantID, a.UserID)
		return &Verified{RecoveryCodesLeft: left}, err
	}
	err := tx.UseRecoveryCode(ctx, a.TenantID, a.UserID, s.hashCode(a.TenantID, a.UserID, code), now)
	if errors.Is(err, core.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	left, err := tx.RecoveryCodesLeft(ctx, a.TenantID, a.UserID)
	return &Verified{RecoveryCode: true, RecoveryCodesLeft: left}, err
}

// normalize drops what people type between groups of a code and upper-
// cases recovery codes.
func normalize(code string) string {
	return strings.ToUpper(strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(code))
}

// timeStep is the RFC 6238 time step (T, section 4.2) of t.
func timeStep(t time.Time) int64 { return t.Unix() / period }

// matchStep finds the earliest time step within skew of now, and later
// than last, whose code is code. A code that only matches steps up to
// last is a replay, and does not match.
func matchStep(secret, code string, now time.Time, last int64) (int64, bool) {
	if len(code) != int(digits) || strings.Trim(code, "0123456789") != "" {
		return 0, false
	}
	cur := timeStep(now)
	for step := cur - skew; step <= cur+skew; step++ {
		if step <= last {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*period, 0),
			totp.ValidateOpts{Period: period, Digits: digits, Algorithm: algorithm})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// guard serialises the member's code checks (so parallel guesses cannot
// outrun the throttle) and refuses them while the member is throttled.
func (s *Service) guard(ctx context.Context, tx store.Tx, tenantID, userID string, now time.Time) error {
	if err := tx.Lock(ctx, tenantID, failKey(userID)); err != nil {
		return err
	}
	for _, l := range [...]struct {
		limit  int
		window time.Duration
	}{{FailureLimit, FailureWindow}, {DailyLimit, DailyWindow}} {
		// A failure exactly window old has left the window.
		w, err := tx.EventWindows(ctx, tenantID, now.Add(-l.window+time.Microsecond), failKey(userID))
		if err != nil {
			return err
		}
		if ew, ok := w[failKey(userID)]; ok && ew.Count >= l.limit {
			return &core.RetryLater{After: max(ew.First.Add(l.window).Sub(now), time.Second),
				Err: core.Errorf(core.ErrThrottled, "TooManyRequests", "too many wrong codes; try again later")}
		}
	}
	return nil
}

func recordFailure(ctx context.Context, tx store.Tx, tenantID, userID string, now time.Time) error {
	return tx.RecordEvent(ctx, tenantID, failKey(userID), now)
}

// failKey is the throttle's event key of a member (events are kept per
// tenant).
func failKey(userID string) string { return "mfa-fail:" + userID }
