// Package personal is the personal-account method (SPEC R10 steps 4 and
// 6): an account of the deployment's consumers tenant, an address and a
// password, that a guest of any tenant may redeem with.
package personal

import (
	"context"
	"errors"
	"fmt"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/idp/account"
	"guestlist/internal/store"
)

// Method signs a guest in with their personal account's password. A
// deployment that offers no personal accounts (the government profile,
// R40) does not have it.
type Method struct {
	st store.Store
	v  *account.Verifier
}

// New returns the personal-account method.
func New(st store.Store, v *account.Verifier) *Method { return &Method{st: st, v: v} }

var _ idp.Method = (*Method)(nil)

// Kind is core.MethodPersonal.
func (m *Method) Kind() core.Method { return core.MethodPersonal }

// Applies when the address has an enabled personal account (R10 step 4).
func (m *Method) Applies(ctx context.Context, _ *core.Tenant, addr core.Address) (idp.Verdict, error) {
	u, _, err := m.st.PasswordByMail(ctx, core.ConsumersTenantID, addr.Key())
	switch {
	case errors.Is(err, core.ErrNotFound):
		return idp.Verdict{Reason: "no personal account has this address"}, nil
	case err != nil:
		return idp.Verdict{}, err
	case u.Blocked:
		return idp.Verdict{Reason: "the personal account with this address is blocked"}, nil
	}
	return idp.Verdict{OK: true, Reason: "a personal account has this address"}, nil
}

// Begin has nothing to send: the page asks for the password.
func (m *Method) Begin(context.Context, idp.Start) (idp.Began, error) { return idp.Began{}, nil }

// Complete checks the password of the flow address's personal account.
// Errors: *idp.Throttled.
func (m *Method) Complete(ctx context.Context, _ *core.Tenant, flow *core.Flow, a idp.Answer) (idp.Proof, error) {
	addr, err := core.ParseAddress(flow.Email)
	if err != nil {
		return nil, fmt.Errorf("personal: flow address: %w", err)
	}
	consumers := &core.Tenant{ID: core.ConsumersTenantID}
	return m.v.Prove(ctx, core.MethodPersonal, consumers, addr, a.Secret, a.ClientIP)
}
