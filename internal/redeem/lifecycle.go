package redeem

import (
	"context"
	"errors"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// Errors of an invitation that was withdrawn or ran out (SPEC R8); a guest
// page tells the guest which, and to ask the inviter for a new one.
var (
	ErrRevoked = core.Errorf(core.ErrInvalid, "Request_BadRequest", "invitation revoked")
	ErrExpired = core.Errorf(core.ErrInvalid, "Request_BadRequest", "invitation expired")
)

// usable says whether an invitation's link may still be used at now: a
// revoked or expired one may not, whoever opens it. A redeemed one may,
// as a way to sign in again (R6).
func usable(inv *core.Invitation, now time.Time) error {
	switch inv.StatusAt(now) {
	case core.InvitationRevoked:
		return ErrRevoked
	case core.InvitationExpired:
		return ErrExpired
	}
	return nil
}

// stillInvited checks, inside the consent's transaction, that the flow's
// invitation was neither revoked nor did it expire since the flow began:
// a link opened before a revocation must not redeem after it.
func (s *Service) stillInvited(ctx context.Context, tx store.Tx, f *core.Flow, now time.Time) error {
	if f.InvitationID == "" {
		return nil
	}
	inv, err := tx.GetInvitation(ctx, f.TenantID, f.InvitationID)
	if err != nil {
		return notFoundAs(err, ErrBadLink)
	}
	return usable(inv, now)
}

// lostTo says why completing the flow's invitation conflicted: it was
// revoked in the moment between the check and the write, or redeemed.
func lostTo(ctx context.Context, tx store.Tx, f *core.Flow) error {
	inv, err := tx.GetInvitation(ctx, f.TenantID, f.InvitationID)
	if err == nil && inv.Status == core.InvitationRevoked {
		return ErrRevoked
	} else if err != nil && !errors.Is(err, core.ErrNotFound) {
		return err
	}
	return ErrRedeemed
}

// revokedInvitation is, for a pending guest who has no pending invitation
// left, their newest revoked one: a sign-in started by typing the address
// must not redeem what the administrator withdrew. "" if there is none.
func (s *Service) revokedInvitation(ctx context.Context, tenantID string, u *core.User) (string, error) {
	invs, err := s.st.ListInvitations(ctx, tenantID, store.InvitationFilter{Status: core.InvitationRevoked})
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
		return "", nil
	}
	return newest.ID, nil
}
