package redeem

import (
	"context"
	"slices"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/store"
)

// ErrDomainRefused: the tenant's guest domain list (R9) refuses the
// address of a guest who has not redeemed yet. Told to whoever holds the
// redeem link or has proved the address, never before (R25).
var ErrDomainRefused = core.Errorf(core.ErrForbidden, "Authorization_RequestDenied",
	"the organization does not accept guests from this email domain")

// B2BPolicy is what a B2B management policy document sets (R9, R28).
// A nil field is left as it is.
type B2BPolicy struct {
	// OTP is whether PreviewPolicy's Features hold OneTimePasscode: the
	// email OTP setting itself, one truth with the email policy (R28).
	OTP *bool
	// Domains is the guest domain list; the zero value is no list.
	Domains *core.GuestDomains
}

// SetB2BPolicy writes what p sets, in one transaction. The domain list
// applies to invitations and redemptions from now on; guests who already
// redeemed keep their access (R9). OTP changes the email OTP setting only
// when it differs from what guests get now, through the same path as the
// email policy, so turning it off ends OTP guests' access at once (R26):
// on sets allowExternalIdToUseEmailOtp and the method's state to enabled,
// off sets allowExternalIdToUseEmailOtp to disabled. It returns the tenant
// as stored. Errors: core.ErrInvalid naming the bad entry,
// core.ErrNotFound.
func (s *Service) SetB2BPolicy(ctx context.Context, tenantID string, p B2BPolicy) (*core.Tenant, error) {
	if p.Domains != nil {
		g, err := normaliseDomains(*p.Domains)
		if err != nil {
			return nil, err
		}
		p.Domains = &g
	}
	var out *core.Tenant
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		if p.Domains != nil {
			if err := tx.SetGuestDomains(ctx, tenantID, *p.Domains); err != nil {
				return err
			}
			err := audit.Record(ctx, tx, s.now(), tenantID, audit.UpdateB2BPolicy, audit.Policy("b2bManagementPolicy",
				"B2BManagementPolicy", audit.Set("InvitationsAllowedAndBlockedDomainsPolicy", nil, *p.Domains)))
			if err != nil {
				return err
			}
		}
		t, err := tx.GetTenant(ctx, tenantID)
		if err != nil {
			return err
		}
		out = t
		if p.OTP == nil || *p.OTP == s.deploy.EmailOTPEnabled(t, s.now()) {
			return nil
		}
		enabled, disabled := core.OTPEnabled, core.OTPDisabled
		c := EmailOTPChange{Allow: &disabled}
		if *p.OTP {
			c = EmailOTPChange{Allow: &enabled, State: &enabled}
		}
		out, err = s.applyEmailOTP(ctx, tx, tenantID, c)
		return err
	})
	return out, err
}

// normaliseDomains checks and normalises a guest domain list: each entry a
// domain or *.domain (IDN to ASCII, lower case), repeats dropped; an
// empty list is no list.
func normaliseDomains(g core.GuestDomains) (core.GuestDomains, error) {
	name := "AllowedDomains"
	switch g.Kind {
	case core.DomainsAllowed:
	case core.DomainsBlocked:
		name = "BlockedDomains"
	case "":
		if len(g.Domains) == 0 {
			return g, nil
		}
		return g, core.Invalidf("a domain list must be AllowedDomains or BlockedDomains")
	default:
		return g, core.Invalidf("unknown domain list kind %q", g.Kind)
	}
	out := core.GuestDomains{Kind: g.Kind}
	for _, d := range g.Domains {
		n, err := core.GuestDomainPattern(d)
		if err != nil {
			return g, core.Invalidf("%s: %s", name, err.Error())
		}
		if !slices.Contains(out.Domains, n) {
			out.Domains = append(out.Domains, n)
		}
	}
	if len(out.Domains) == 0 {
		return core.GuestDomains{}, nil
	}
	return out, nil
}

// domainRefused reports whether the tenant's guest domain list refuses u
// now: only a guest who has not redeemed can be refused (R9).
func domainRefused(t *core.Tenant, u *core.User) bool {
	if Redeemed(u) || t.GuestDomains.Kind == "" {
		return false
	}
	addr, err := core.ParseAddress(u.Mail)
	return err == nil && t.GuestDomains.Refusal(addr.Domain) != ""
}

// admitted applies the guest domain list at consent, read again in tx:
// it may have changed since the flow started, and a typed sign-in could
// not be told before the proof (R9, R25). Errors: ErrDomainRefused.
func admitted(ctx context.Context, tx store.Tx, tenantID string, u *core.User) error {
	t, err := tx.GetTenant(ctx, tenantID)
	if err != nil {
		return err
	}
	if domainRefused(t, u) {
		return ErrDomainRefused
	}
	return nil
}
