package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// A flow, passcode or session is live while now < ExpiresAt.

const flowCols = `tenant_id, id, user_id, invitation_id, email, redirect_url, locale, step,
	client_ip, created_at, expires_at, auth_request_id, app_id, proved_method, proved_subject, purpose, proved_issuer`

func (o ops) CreateFlow(ctx context.Context, f *core.Flow) error {
	_, err := o.wr().ExecContext(ctx, `INSERT INTO flows (`+flowCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		f.TenantID, f.ID, f.UserID, f.InvitationID, f.Email, f.RedirectURL, f.Locale, f.Step,
		f.ClientIP, micros(f.CreatedAt), micros(f.ExpiresAt), f.AuthRequestID, f.AppID,
		string(f.ProvedMethod), f.ProvedSubject, f.Purpose, f.ProvedIssuer)
	return o.writeErr(err, "create flow", "the sign-in flow already exists")
}

// GetFlow returns the flow unless it expired at now (core.ErrNotFound).
func (o ops) GetFlow(ctx context.Context, tenantID, id string, now time.Time) (*core.Flow, error) {
	var f core.Flow
	err := o.rd().QueryRowContext(ctx, `SELECT `+flowCols+` FROM flows
		WHERE tenant_id = $1 AND id = $2 AND expires_at > $3`, tenantID, id, micros(now)).
		Scan(&f.TenantID, &f.ID, &f.UserID, &f.InvitationID, &f.Email, &f.RedirectURL,
			&f.Locale, &f.Step, &f.ClientIP, timeCol{&f.CreatedAt}, timeCol{&f.ExpiresAt}, &f.AuthRequestID, &f.AppID,
			(*string)(&f.ProvedMethod), &f.ProvedSubject, &f.Purpose, &f.ProvedIssuer)
	if err != nil {
		return nil, readErr(err, "get flow", "the sign-in has expired or does not exist")
	}
	return &f, nil
}

// SetFlowStep is a conditional update from step `from` to `to`, so each
// step of a flow is taken once. It does not look at expiry: the caller
// read the flow with GetFlow first.
func (o ops) SetFlowStep(ctx context.Context, tenantID, id, from, to string) error {
	q := o.wr()
	res, err := q.ExecContext(ctx, `UPDATE flows SET step = $4
		WHERE tenant_id = $1 AND id = $2 AND step = $3`, tenantID, id, from, to)
	if err != nil {
		return fmt.Errorf("sqlstore: set flow step: %w", err)
	}
	return o.conditional(ctx, q, res, cond{
		what:     "set flow step",
		exists:   `SELECT 1 FROM flows WHERE tenant_id = $1 AND id = $2`,
		args:     []any{tenantID, id},
		conflict: "the sign-in has already moved on",
		missing:  "the sign-in does not exist",
	})
}

// RekeyFlow is the conditional step update of SetFlowStep under a new id,
// recording what was proved.
func (o ops) RekeyFlow(ctx context.Context, tenantID, id string, m store.FlowMove) error {
	q := o.wr()
	res, err := q.ExecContext(ctx, `UPDATE flows SET id = $3, step = $5, user_id = $6, proved_method = $7, proved_subject = $8,
		proved_issuer = $9
		WHERE tenant_id = $1 AND id = $2 AND step = $4`, tenantID, id, m.NewID, m.From, m.To, m.UserID,
		string(m.ProvedMethod), m.ProvedSubject, m.ProvedIssuer)
	if err != nil {
		return o.writeErr(err, "rekey flow", "the new sign-in id is taken")
	}
	return o.conditional(ctx, q, res, cond{
		what:     "rekey flow",
		exists:   `SELECT 1 FROM flows WHERE tenant_id = $1 AND id = $2`,
		args:     []any{tenantID, id},
		conflict: "the sign-in has already moved on",
		missing:  "the sign-in does not exist",
	})
}

const passcodeCols = `tenant_id, id, flow_id, mail_key, seed, code_hash, attempts,
	created_at, expires_at, used_at`

func (o ops) CreatePasscode(ctx context.Context, p *core.Passcode) error {
	_, err := o.wr().ExecContext(ctx, `INSERT INTO passcodes (`+passcodeCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		p.TenantID, p.ID, p.FlowID, p.MailKey, blob(p.Seed), blob(p.CodeHash), p.Attempts,
		micros(p.CreatedAt), micros(p.ExpiresAt), micros(p.UsedAt))
	return o.writeErr(err, "create passcode", "the passcode already exists")
}

// LivePasscodes lists the flow's unused codes that are unexpired at now,
// newest first.
func (o ops) LivePasscodes(ctx context.Context, tenantID, flowID string, now time.Time) ([]core.Passcode, error) {
	rows, err := o.rd().QueryContext(ctx, `SELECT `+passcodeCols+` FROM passcodes
		WHERE tenant_id = $1 AND flow_id = $2 AND used_at = 0 AND expires_at > $3
		ORDER BY created_at DESC, id DESC`, tenantID, flowID, micros(now))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: live passcodes: %w", err)
	}
	var list []core.Passcode
	for rows.Next() {
		var p core.Passcode
		err := rows.Scan(&p.TenantID, &p.ID, &p.FlowID, &p.MailKey, &p.Seed, &p.CodeHash,
			&p.Attempts, timeCol{&p.CreatedAt}, timeCol{&p.ExpiresAt}, timeCol{&p.UsedAt})
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: live passcodes: %w", err)
		}
		list = append(list, p)
	}
	return list, closeRows(rows, "live passcodes")
}

