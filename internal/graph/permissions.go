package graph

import (
	"context"
	"net/http"
	"slices"

	"guestlist/internal/core"
)

// Application permissions (the roles claim of an admin application's
// token) that routes require, as Graph names them. Routes that name none
// need only a valid token of the tenant.
const (
	idpRead      = "IdentityProvider.Read.All"
	idpReadWrite = "IdentityProvider.ReadWrite.All"
	// Graph also lets Domain.* read and write federationConfigurations.
	domainRead      = "Domain.Read.All"
	domainReadWrite = "Domain.ReadWrite.All"
	roleRead        = "RoleManagement.Read.Directory"
	roleReadWrite   = "RoleManagement.ReadWrite.Directory"
)

type rolesKey struct{}

func withRoles(ctx context.Context, roles []string) context.Context {
	return context.WithValue(ctx, rolesKey{}, roles)
}

// requires wraps h so it runs only for a token holding one of perms;
// others get Graph's 403.
func requires(h handler, perms ...string) handler {
	return func(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
		if err := permitted(r.Context(), perms); err != nil {
			return err
		}
		return h(w, r, t)
	}
}

// permitted: the request's token holds one of perms.
func permitted(ctx context.Context, perms []string) error {
	roles, _ := ctx.Value(rolesKey{}).([]string)
	for _, p := range perms {
		if slices.Contains(roles, p) {
			return nil
		}
	}
	return core.Errorf(core.ErrForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation: the token needs one of the application permissions %v.", perms)
}
