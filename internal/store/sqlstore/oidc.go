package sqlstore

import (
	"context"
	"fmt"
	"time"

	"guestlist/internal/core"
)

const authRequestCols = `tenant_id, id, client_id, redirect_uri, state, nonce, response_type,
	response_mode, scopes, code_challenge, code_challenge_method, prompt, max_age, login_hint,
	ui_locales, user_id, auth_time, amr, done, code_hash, family_id, exchanged, created_at, expires_at, browser_hash`

func (o ops) CreateAuthRequest(ctx context.Context, r *core.AuthRequest) error {
	scopes, err := jsonText(r.Scopes)
	if err != nil {
		return err
	}
	prompt, err := jsonText(r.Prompt)
	if err != nil {
		return err
	}
	amr, err := jsonText(r.AMR)
	if err != nil {
		return err
	}
	var code any // NULL until a code is issued: the unique index allows many
	if len(r.CodeHash) > 0 {
		code = r.CodeHash
	}
	_, err = o.wr().ExecContext(ctx, `INSERT INTO auth_requests (`+authRequestCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
			$19, $20, $21, $22, $23, $24, $25)`,
		r.TenantID, r.ID, r.ClientID, r.RedirectURI, r.State, r.Nonce, r.ResponseType,
		r.ResponseMode, scopes, r.CodeChallenge, r.CodeChallengeMethod, prompt, r.MaxAge, r.LoginHint,
		r.UILocales, r.UserID, micros(r.AuthTime), amr, r.Done, code, r.FamilyID, r.Exchanged,
		micros(r.CreatedAt), micros(r.ExpiresAt), blob(r.BrowserHash))
	return o.writeErr(err, "create authorization request", "the authorization request already exists")
}

func scanAuthRequest(sc interface{ Scan(...any) error }, r *core.AuthRequest) error {
	var code, browser []byte
	err := sc.Scan(&r.TenantID, &r.ID, &r.ClientID, &r.RedirectURI, &r.State, &r.Nonce,
		&r.ResponseType, &r.ResponseMode, jsonCol{&r.Scopes}, &r.CodeChallenge,
		&r.CodeChallengeMethod, jsonCol{&r.Prompt}, &r.MaxAge, &r.LoginHint, &r.UILocales,
		&r.UserID, timeCol{&r.AuthTime}, jsonCol{&r.AMR}, &r.Done, &code, &r.FamilyID,
		&r.Exchanged, timeCol{&r.CreatedAt}, timeCol{&r.ExpiresAt}, &browser)
	if len(code) > 0 {
		r.CodeHash = code
	}
	if len(browser) > 0 {
		r.BrowserHash = browser
	}
	return err
}

func (o ops) GetAuthRequest(ctx context.Context, tenantID, id string, now time.Time) (*core.AuthRequest, error) {
	var r core.AuthRequest
	err := scanAuthRequest(o.rd().QueryRowContext(ctx, `SELECT `+authRequestCols+` FROM auth_requests
		WHERE tenant_id = $1 AND id = $2 AND expires_at > $3`, tenantID, id, micros(now)), &r)
	if err != nil {
		return nil, readErr(err, "get authorization request", "the authorization request has expired or does not exist")
	}
	return &r, nil
}

func (o ops) CompleteAuthRequest(ctx context.Context, tenantID, id, userID string, authTime time.Time, amr []string) error {
	amrText, err := jsonText(amr)
	if err != nil {
		return err
	}
	q := o.wr()
	res, err := q.ExecContext(ctx, `UPDATE auth_requests SET user_id = $3, auth_time = $4, amr = $5,
		done = TRUE WHERE tenant_id = $1 AND id = $2 AND NOT done`,
		tenantID, id, userID, micros(authTime), amrText)
	if err != nil {
		return fmt.Errorf("sqlstore: complete authorization request: %w", err)
	}
	return o.conditional(ctx, q, res, cond{
		what:     "complete authorization request",
		exists:   `SELECT 1 FROM auth_requests WHERE tenant_id = $1 AND id = $2`,
		args:     []any{tenantID, id},
		conflict: "the authorization request is already complete",
		missing:  "the authorization request does not exist",
	})
}

func (o ops) SetAuthCode(ctx context.Context, tenantID, id string, codeHash []byte, expiresAt time.Time) error {
	res, err := o.wr().ExecContext(ctx, `UPDATE auth_requests SET code_hash = $3, expires_at = $4
		WHERE tenant_id = $1 AND id = $2 AND done AND code_hash IS NULL`, tenantID, id, codeHash, micros(expiresAt))
	if err != nil {
		return o.writeErr(err, "set authorization code", "the code is already in use")
	}
	return o.conditional(ctx, o.wr(), res, cond{
		what:     "set authorization code",
		exists:   `SELECT 1 FROM auth_requests WHERE tenant_id = $1 AND id = $2`,
		args:     []any{tenantID, id},
		conflict: "the authorization request is not complete or already has a code",
		missing:  "the authorization request does not exist",
	})
}

func (o ops) AuthRequestByCode(ctx context.Context, tenantID string, codeHash []byte, now time.Time) (*core.AuthRequest, error) {
	var r core.AuthRequest
	err := scanAuthRequest(o.rd().QueryRowContext(ctx, `SELECT `+authRequestCols+` FROM auth_requests
		WHERE tenant_id = $1 AND code_hash = $2 AND expires_at > $3`, tenantID, codeHash, micros(now)), &r)
	if err != nil {
		return nil, readErr(err, "get authorization request by code", "the code is not valid")
	}
	return &r, nil
}

func (o ops) ExchangeAuthRequest(ctx context.Context, tenantID, id, familyID string) error {
	q := o.wr()
	res, err := q.ExecContext(ctx, `UPDATE auth_requests SET exchanged = TRUE, family_id = $3
		WHERE tenant_id = $1 AND id = $2 AND NOT exchanged`, tenantID, id, familyID)
	if err != nil {
		return fmt.Errorf("sqlstore: exchange code: %w", err)
	}
	return o.conditional(ctx, q, res, cond{
		what:     "exchange code",
		exists:   `SELECT 1 FROM auth_requests WHERE tenant_id = $1 AND id = $2`,
		args:     []any{tenantID, id},
		conflict: "the code has already been used",
		missing:  "the authorization request does not exist",
	})
}

func (o ops) CreateTokenFamily(ctx context.Context, f *core.TokenFamily) error {
	scopes, err := jsonText(f.Scopes)
	if err != nil {
		return err
	}
	amr, err := jsonText(f.AMR)
	if err != nil {
		return err
	}
	_, err = o.wr().ExecContext(ctx, `INSERT INTO token_families (tenant_id, id, client_id, user_id,
		scopes, amr, auth_time, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		f.TenantID, f.ID, f.ClientID, f.UserID, scopes, amr, micros(f.AuthTime), micros(f.CreatedAt),
		micros(f.RevokedAt))
	return o.writeErr(err, "create token family", "the token family already exists")
}

