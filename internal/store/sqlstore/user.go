package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

const userCols = `tenant_id, id, display_name, mail, mail_key, user_principal_name,
	user_type, external_user_state, state_changed_at, creation_type, identities,
	preferred_language, last_sign_in_at, created_at, method, ` + userAdminCols

// scanUser reads the userCols into u, then more (columns selected after
// them).
func scanUser(sc interface{ Scan(...any) error }, u *core.User, more ...any) error {
	var enabled bool
	p := &u.Profile
	err := sc.Scan(append([]any{&u.TenantID, &u.ID, &u.DisplayName, &u.Mail, &u.MailKey,
		&u.UserPrincipalName, &u.UserType, &u.ExternalUserState, timeCol{&u.StateChangedAt},
		&u.CreationType, jsonCol{&u.Identities}, &u.PreferredLanguage, timeCol{&u.LastSignInAt},
		timeCol{&u.CreatedAt}, (*string)(&u.Method),
		&enabled, &p.GivenName, &p.Surname, &p.JobTitle, &p.OfficeLocation, &p.MobilePhone, jsonCol{&p.BusinessPhones}},
		more...)...)
	u.Blocked = !enabled
	return err
}

// CreateUser stores u; core.ErrConflict if the tenant has a user with the
// same id or mail key, core.ErrNotFound if the tenant does not exist.
func (o ops) CreateUser(ctx context.Context, u *core.User) error {
	ids, err := jsonText(u.Identities)
	if err != nil {
		return err
	}
	phones, err := jsonText(phonesOf(u.Profile.BusinessPhones))
	if err != nil {
		return err
	}
	p := u.Profile
	_, err = o.wr().ExecContext(ctx, `INSERT INTO users (`+userCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
		$15, $16, $17, $18, $19, $20, $21, $22)`,
		u.TenantID, u.ID, u.DisplayName, u.Mail, u.MailKey, u.UserPrincipalName,
		u.UserType, u.ExternalUserState, micros(u.StateChangedAt), u.CreationType, ids,
		u.PreferredLanguage, micros(u.LastSignInAt), micros(u.CreatedAt), string(u.Method),
		!u.Blocked, p.GivenName, p.Surname, p.JobTitle, p.OfficeLocation, p.MobilePhone, phones)
	return o.writeErr(err, "create user", "a user with this email address already exists")
}

func (o ops) GetUser(ctx context.Context, tenantID, id string) (*core.User, error) {
	var u core.User
	err := scanUser(o.rd().QueryRowContext(ctx, `SELECT `+userCols+` FROM users
		WHERE tenant_id = $1 AND id = $2`, tenantID, id), &u)
	if err != nil {
		return nil, readErr(err, "get user", fmt.Sprintf("the user %s does not exist", id))
	}
	return &u, nil
}

func (o ops) UserByMail(ctx context.Context, tenantID, mailKey string) (*core.User, error) {
	var u core.User
	err := scanUser(o.rd().QueryRowContext(ctx, `SELECT `+userCols+` FROM users
		WHERE tenant_id = $1 AND mail_key = $2`, tenantID, mailKey), &u)
	if err != nil {
		return nil, readErr(err, "get user by mail", "no user has this email address")
	}
	return &u, nil
}

// ListUsers lists the tenant's users that match f in f.Order (by default
// oldest first: by created_at, then id), after f.After.
func (o ops) ListUsers(ctx context.Context, tenantID string, f store.UserFilter) ([]core.User, error) {
	w, err := userWhere(tenantID, f)
	if err != nil {
		return nil, err
	}
	order, err := w.userOrder(f.Order, f.After)
	if err != nil {
		return nil, err
	}
	query := `SELECT ` + userCols + ` FROM users` + w.sql + order + w.limit(f.Top)
	rows, err := o.rd().QueryContext(ctx, query, w.args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list users: %w", err)
	}
	var list []core.User
	for rows.Next() {
		var u core.User
		if err := scanUser(rows, &u); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: list users: %w", err)
		}
		list = append(list, u)
	}
	return list, closeRows(rows, "list users")
}

// CountUsers counts what ListUsers lists, without Top and After.
func (o ops) CountUsers(ctx context.Context, tenantID string, f store.UserFilter) (int, error) {
	w, err := userWhere(tenantID, f)
	if err != nil {
		return 0, err
	}
	var n int
	if err := o.rd().QueryRowContext(ctx, `SELECT COUNT(*) FROM users`+w.sql, w.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlstore: count users: %w", err)
	}
	return n, nil
}

// userWhere is the condition of f, always within the tenant.
func userWhere(tenantID string, f store.UserFilter) (*where, error) {
	w := &where{sql: ` WHERE tenant_id = $1`, args: []any{tenantID}}
	w.eq("user_type", f.UserType)
	w.eq("external_user_state", f.ExternalUserState)
	w.eq("mail_key", f.MailKey)
	if f.Where != nil {
		cond, err := w.userExpr(f.Where)
		if err != nil {
			return nil, err
		}
		w.sql += " AND (" + cond + ")"
	}
	return w, nil
}

// UpdateUser writes u's display name, type, state (and its time),
// identities, method and preferred language.
func (o ops) UpdateUser(ctx context.Context, u *core.User) error {
	ids, err := jsonText(u.Identities)
	if err != nil {
		return err
	}
	res, err := o.wr().ExecContext(ctx, `UPDATE users SET display_name = $3, user_type = $4,
		external_user_state = $5, state_changed_at = $6, identities = $7, preferred_language = $8,
		method = $9
		WHERE tenant_id = $1 AND id = $2`,
		u.TenantID, u.ID, u.DisplayName, u.UserType, u.ExternalUserState,
		micros(u.StateChangedAt), ids, u.PreferredLanguage, string(u.Method))
	if err != nil {
		return fmt.Errorf("sqlstore: update user: %w", err)
	}
	return mustAffect(res, "update user", fmt.Sprintf("the user %s does not exist", u.ID))
}

// AcceptUser is a conditional update: only a PendingAcceptance user moves
// to Accepted, with the method they redeemed with, so of two racing
// redemptions exactly one succeeds.
func (o ops) AcceptUser(ctx context.Context, tenantID, userID string, m core.Method, ids []core.Identity, at time.Time) error {
	idsText, err := jsonText(ids)
	if err != nil {
		return err
	}
	q := o.wr()
	res, err := q.ExecContext(ctx, `UPDATE users SET external_user_state = $3,
		state_changed_at = $4, identities = $5, method = $7
		WHERE tenant_id = $1 AND id = $2 AND external_user_state = $6`,
		tenantID, userID, core.StateAccepted, micros(at), idsText, core.StatePendingAcceptance, string(m))
	if err != nil {
		return fmt.Errorf("sqlstore: accept user: %w", err)
	}
	return o.conditional(ctx, q, res, cond{
		what:     "accept user",
		exists:   `SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2`,
		args:     []any{tenantID, userID},
		conflict: "the user has already accepted the invitation",
		missing:  fmt.Sprintf("the user %s does not exist", userID),
	})
}

func (o ops) SetPreferredLanguage(ctx context.Context, tenantID, userID, lang string) error {
	res, err := o.wr().ExecContext(ctx, `UPDATE users SET preferred_language = $3
		WHERE tenant_id = $1 AND id = $2`, tenantID, userID, lang)
	if err != nil {
		return fmt.Errorf("sqlstore: set preferred language: %w", err)
	}
	return mustAffect(res, "set preferred language", fmt.Sprintf("the user %s does not exist", userID))
}

// DeleteUser deletes the user and what exists only for them: their
// sessions (so a deleted guest is signed out), invitations, sign-in flows
// and those flows' passcodes, their application assignments, directory
// roles, authenticator app and recovery codes.
func (o ops) DeleteUser(ctx context.Context, tenantID, id string) error {
	return o.atomic(ctx, func(q runner) error {
		for _, stmt := range [...]string{
			`DELETE FROM passcodes WHERE tenant_id = $1 AND flow_id IN
				(SELECT id FROM flows WHERE tenant_id = $1 AND user_id = $2)`,
			`DELETE FROM flows WHERE tenant_id = $1 AND user_id = $2`,
			`DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2`,
			`DELETE FROM passwords WHERE tenant_id = $1 AND user_id = $2`,
			`DELETE FROM invitations WHERE tenant_id = $1 AND user_id = $2`,
			`DELETE FROM assignments WHERE tenant_id = $1 AND user_id = $2`,
			`DELETE FROM role_assignments WHERE tenant_id = $1 AND principal_id = $2`,
			`DELETE FROM admin_sessions WHERE tenant_id = $1 AND user_id = $2`,
			`DELETE FROM mfa_recovery_codes WHERE tenant_id = $1 AND user_id = $2`,
			`DELETE FROM mfa_authenticators WHERE tenant_id = $1 AND user_id = $2`,
			`DELETE FROM password_links WHERE tenant_id = $1 AND user_id = $2`,
		} {
			if _, err := q.ExecContext(ctx, stmt, tenantID, id); err != nil {
				return fmt.Errorf("sqlstore: delete user: %w", err)
			}
		}
		res, err := q.ExecContext(ctx, `DELETE FROM users WHERE tenant_id = $1 AND id = $2`, tenantID, id)
		if err != nil {
			return fmt.Errorf("sqlstore: delete user: %w", err)
		}
		return mustAffect(res, "delete user", fmt.Sprintf("the user %s does not exist", id))
	})
}

// prefixed puts prefix (a table alias and a dot) before each column of a
// comma-separated list.
func prefixed(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
