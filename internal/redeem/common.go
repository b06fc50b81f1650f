package redeem

import (
	"context"
	"errors"

	"guestlist/internal/core"
	"guestlist/internal/platform"
)

// Knows reports whether addr is a user (guest or member) of the tenant:
// "Sign in to an organization" by name mails the organization's sign-in
// link only to its own people (SPEC R31, R25).
func (s *Service) Knows(ctx context.Context, tenantID string, addr core.Address) (bool, error) {
	_, err := s.st.UserByMail(ctx, tenantID, addr.Key())
	if errors.Is(err, core.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// commonScope is the events' tenant for the common endpoint's throttle:
// its lookups belong to no tenant yet.
const commonScope = "common"

// AllowOrgLookup counts one "Sign in to an organization" lookup of the
// client address, as StartFor counts typed addresses: at most lookupLimit
// an hour, so names cannot be tried in bulk. Errors: *core.Error
// ErrThrottled.
func (s *Service) AllowOrgLookup(ctx context.Context, clientIP string) error {
	key := "org-lookup:" + platform.ThrottleKey(clientIP)
	n, _, err := s.st.CountEvents(ctx, commonScope, key, s.now().Add(-lookupWindow))
	if err != nil {
		return err
	}
	if n >= lookupLimit {
		return core.Errorf(core.ErrThrottled, "TooManyRequests", "too many organization lookups from this address")
	}
	return s.st.RecordEvent(ctx, commonScope, key, s.now())
}
