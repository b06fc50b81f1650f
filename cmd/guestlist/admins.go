package main

import (
	"context"
	"fmt"
	"log/slog"

	"guestlist/internal/admins"
)

// adminLinkCmd mails an administrator a new set-password link (SPEC R43).
type adminLinkCmd struct {
	common
	Tenant string `required:"" help:"Tenant id or domain."`
	Email  string `required:"" help:"The administrator's address (their user principal name)."`
}

func (c *adminLinkCmd) Run(ctx context.Context, log *slog.Logger) error {
	srv, err := quietServer(ctx, c.common, log)
	if err != nil {
		return err
	}
	defer srv.Close()
	t, err := srv.Tenants.Resolve(ctx, c.Tenant)
	if err != nil {
		return err
	}
	admin, err := srv.Admins.SendLinkTo(ctx, t.ID, c.Email)
	if err != nil {
		return err
	}
	printAdmin(admin)
	return nil
}

// printAdmin says to whom a link was mailed and until when it works; the
// link itself is only in the mail.
func printAdmin(a *admins.Admin) {
	fmt.Printf("admin user id:  %s\nadmin:          %s\nlink mailed, expires %s\n",
		a.User.ID, a.User.UserPrincipalName, a.LinkExpires.UTC().Format("2006-01-02 15:04 UTC"))
}