func (o ops) GetTokenFamily(ctx context.Context, tenantID, id string) (*core.TokenFamily, error) {
	var f core.TokenFamily
	err := o.rd().QueryRowContext(ctx, `SELECT tenant_id, id, client_id, user_id, scopes, amr,
		auth_time, created_at, revoked_at FROM token_families WHERE tenant_id = $1 AND id = $2`,
		tenantID, id).Scan(&f.TenantID, &f.ID, &f.ClientID, &f.UserID, jsonCol{&f.Scopes},
		jsonCol{&f.AMR}, timeCol{&f.AuthTime}, timeCol{&f.CreatedAt}, timeCol{&f.RevokedAt})
	if err != nil {
		return nil, readErr(err, "get token family", "the token does not exist")
	}
	return &f, nil
}

func (o ops) RevokeTokenFamily(ctx context.Context, tenantID, id string, at time.Time) error {
	if at.IsZero() {
		return core.Invalidf("tokens cannot be revoked at the zero time")
	}
	_, err := o.wr().ExecContext(ctx, `UPDATE token_families SET revoked_at = $3
		WHERE tenant_id = $1 AND id = $2 AND revoked_at = 0`, tenantID, id, micros(at))
	if err != nil {
		return fmt.Errorf("sqlstore: revoke token family: %w", err)
	}
	return nil
}

func (o ops) RevokeUserTokens(ctx context.Context, tenantID, userID, clientID string, at time.Time) error {
	if at.IsZero() {
		return core.Invalidf("tokens cannot be revoked at the zero time")
	}
	_, err := o.wr().ExecContext(ctx, `UPDATE token_families SET revoked_at = $4
		WHERE tenant_id = $1 AND user_id = $2 AND ($3 = '' OR client_id = $3) AND revoked_at = 0`,
		tenantID, userID, clientID, micros(at))
	if err != nil {
		return fmt.Errorf("sqlstore: revoke user tokens: %w", err)
	}
	return nil
}

func (o ops) CreateRefreshToken(ctx context.Context, t *core.RefreshToken) error {
	_, err := o.wr().ExecContext(ctx, `INSERT INTO refresh_tokens (tenant_id, id, family_id,
		created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		t.TenantID, t.ID, t.FamilyID, micros(t.CreatedAt), micros(t.ExpiresAt), micros(t.UsedAt))
	return o.writeErr(err, "create refresh token", "the refresh token already exists")
}

func (o ops) GetRefreshToken(ctx context.Context, tenantID, id string, now time.Time) (*core.RefreshToken, error) {
	var t core.RefreshToken
	err := o.rd().QueryRowContext(ctx, `SELECT tenant_id, id, family_id, created_at, expires_at, used_at
		FROM refresh_tokens WHERE tenant_id = $1 AND id = $2 AND expires_at > $3`,
		tenantID, id, micros(now)).Scan(&t.TenantID, &t.ID, &t.FamilyID, timeCol{&t.CreatedAt},
		timeCol{&t.ExpiresAt}, timeCol{&t.UsedAt})
	if err != nil {
		return nil, readErr(err, "get refresh token", "the refresh token is not valid")
	}
	return &t, nil
}

func (o ops) UseRefreshToken(ctx context.Context, tenantID, id string, at time.Time) error {
	return o.markUsed(ctx, "refresh_tokens", "refresh token", tenantID, id, at)
}
