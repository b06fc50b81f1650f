package mfa

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"

	"guestlist/internal/core"
	"guestlist/internal/platform"
)

// Pending is the member's begun enrolment, to show again: a set-up page
// opened twice (a reload, a browser that fetches a page again) must show
// the secret the member is adding to their app, not a new one. It is nil
// when nothing is pending, the enrolment expired or the app is active.
func (s *Service) Pending(ctx context.Context, tenantID, userID string) (*Enrolment, error) {
	a, err := s.st.GetAuthenticator(ctx, tenantID, userID)
	if errors.Is(err, core.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	expires := a.CreatedAt.Add(PendingTTL)
	if a.Active() || !s.now().Before(expires) {
		return nil, nil
	}
	sealed, err := s.keys.Open(a.Secret, aad(tenantID, userID))
	if err != nil {
		return nil, fmt.Errorf("mfa: open secret: %w", err)
	}
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(string(sealed))
	if err != nil {
		return nil, fmt.Errorf("mfa: stored secret: %w", err)
	}
	key, qr, err := s.key(ctx, tenantID, userID, raw)
	if err != nil {
		return nil, err
	}
	return &Enrolment{Secret: platform.Secret(key.Secret()), URL: platform.Secret(key.URL()), QR: qr, ExpiresAt: expires}, nil
}
