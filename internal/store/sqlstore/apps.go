package sqlstore

import (
	"context"
	"fmt"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// Applications, their secrets and assignments. The secrets and assignments
// tables have foreign keys to their application (and user) with ON DELETE
// CASCADE, so deleting a tenant's applications and users also clears them;
// DeleteApplication and DeleteUser delete them explicitly all the same.

const appCols = `tenant_id, app_id, object_id, service_principal_id, display_name,
	web_redirect_uris, spa_redirect_uris, public_client_redirect_uris, home_page_url,
	secret_hash, is_admin, created_at, assignment_required, sign_in_audience`

func scanApp(sc interface{ Scan(...any) error }, a *core.Application) error {
	return sc.Scan(&a.TenantID, &a.AppID, &a.ID, &a.ServicePrincipalID, &a.DisplayName,
		jsonCol{&a.WebRedirectURIs}, jsonCol{&a.SPARedirectURIs}, jsonCol{&a.PublicClientRedirectURIs},
		&a.HomePageURL, &a.SecretHash, &a.IsAdmin, timeCol{&a.CreatedAt}, &a.AssignmentRequired, &a.SignInAudience)
}

// uriLists marshals the three redirect URI lists (never JSON null).
func uriLists(a *core.Application) (web, spa, public string, err error) {
	var out [3]string
	for i, l := range [3][]string{a.WebRedirectURIs, a.SPARedirectURIs, a.PublicClientRedirectURIs} {
		if l == nil {
			l = []string{}
		}
		if out[i], err = jsonText(l); err != nil {
			return "", "", "", err
		}
	}
	return out[0], out[1], out[2], nil
}

// CreateApplication stores a with every field; core.ErrConflict if the
// tenant has an application with the same client id, object id or service
// principal id, core.ErrNotFound if the tenant does not exist.
func (o ops) CreateApplication(ctx context.Context, a *core.Application) error {
	web, spa, public, err := uriLists(a)
	if err != nil {
		return err
	}
	_, err = o.wr().ExecContext(ctx, `INSERT INTO applications (`+appCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		a.TenantID, a.AppID, a.ID, a.ServicePrincipalID, a.DisplayName, web, spa, public,
		a.HomePageURL, blob(a.SecretHash), a.IsAdmin, micros(a.CreatedAt), a.AssignmentRequired, audience(a))
	return o.writeErr(err, "create application", "an application with this appId or id already exists")
}

// GetApplication finds an application by its client id.
func (o ops) GetApplication(ctx context.Context, tenantID, appID string) (*core.Application, error) {
	return o.appWhere(ctx, "app_id", tenantID, appID)
}

// audience is a's signInAudience, the default for an application made
// without one.
func audience(a *core.Application) string {
	if a.SignInAudience == "" {
		return core.AudienceMyOrg
	}
	return a.SignInAudience
}

// ApplicationsByClientID searches every tenant: the common endpoint (SPEC
// R31) has a client id and no tenant.
func (o ops) ApplicationsByClientID(ctx context.Context, appID string) ([]core.Application, error) {
	return o.listApps(ctx, "applications by client id", `SELECT `+appCols+` FROM applications
		WHERE app_id = $1 ORDER BY created_at, tenant_id`, appID)
}

func (o ops) ApplicationByID(ctx context.Context, tenantID, objectID string) (*core.Application, error) {
	return o.appWhere(ctx, "object_id", tenantID, objectID)
}

func (o ops) ApplicationByServicePrincipal(ctx context.Context, tenantID, spID string) (*core.Application, error) {
	return o.appWhere(ctx, "service_principal_id", tenantID, spID)
}

// appWhere reads the application whose column col (one of the package's
// own names) is value.
func (o ops) appWhere(ctx context.Context, col, tenantID, value string) (*core.Application, error) {
	var a core.Application
	err := scanApp(o.rd().QueryRowContext(ctx, `SELECT `+appCols+` FROM applications
		WHERE tenant_id = $1 AND `+col+` = $2`, tenantID, value), &a)
	if err != nil {
		return nil, readErr(err, "get application", fmt.Sprintf("the application %s does not exist", value))
	}
	return &a, nil
}

func (o ops) ListApplications(ctx context.Context, tenantID string) ([]core.Application, error) {
	return o.ApplicationsPage(ctx, tenantID, store.Page{})
}

// ApplicationsPage pages by (created_at, app_id), the order of
// ListApplications.
func (o ops) ApplicationsPage(ctx context.Context, tenantID string, p store.Page) ([]core.Application, error) {
	w := where{sql: ` WHERE tenant_id = $1`, args: []any{tenantID}}
	w.after("app_id", p.After)
	query := `SELECT ` + appCols + ` FROM applications` + w.sql + ` ORDER BY created_at, app_id` + w.limit(p.Top)
	return o.listApps(ctx, "list applications", query, w.args...)
}

func (o ops) listApps(ctx context.Context, what, query string, args ...any) ([]core.Application, error) {
	rows, err := o.rd().QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	var list []core.Application
	for rows.Next() {
		var a core.Application
		if err := scanApp(rows, &a); err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: %s: %w", what, err)
		}
		list = append(list, a)
	}
	return list, closeRows(rows, what)
}

func (o ops) UpdateApplication(ctx context.Context, a *core.Application) error {
	web, spa, public, err := uriLists(a)
	if err != nil {
		return err
	}
	res, err := o.wr().ExecContext(ctx, `UPDATE applications SET display_name = $3,
		web_redirect_uris = $4, spa_redirect_uris = $5, public_client_redirect_uris = $6,
		home_page_url = $7, sign_in_audience = $8 WHERE tenant_id = $1 AND app_id = $2`,
		a.TenantID, a.AppID, a.DisplayName, web, spa, public, a.HomePageURL, audience(a))
	if err != nil {
		return fmt.Errorf("sqlstore: update application: %w", err)
	}
	return mustAffect(res, "update application", fmt.Sprintf("the application %s does not exist", a.AppID))
}

