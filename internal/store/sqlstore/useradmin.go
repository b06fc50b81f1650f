package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"guestlist/internal/store"
)

// userAdminCols are the users columns an administrator sets (migration
// 00010), in the order scanUser reads them.
const userAdminCols = `account_enabled, given_name, surname, job_title, office_location,
	mobile_phone, business_phones`

// phonesOf keeps an empty list from being stored as JSON null.
func phonesOf(p []string) []string {
	if p == nil {
		return []string{}
	}
	return p
}

// SetUserMail relies on the unique (tenant, mail key) index: of two
// writers giving two users one address, the second gets core.ErrConflict.
func (o ops) SetUserMail(ctx context.Context, tenantID, userID, mail, mailKey, upn string) error {
	res, err := o.wr().ExecContext(ctx, `UPDATE users SET mail = $3, mail_key = $4, user_principal_name = $5
		WHERE tenant_id = $1 AND id = $2`, tenantID, userID, mail, mailKey, upn)
	if err = o.writeErr(err, "set user mail", "another user of this tenant already has this email address"); err != nil {
		return err
	}
	return mustAffect(res, "set user mail", fmt.Sprintf("the user %s does not exist", userID))
}

// PatchUser builds its SET list from the fields p sets; the column names
// are the package's own, every value is bound.
func (o ops) PatchUser(ctx context.Context, tenantID, userID string, p store.UserPatch) error {
	args := []any{tenantID, userID}
	var set []string
	add := func(col string, v any) {
		args = append(args, v)
		set = append(set, col+" = $"+strconv.Itoa(len(args)))
	}
	for _, f := range []struct {
		col string
		v   *string
	}{
		{"display_name", p.DisplayName}, {"user_type", p.UserType}, {"preferred_language", p.PreferredLanguage},
		{"given_name", p.GivenName}, {"surname", p.Surname}, {"job_title", p.JobTitle},
		{"office_location", p.OfficeLocation}, {"mobile_phone", p.MobilePhone},
	} {
		if f.v != nil {
			add(f.col, *f.v)
		}
	}
	if p.Blocked != nil {
		add("account_enabled", !*p.Blocked)
	}
	if p.BusinessPhones != nil {
		phones, err := jsonText(phonesOf(*p.BusinessPhones))
		if err != nil {
			return err
		}
		add("business_phones", phones)
	}
	missing := fmt.Sprintf("the user %s does not exist", userID)
	if len(set) == 0 { // nothing to write; the user must still exist
		_, err := o.GetUser(ctx, tenantID, userID)
		return err
	}
	res, err := o.wr().ExecContext(ctx, `UPDATE users SET `+strings.Join(set, ", ")+`
		WHERE tenant_id = $1 AND id = $2`, args...)
	if err != nil {
		return fmt.Errorf("sqlstore: patch user: %w", err)
	}
	return mustAffect(res, "patch user", missing)
}
