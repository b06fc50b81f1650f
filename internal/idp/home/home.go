// Package home is the home-tenant method (SPEC R10 step 1): a guest whose
// address is in a domain verified by another tenant of this deployment,
// where they are a member, signs in with that membership's password.
package home

import (
	"context"
	"errors"
	"fmt"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/idp/account"
	"guestlist/internal/store"
)

// Method signs a guest in with their home tenant's password.
type Method struct {
	st store.Store
	v  *account.Verifier
}

// New returns the home-tenant method.
func New(st store.Store, v *account.Verifier) *Method { return &Method{st: st, v: v} }

var _ idp.Method = (*Method)(nil)

// Kind is core.MethodHomeTenant.
func (m *Method) Kind() core.Method { return core.MethodHomeTenant }

// Home is the tenant other than tenant that verified the address's
// domain, or nil when there is none (the consumers tenant verifies no
// domain).
func Home(ctx context.Context, st store.Store, tenant *core.Tenant, addr core.Address) (*core.Tenant, error) {
	h, err := st.TenantByDomain(ctx, addr.Domain)
	if errors.Is(err, core.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if h.ID == tenant.ID || h.ID == core.ConsumersTenantID || h.InitialDomain == addr.Domain {
		return nil, nil
	}
	return h, nil
}

// Applies when another tenant verified the address's domain and has an
// enabled member with this address (R10 step 1).
func (m *Method) Applies(ctx context.Context, tenant *core.Tenant, addr core.Address) (idp.Verdict, error) {
	h, err := Home(ctx, m.st, tenant, addr)
	if err != nil {
		return idp.Verdict{}, err
	}
	if h == nil {
		return idp.Verdict{Reason: fmt.Sprintf("%s is not a verified domain of another organization of this deployment", addr.Domain)}, nil
	}
	u, _, err := m.st.PasswordByMail(ctx, h.ID, addr.Key())
	switch {
	case errors.Is(err, core.ErrNotFound):
		return idp.Verdict{Reason: fmt.Sprintf("%s is a verified domain of %s, which has no member with this address", addr.Domain, h.DisplayName)}, nil
	case err != nil:
		return idp.Verdict{}, err
	case u.UserType != core.UserTypeMember:
		return idp.Verdict{Reason: fmt.Sprintf("%s is a verified domain of %s, where this address is not a member", addr.Domain, h.DisplayName)}, nil
	case u.Blocked:
		return idp.Verdict{Reason: fmt.Sprintf("%s is a verified domain of %s, whose member with this address is blocked from signing in", addr.Domain, h.DisplayName)}, nil
	}
	return idp.Verdict{OK: true, Reason: fmt.Sprintf("%s is a verified domain of %s, which has a member with this address", addr.Domain, h.DisplayName)}, nil
}

// Begin has nothing to send: the page asks for the password.
func (m *Method) Begin(context.Context, idp.Start) (idp.Began, error) { return idp.Began{}, nil }

// Complete checks the password against the flow's address at its home
// tenant. Errors: *idp.Throttled.
func (m *Method) Complete(ctx context.Context, tenant *core.Tenant, flow *core.Flow, a idp.Answer) (idp.Proof, error) {
	addr, err := core.ParseAddress(flow.Email)
	if err != nil {
		return nil, fmt.Errorf("home: flow address: %w", err)
	}
	h, err := Home(ctx, m.st, tenant, addr)
	if err != nil {
		return nil, err
	}
	return m.v.Prove(ctx, core.MethodHomeTenant, h, addr, a.Secret, a.ClientIP)
}
