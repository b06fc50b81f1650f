// Package fake is a hand-written idp.Method for table tests of the sign-in
// engine: it applies or not as told, begins without side effects, and
// accepts one secret.
package fake

import (
	"context"
	"errors"
	"sync"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/store"
)

// ErrWrong is the rejection of an answer other than Method.Secret.
var ErrWrong = errors.New("fake: wrong secret")

// Method is a method of kind K. The zero Verdict does not apply.
type Method struct {
	K       core.Method
	Verdict idp.Verdict
	Secret  string // the one answer that proves
	Began   idp.Began
	// Subject and MustChange are what a holding proof reports.
	Subject    string
	MustChange bool

	mu     sync.Mutex
	starts []idp.Start
	spent  int
}

var _ idp.Method = (*Method)(nil)

// Kind is K.
func (m *Method) Kind() core.Method { return m.K }

// Applies answers Verdict for every tenant and address.
func (m *Method) Applies(context.Context, *core.Tenant, core.Address) (idp.Verdict, error) {
	return m.Verdict, nil
}

// Begin records s and answers Began.
func (m *Method) Begin(_ context.Context, s idp.Start) (idp.Began, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.starts = append(m.starts, s)
	return m.Began, nil
}

// Complete returns a proof that holds when a.Secret is Secret.
func (m *Method) Complete(_ context.Context, _ *core.Tenant, _ *core.Flow, a idp.Answer) (idp.Proof, error) {
	return &proof{m: m, ok: a.Secret == m.Secret}, nil
}

// Starts is what Begin was called with, in order.
func (m *Method) Starts() []idp.Start {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]idp.Start(nil), m.starts...)
}

// Spent is how many proofs were checked and held.
func (m *Method) Spent() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.spent
}

type proof struct {
	m  *Method
	ok bool
}

func (p *proof) Method() core.Method { return p.m.K }

// Subject is the method's Subject.
func (p *proof) Subject() string { return p.m.Subject }

// MustChange is the method's MustChange.
func (p *proof) MustChange() bool { return p.m.MustChange }

// Check counts a holding proof as spent. A transaction that rolls back
// after it still counts: tests read Spent together with what the store
// kept.
func (p *proof) Check(context.Context, store.Tx) (rejected, err error) {
	if !p.ok {
		return ErrWrong, nil
	}
	p.m.mu.Lock()
	p.m.spent++
	p.m.mu.Unlock()
	return nil, nil
}
