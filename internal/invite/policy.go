package invite

import (
	"context"
	"slices"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/store"
)

// errInvitesOff is Graph's refusal when authorizationPolicy's
// allowInvitesFrom is none.
var errInvitesOff = core.Errorf(core.ErrForbidden, "Authorization_RequestDenied",
	"Insufficient privileges to complete the operation.")

// mayInvite applies the tenant's policies that do not depend on the user:
// who may invite, and that an address of the tenant's own domains is a
// member's, created with POST /v1.0/users, never a guest's, as in Entra.
// Invitations through the Graph API come from the tenant's admin
// application, which counts as an administrator: only "none" refuses
// them. (Members inviting, which the other values tell apart, come with
// the console.) addr is nil for a reset that keeps the address.
func mayInvite(tenant *core.Tenant, addr *core.Address) error {
	if tenant.InvitesFrom() == core.InvitesNone {
		return errInvitesOff
	}
	if addr != nil && tenant.OwnsDomain(addr.Domain) {
		return core.Invalidf("invitedUserEmailAddress: %s is in a domain of this tenant (%s); create members with POST /v1.0/users instead of inviting them",
			addr.String(), addr.Domain)
	}
	return nil
}

// domainRule applies the tenant's guest domain list (R9) to a guest who
// is to redeem: one who already did keeps their access and may be invited
// again.
func domainRule(tenant *core.Tenant, u *core.User) error {
	if u.ExternalUserState == core.StateAccepted {
		return nil
	}
	addr, err := core.ParseAddress(u.Mail)
	if err != nil {
		return nil
	}
	if why := tenant.GuestDomains.Refusal(addr.Domain); why != "" {
		return core.Invalidf("invitedUserEmailAddress: %s cannot be invited: %s (B2B management policy)", u.Mail, why)
	}
	return nil
}

// SetInvitesFrom sets authorizationPolicy's allowInvitesFrom, on its own.
// Errors: core.ErrInvalid, core.ErrNotFound.
func (s *Service) SetInvitesFrom(ctx context.Context, tenantID, value string) error {
	if !slices.Contains(core.InvitesFromValues(), value) {
		return core.Invalidf("allowInvitesFrom must be none, adminsAndGuestInviters, adminsGuestInvitersAndAllMembers or everyone")
	}
	return s.st.InTx(ctx, func(tx store.Tx) error {
		if err := tx.SetInvitesFrom(ctx, tenantID, value); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), tenantID, audit.UpdateAuthzPolicy,
			audit.Policy("authorizationPolicy", "Authorization Policy", audit.Set("allowInvitesFrom", nil, value)))
	})
}
