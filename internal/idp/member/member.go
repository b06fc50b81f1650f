// Package member is a member's sign-in to their own tenant with their
// password (SPEC R41 users). It is not a way to redeem: members are not
// guests, and the redemption order (R10) does not rank it.
package member

import (
	"context"
	"fmt"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/idp/account"
)

// Method signs a member in to the tenant of the flow.
type Method struct {
	v *account.Verifier
}

// New returns the member method.
func New(v *account.Verifier) *Method { return &Method{v: v} }

var _ idp.Method = (*Method)(nil)

// Kind is core.MethodPassword.
func (m *Method) Kind() core.Method { return core.MethodPassword }

// Applies to the addresses of the tenant's verified domains.
func (m *Method) Applies(_ context.Context, tenant *core.Tenant, addr core.Address) (idp.Verdict, error) {
	for _, d := range tenant.Domains {
		if d == addr.Domain {
			return idp.Verdict{OK: true, Reason: fmt.Sprintf("%s is a verified domain of this organization", addr.Domain)}, nil
		}
	}
	return idp.Verdict{Reason: fmt.Sprintf("%s is not a verified domain of this organization", addr.Domain)}, nil
}

// Begin has nothing to send: the page asks for the password.
func (m *Method) Begin(context.Context, idp.Start) (idp.Began, error) { return idp.Began{}, nil }

// Complete checks the password of the flow address's member of the
// tenant. Errors: *idp.Throttled.
func (m *Method) Complete(ctx context.Context, tenant *core.Tenant, flow *core.Flow, a idp.Answer) (idp.Proof, error) {
	addr, err := core.ParseAddress(flow.Email)
	if err != nil {
		return nil, fmt.Errorf("member: flow address: %w", err)
	}
	return m.v.Prove(ctx, core.MethodPassword, tenant, addr, a.Secret, a.ClientIP)
}
