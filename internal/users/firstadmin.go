package users

import (
	"context"

	"github.com/google/uuid"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// CreatePasswordlessMember creates, in tx, an enabled member of t whose
// user principal name is upn, with no password yet: they set one from a
// mailed link (SPEC R43, the first administrator). upn follows
// CreateMember's rules — one of the tenant's verified domains, never the
// initial domain, which receives no mail. The display name is the local
// part of the address until the member changes it. Errors: core.ErrInvalid
// with Graph's message (the caller's transaction should then be undone).
func (s *Service) CreatePasswordlessMember(ctx context.Context, tx store.Tx, t *core.Tenant, upn string) (*core.User, error) {
	addr, err := memberAddress(t, upn)
	if err != nil {
		return nil, err
	}
	u := core.User{
		TenantID: t.ID, ID: uuid.NewString(), CreatedAt: s.now(),
		DisplayName: addr.Local, Mail: addr.String(), MailKey: addr.Key(), UserPrincipalName: addr.String(),
		UserType: core.UserTypeMember, Method: core.MethodPassword,
		Identities: []core.Identity{{SignInType: "userPrincipalName", Issuer: t.InitialDomain, IssuerAssignedID: addr.String()}},
	}
	if err := s.insertMember(ctx, tx, t, addr, &u, nil); err != nil {
		return nil, err
	}
	return &u, nil
}
