package sqlstore

import (
	"context"
	"fmt"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

const invitationCols = `tenant_id, id, user_id, email, display_name, redirect_url, user_type,
	send_invitation_message, message_info, token_hash, status, message_id, created_at,
	redeemed_at, expires_at, revoked_at, resent_count, last_resent_at`

func scanInvitation(sc interface{ Scan(...any) error }, inv *core.Invitation) error {
	return sc.Scan(&inv.TenantID, &inv.ID, &inv.UserID, &inv.Email, &inv.DisplayName,
		&inv.RedirectURL, &inv.UserType, &inv.SendInvitationMessage, jsonCol{&inv.MessageInfo},
		&inv.TokenHash, &inv.Status, &inv.MessageID, timeCol{&inv.CreatedAt},
		timeCol{&inv.RedeemedAt}, timeCol{&inv.ExpiresAt}, timeCol{&inv.RevokedAt},
		&inv.ResentCount, timeCol{&inv.LastResentAt})
}

// CreateInvitation stores inv; core.ErrConflict if the tenant has an
// invitation with the same id or token hash.
func (o ops) CreateInvitation(ctx context.Context, inv *core.Invitation) error {
	info, err := jsonText(inv.MessageInfo)
	if err != nil {
		return err
	}
	_, err = o.wr().ExecContext(ctx, `INSERT INTO invitations (`+invitationCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		inv.TenantID, inv.ID, inv.UserID, inv.Email, inv.DisplayName, inv.RedirectURL,
		inv.UserType, inv.SendInvitationMessage, info, blob(inv.TokenHash), inv.Status,
		inv.MessageID, micros(inv.CreatedAt), micros(inv.RedeemedAt), micros(inv.ExpiresAt),
		micros(inv.RevokedAt), inv.ResentCount, micros(inv.LastResentAt))
	return o.writeErr(err, "create invitation", "the invitation already exists")
}

func (o ops) GetInvitation(ctx context.Context, tenantID, id string) (*core.Invitation, error) {
	var inv core.Invitation
	err := scanInvitation(o.rd().QueryRowContext(ctx, `SELECT `+invitationCols+`
		FROM invitations WHERE tenant_id = $1 AND id = $2`, tenantID, id), &inv)
	if err != nil {
		return nil, readErr(err, "get invitation", fmt.Sprintf("the invitation %s does not exist", id))
	}
	return &inv, nil
}

func (o ops) InvitationByToken(ctx context.Context, tenantID string, tokenHash []byte) (*core.Invitation, error) {
	var inv core.Invitation
	err := scanInvitation(o.rd().QueryRowContext(ctx, `SELECT `+invitationCols+`
		FROM invitations WHERE tenant_id = $1 AND token_hash = $2`, tenantID, blob(tokenHash)), &inv)
	if err != nil {
		return nil, readErr(err, "get invitation by token", "the invitation does not exist")
	}
	return &inv, nil
}

// CompleteInvitation is a conditional update: only a pending invitation
// becomes Completed, so a redeem link works once.
func (o ops) CompleteInvitation(ctx context.Context, tenantID, id string, at time.Time) error {
	q := o.wr()
	res, err := q.ExecContext(ctx, `UPDATE invitations SET status = $3, redeemed_at = $4
		WHERE tenant_id = $1 AND id = $2 AND status = $5`,
		tenantID, id, core.InvitationCompleted, micros(at), core.InvitationPending)
	if err != nil {
		return fmt.Errorf("sqlstore: complete invitation: %w", err)
	}
	return o.conditional(ctx, q, res, cond{
		what:     "complete invitation",
		exists:   `SELECT 1 FROM invitations WHERE tenant_id = $1 AND id = $2`,
		args:     []any{tenantID, id},
		conflict: "the invitation has already been redeemed",
		missing:  fmt.Sprintf("the invitation %s does not exist", id),
	})
}

// ListInvitations lists the tenant's invitations with f.Status (any
// status if empty), oldest first.
func (o ops) ListInvitations(ctx context.Context, tenantID string, f store.InvitationFilter) ([]core.Invitation, error) {
	w := where{sql: ` WHERE tenant_id = $1`, args: []any{tenantID}}
	expiryFilter(&w, f)
	w.eq("user_id", f.UserID)
	w.after("id", f.After)
	rows, err := o.rd().QueryContext(ctx, `SELECT `+invitationCols+` FROM invitations`+
		w.sql+` ORDER BY created_at, id`+w.limit(f.Top), w.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list invitations: %w", err)
	}
	var list []core.Invitation
	for rows.Next() {
		var inv core.Invitation
		if err := scanInvitation(rows, &inv); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: list invitations: %w", err)
		}
		list = append(list, inv)
	}
	return list, closeRows(rows, "list invitations")
}