// AddPasscodeAttempts adds one wrong attempt to each of the tenant's codes
// in ids, in one statement; ids that do not exist are skipped.
func (o ops) AddPasscodeAttempts(ctx context.Context, tenantID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, tenantID)
	marks := make([]string, len(ids))
	for i, id := range ids {
		args = append(args, id)
		marks[i] = fmt.Sprintf("$%d", i+2)
	}
	_, err := o.wr().ExecContext(ctx, `UPDATE passcodes SET attempts = attempts + 1
		WHERE tenant_id = $1 AND id IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return fmt.Errorf("sqlstore: add passcode attempts: %w", err)
	}
	return nil
}

// UsePasscode is a conditional update: an unused code (used_at 0) gets
// used_at = at, so a code is accepted once. at must not be zero.
func (o ops) UsePasscode(ctx context.Context, tenantID, id string, at time.Time) error {
	return o.markUsed(ctx, "passcodes", "passcode", tenantID, id, at)
}

// markUsed is the single-use switch of a passcode or refresh token: a
// conditional update of used_at, so of racing callers exactly one wins.
func (o ops) markUsed(ctx context.Context, table, what, tenantID, id string, at time.Time) error {
	if at.IsZero() {
		return core.Invalidf("a %s cannot be used at the zero time", what)
	}
	q := o.wr()
	res, err := q.ExecContext(ctx, `UPDATE `+table+` SET used_at = $3
		WHERE tenant_id = $1 AND id = $2 AND used_at = 0`, tenantID, id, micros(at))
	if err != nil {
		return fmt.Errorf("sqlstore: use %s: %w", what, err)
	}
	return o.conditional(ctx, q, res, cond{
		what:     "use " + what,
		exists:   `SELECT 1 FROM ` + table + ` WHERE tenant_id = $1 AND id = $2`,
		args:     []any{tenantID, id},
		conflict: "the " + what + " has already been used",
		missing:  "the " + what + " does not exist",
	})
}

// GetFlowUser reads a live flow and its user with one join. A flow
// without a user (user_id ”) comes with a nil user; a flow whose user is
// gone is not found.
func (o ops) GetFlowUser(ctx context.Context, tenantID, id string, now time.Time) (*core.Flow, *core.User, error) {
	var f core.Flow
	var u core.User
	var enabled bool
	p := &u.Profile
	err := o.rd().QueryRowContext(ctx, `SELECT f.tenant_id, f.id, f.user_id, f.invitation_id, f.email,
			f.redirect_url, f.locale, f.step, f.client_ip, f.created_at, f.expires_at, f.auth_request_id, f.app_id,
			f.proved_method, f.proved_subject, f.purpose, f.proved_issuer,
			COALESCE(u.tenant_id, ''), COALESCE(u.id, ''), COALESCE(u.display_name, ''), COALESCE(u.mail, ''),
			COALESCE(u.mail_key, ''), COALESCE(u.user_principal_name, ''), COALESCE(u.user_type, ''),
			COALESCE(u.external_user_state, ''), u.state_changed_at, COALESCE(u.creation_type, ''), u.identities,
			COALESCE(u.preferred_language, ''), u.last_sign_in_at, u.created_at, COALESCE(u.method, ''),
			COALESCE(u.account_enabled, TRUE), COALESCE(u.given_name, ''), COALESCE(u.surname, ''),
			COALESCE(u.job_title, ''), COALESCE(u.office_location, ''), COALESCE(u.mobile_phone, ''), u.business_phones
		FROM flows f LEFT JOIN users u ON u.tenant_id = f.tenant_id AND u.id = f.user_id
		WHERE f.tenant_id = $1 AND f.id = $2 AND f.expires_at > $3`, tenantID, id, micros(now)).
		Scan(&f.TenantID, &f.ID, &f.UserID, &f.InvitationID, &f.Email, &f.RedirectURL,
			&f.Locale, &f.Step, &f.ClientIP, timeCol{&f.CreatedAt}, timeCol{&f.ExpiresAt}, &f.AuthRequestID, &f.AppID,
			(*string)(&f.ProvedMethod), &f.ProvedSubject, &f.Purpose, &f.ProvedIssuer,
			&u.TenantID, &u.ID, &u.DisplayName, &u.Mail, &u.MailKey,
			&u.UserPrincipalName, &u.UserType, &u.ExternalUserState, timeCol{&u.StateChangedAt},
			&u.CreationType, jsonCol{&u.Identities}, &u.PreferredLanguage, timeCol{&u.LastSignInAt},
			timeCol{&u.CreatedAt}, (*string)(&u.Method), &enabled, &p.GivenName, &p.Surname, &p.JobTitle, &p.OfficeLocation,
			&p.MobilePhone, jsonCol{&p.BusinessPhones})
	u.Blocked = !enabled
	if err != nil {
		return nil, nil, readErr(err, "get flow", "the sign-in has expired or does not exist")
	}
	switch {
	case f.UserID == "":
		return &f, nil, nil
	case u.ID == "":
		return nil, nil, core.NotFoundf("the sign-in's user does not exist")
	}
	return &f, &u, nil
}