func (o ops) DeleteApplication(ctx context.Context, tenantID, appID string) error {
	return o.atomic(ctx, func(q runner) error {
		for _, table := range [...]string{"assignments", "app_secrets"} {
			_, err := q.ExecContext(ctx, `DELETE FROM `+table+` WHERE tenant_id = $1 AND app_id = $2`, tenantID, appID)
			if err != nil {
				return fmt.Errorf("sqlstore: delete application's %s: %w", table, err)
			}
		}
		res, err := q.ExecContext(ctx, `DELETE FROM applications WHERE tenant_id = $1 AND app_id = $2`, tenantID, appID)
		if err != nil {
			return fmt.Errorf("sqlstore: delete application: %w", err)
		}
		return mustAffect(res, "delete application", fmt.Sprintf("the application %s does not exist", appID))
	})
}

const secretCols = `tenant_id, app_id, key_id, display_name, hint, hash, start_at, end_at`

// AddAppSecret: a missing application is the foreign key's violation.
func (o ops) AddAppSecret(ctx context.Context, s *core.AppSecret) error {
	_, err := o.wr().ExecContext(ctx, `INSERT INTO app_secrets (`+secretCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		s.TenantID, s.AppID, s.KeyID, s.DisplayName, s.Hint, blob(s.Hash),
		micros(s.StartAt), micros(s.EndAt))
	if err != nil && o.h.d.isForeignKey(err) {
		return core.NotFoundf("the application %s does not exist", s.AppID)
	}
	return o.writeErr(err, "add application secret", "the application has a secret with this keyId")
}

func (o ops) AppSecrets(ctx context.Context, tenantID, appID string) ([]core.AppSecret, error) {
	rows, err := o.rd().QueryContext(ctx, `SELECT `+secretCols+` FROM app_secrets
		WHERE tenant_id = $1 AND app_id = $2 ORDER BY start_at, key_id`, tenantID, appID)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: application secrets: %w", err)
	}
	var list []core.AppSecret
	for rows.Next() {
		var s core.AppSecret
		err := rows.Scan(&s.TenantID, &s.AppID, &s.KeyID, &s.DisplayName, &s.Hint, &s.Hash,
			timeCol{&s.StartAt}, timeCol{&s.EndAt})
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlstore: application secrets: %w", err)
		}
		list = append(list, s)
	}
	return list, closeRows(rows, "application secrets")
}

func (o ops) RemoveAppSecret(ctx context.Context, tenantID, appID, keyID string) error {
	res, err := o.wr().ExecContext(ctx, `DELETE FROM app_secrets
		WHERE tenant_id = $1 AND app_id = $2 AND key_id = $3`, tenantID, appID, keyID)
	if err != nil {
		return fmt.Errorf("sqlstore: remove application secret: %w", err)
	}
	return mustAffect(res, "remove application secret",
		fmt.Sprintf("the application has no password credential with keyId %s", keyID))
}

const assignmentCols = `tenant_id, id, user_id, app_id, created_at`

// CreateAssignment: the unique index on (tenant, user, application) makes
// a second assignment a conflict; a missing user or application is a
// foreign key violation.
func (o ops) CreateAssignment(ctx context.Context, a *core.Assignment) error {
	_, err := o.wr().ExecContext(ctx, `INSERT INTO assignments (`+assignmentCols+`)
		VALUES ($1, $2, $3, $4, $5)`, a.TenantID, a.ID, a.UserID, a.AppID, micros(a.CreatedAt))
	if err != nil && o.h.d.isForeignKey(err) {
		return core.NotFoundf("the user %s or the application %s does not exist", a.UserID, a.AppID)
	}
	return o.writeErr(err, "create assignment", "the user is already assigned to this application")
}

func (o ops) DeleteAssignment(ctx context.Context, tenantID, userID, id string) error {
	res, err := o.wr().ExecContext(ctx, `DELETE FROM assignments
		WHERE tenant_id = $1 AND user_id = $2 AND id = $3`, tenantID, userID, id)
	if err != nil {
		return fmt.Errorf("sqlstore: delete assignment: %w", err)
	}
	return mustAffect(res, "delete assignment", fmt.Sprintf("the user has no app role assignment %s", id))
}

func (o ops) UserAssignments(ctx context.Context, tenantID, userID string) ([]core.Assignment, error) {
	return o.UserAssignmentsPage(ctx, tenantID, userID, store.Page{})
}

func (o ops) UserAssignmentsPage(ctx context.Context, tenantID, userID string, p store.Page) ([]core.Assignment, error) {
	return o.listAssignments(ctx, "user assignments", "user_id", tenantID, userID, p)
}

func (o ops) IsAssigned(ctx context.Context, tenantID, userID, appID string) (bool, error) {
	var n int
	err := o.rd().QueryRowContext(ctx, `SELECT COUNT(*) FROM assignments
		WHERE tenant_id = $1 AND user_id = $2 AND app_id = $3`, tenantID, userID, appID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("sqlstore: is assigned: %w", mark(err))
	}
	return n > 0, nil
}

func (o ops) SetLastSignIn(ctx context.Context, tenantID, userID string, at time.Time) error {
	res, err := o.wr().ExecContext(ctx, `UPDATE users SET last_sign_in_at = $3
		WHERE tenant_id = $1 AND id = $2`, tenantID, userID, micros(at))
	if err != nil {
		return fmt.Errorf("sqlstore: set last sign-in: %w", err)
	}
	return mustAffect(res, "set last sign-in", fmt.Sprintf("the user %s does not exist", userID))
}
