package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// expiryFilter adds f's status to a list of invitations. With f.Now, an
// expired invitation is a pending one whose expires_at (0: never) has come,
// so PendingAcceptance and Expired split the stored pending ones (SPEC R8).
func expiryFilter(w *where, f store.InvitationFilter) {
	if f.Now.IsZero() || f.Status != core.InvitationPending && f.Status != core.InvitationExpired {
		w.eq("status", f.Status)
		return
	}
	w.eq("status", core.InvitationPending)
	w.args = append(w.args, micros(f.Now))
	now := "$" + strconv.Itoa(len(w.args))
	if f.Status == core.InvitationExpired {
		w.sql += " AND expires_at <> 0 AND expires_at <= " + now
	} else {
		w.sql += " AND (expires_at = 0 OR expires_at > " + now + ")"
	}
}

// invitationState is the cond of a conditional update of a pending
// invitation.
func invitationState(what, tenantID, id, conflict string) cond {
	return cond{
		what:     what,
		exists:   `SELECT 1 FROM invitations WHERE tenant_id = $1 AND id = $2`,
		args:     []any{tenantID, id},
		conflict: conflict,
		missing:  fmt.Sprintf("the invitation %s does not exist", id),
	}
}

// RevokeInvitation is conditional on the pending status, so a revocation
// and a redemption racing on one invitation cannot both succeed.
func (o ops) RevokeInvitation(ctx context.Context, tenantID, id string, at time.Time) error {
	q := o.wr()
	res, err := q.ExecContext(ctx, `UPDATE invitations SET status = $3, revoked_at = $4
		WHERE tenant_id = $1 AND id = $2 AND status = $5`,
		tenantID, id, core.InvitationRevoked, micros(at), core.InvitationPending)
	if err != nil {
		return fmt.Errorf("sqlstore: revoke invitation: %w", err)
	}
	return o.conditional(ctx, q, res, invitationState("revoke invitation", tenantID, id,
		"the invitation is no longer pending"))
}

// RecordResend is conditional on the pending status like RevokeInvitation.
func (o ops) RecordResend(ctx context.Context, tenantID, id string, r store.Resend) error {
	q := o.wr()
	res, err := q.ExecContext(ctx, `UPDATE invitations SET message_id = $3, last_resent_at = $4,
		expires_at = $5, resent_count = resent_count + 1
		WHERE tenant_id = $1 AND id = $2 AND status = $6`,
		tenantID, id, r.MessageID, micros(r.At), micros(r.ExpiresAt), core.InvitationPending)
	if err != nil {
		return fmt.Errorf("sqlstore: resend invitation: %w", err)
	}
	return o.conditional(ctx, q, res, invitationState("resend invitation", tenantID, id,
		"the invitation is no longer pending"))
}

func (o ops) InvitationExpiryDays(ctx context.Context, tenantID string) (int, error) {
	var days int
	err := o.rd().QueryRowContext(ctx, `SELECT invitation_expiry_days FROM tenants WHERE id = $1`,
		tenantID).Scan(&days)
	if err != nil {
		return 0, readErr(err, "get invitation expiry", "the tenant does not exist")
	}
	return days, nil
}

func (o ops) SetInvitationExpiryDays(ctx context.Context, tenantID string, days int) error {
	res, err := o.wr().ExecContext(ctx, `UPDATE tenants SET invitation_expiry_days = $2 WHERE id = $1`,
		tenantID, days)
	if err != nil {
		return fmt.Errorf("sqlstore: set invitation expiry: %w", err)
	}
	return mustAffect(res, "set invitation expiry", "the tenant does not exist")
}
