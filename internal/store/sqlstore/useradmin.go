package sqlstore

import (
	"context"
	"fmt"
)

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
