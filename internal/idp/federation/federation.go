package federation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// Protocol is one federation protocol's half of a sign-in.
type Protocol interface {
	// Redirect fills in req's RequestID (the SAML request ID or OpenID
	// nonce) and Verifier (PKCE), and returns the URL that sends the
	// browser to p with it; relay is the state or RelayState the answer
	// comes back with. Errors: *Error.
	Redirect(ctx context.Context, p *core.IdentityProvider, req *core.FederationRequest, relay string) (string, error)
	// Verify checks the provider's answer to req (its query or form
	// values) and returns who it asserts. Errors: *Error.
	Verify(ctx context.Context, p *core.IdentityProvider, req *core.FederationRequest, params map[string]string) (core.FederationResult, error)
}

// Finder finds the provider that serves an address in a tenant, or nil
// with the reason it has none (R14).
type Finder func(ctx context.Context, st store.Store, tenant *core.Tenant, addr core.Address) (*core.IdentityProvider, string, error)

// RequestTTL is how long a guest has at their provider.
const RequestTTL = 15 * time.Minute

// relayPurpose keys the hash of a state or RelayState.
const relayPurpose = "federation-relay"

// Broker keeps the requests sent to providers and takes their answers,
// for every federated method of the deployment.
type Broker struct {
	st        store.Store
	keys      *platform.Keyring
	now       platform.Clock
	protocols map[core.ProviderKind]Protocol
}

// NewBroker returns a broker speaking the given protocols (a provider of
// a kind without one cannot be used).
func NewBroker(st store.Store, keys *platform.Keyring, now platform.Clock, protocols map[core.ProviderKind]Protocol) *Broker {
	return &Broker{st: st, keys: keys, now: now, protocols: protocols}
}

// Method is one federated method of R10: the tenant's SAML and OpenID
// partners by domain (MethodFederation), or Google (MethodGoogle).
type Method struct {
	b    *Broker
	kind core.Method
	find Finder
}

// Method returns the method kind, whose provider for an address find
// finds.
func (b *Broker) Method(kind core.Method, find Finder) *Method {
	return &Method{b: b, kind: kind, find: find}
}

var _ idp.Method = (*Method)(nil)

// Kind is the method's kind.
func (m *Method) Kind() core.Method { return m.kind }

// Applies when the tenant has a provider for the address that this
// deployment can speak to.
func (m *Method) Applies(ctx context.Context, tenant *core.Tenant, addr core.Address) (idp.Verdict, error) {
	p, reason, err := m.find(ctx, m.b.st, tenant, addr)
	if err != nil || p == nil {
		return idp.Verdict{Reason: reason}, err
	}
	if m.b.protocols[p.Kind] == nil {
		return idp.Verdict{Reason: fmt.Sprintf("%s: this deployment does not speak %s", p.DisplayName, p.Kind)}, nil
	}
	return idp.Verdict{OK: true, Reason: reason}, nil
}

// Begin sends the browser to the provider. It goes through the motions
// for every address of the provider's domains, invited or not (R25):
// what the address may do is told once the provider proved it.
func (m *Method) Begin(ctx context.Context, s idp.Start) (idp.Began, error) {
	addr, err := core.ParseAddress(s.Flow.Email)
	if err != nil {
		return idp.Began{}, fmt.Errorf("federation: flow address: %w", err)
	}
	p, _, err := m.find(ctx, m.b.st, s.Tenant, addr)
	if err != nil {
		return idp.Began{}, err
	}
	if p == nil {
		return idp.Began{}, &Error{Problem: NoProvider, Err: errors.New("no identity provider serves " + addr.Domain)}
	}
	proto := m.b.protocols[p.Kind]
	if proto == nil {
		return idp.Began{}, &Error{Problem: NoProvider, Provider: p.DisplayName, Err: fmt.Errorf("no %s protocol", p.Kind)}
	}
	relay := platform.NewToken()
	now := m.b.now()
	req := &core.FederationRequest{
		TenantID: s.Tenant.ID, ID: m.b.keys.HashID(relayPurpose, relay), FlowID: s.Flow.ID, ProviderID: p.ID,
		CreatedAt: now, ExpiresAt: now.Add(RequestTTL),
	}
	url, err := proto.Redirect(ctx, p, req, relay)
	if err != nil {
		return idp.Began{}, named(err, p)
	}
	if err := m.b.st.CreateFederationRequest(ctx, req); err != nil {
		return idp.Began{}, err
	}
	return idp.Began{RedirectURL: url}, nil
}

var _ idp.Callback = (*Broker)(nil)

// Answer takes a provider's answer, which came back with relay (the
// state or RelayState), verifies it and parks what the provider asserted
// on the request, for the flow that began it. It returns the flow's id
// even when the answer is refused, so that the refusal can be logged for
// that flow; "" when relay names no live request. Errors: *Error.
func (b *Broker) Answer(ctx context.Context, tenant *core.Tenant, relay string, params map[string]string) (string, core.Method, error) {
	kind := core.MethodFederation
	req, p, err := b.answer(ctx, tenant, relay, params)
	if p != nil {
		kind = p.Kind.Method()
	}
	if req == nil {
		return "", kind, err
	}
	return req.FlowID, kind, err
}

func (b *Broker) answer(ctx context.Context, tenant *core.Tenant, relay string, params map[string]string) (*core.FederationRequest, *core.IdentityProvider, error) {
	if relay == "" {
		return nil, nil, &Error{Problem: Expired, Err: errors.New("the answer has no state")}
	}
	req, err := b.st.GetFederationRequest(ctx, tenant.ID, b.keys.HashID(relayPurpose, relay), b.now())
	if errors.Is(err, core.ErrNotFound) {
		return nil, nil, &Error{Problem: Expired, Err: errors.New("no sign-in is waiting for this answer (expired, used, or never sent)")}
	} else if err != nil {
		return nil, nil, err
	}
	p, err := b.st.GetIdentityProvider(ctx, tenant.ID, req.ProviderID)
	if errors.Is(err, core.ErrNotFound) {
		return req, nil, &Error{Problem: NoProvider, Err: errors.New("the identity provider was removed during the sign-in")}
	} else if err != nil {
		return req, nil, err
	}
	proto := b.protocols[p.Kind]
	if proto == nil {
		return req, p, &Error{Problem: NoProvider, Provider: p.DisplayName, Err: fmt.Errorf("no %s protocol", p.Kind)}
	}
	res, err := proto.Verify(ctx, p, req, params)
	if err != nil {
		return req, p, named(err, p)
	}
	if err := b.st.SetFederationResult(ctx, tenant.ID, req.ID, res); err != nil {
		if errors.Is(err, core.ErrConflict) || errors.Is(err, core.ErrNotFound) {
			return req, p, &Error{Problem: Expired, Provider: p.DisplayName, Err: err}
		}
		return req, p, err
	}
	req.Result = &res
	return req, p, nil
}

// Complete takes the answer parked on the flow (Answer): the proof that
// the guest is who the provider asserted, if that is the flow's address.
// Errors: *Error (no answer for this flow, or another address).
func (m *Method) Complete(ctx context.Context, tenant *core.Tenant, flow *core.Flow, _ idp.Answer) (idp.Proof, error) {
	req, err := m.b.st.AnsweredFederationRequest(ctx, tenant.ID, flow.ID, m.b.now())
	if errors.Is(err, core.ErrNotFound) {
		// Never answered, or answered for a flow this browser does not
		// hold (a response posted into someone else's browser).
		return nil, &Error{Problem: NoAnswer, Err: errors.New("no answer from the identity provider for this sign-in")}
	} else if err != nil {
		return nil, err
	}
	p, err := m.b.st.GetIdentityProvider(ctx, tenant.ID, req.ProviderID)
	name := ""
	if err == nil {
		name = p.DisplayName
	} else if !errors.Is(err, core.ErrNotFound) {
		return nil, err
	}
	if !SameAddress(req.Result.Email, flow.Email) {
		// Spent, so a wrong account is not tried twice.
		if err := m.b.st.DeleteFederationRequest(ctx, tenant.ID, req.ID); err != nil && !errors.Is(err, core.ErrNotFound) {
			return nil, err
		}
		return nil, &Error{Problem: Mismatch, Provider: name, Expected: flow.Email, Got: req.Result.Email,
			Err: fmt.Errorf("the identity provider signed in %q, not %q", req.Result.Email, flow.Email)}
	}
	return &proof{kind: m.kind, req: req}, nil
}

// SecretAAD is what a provider's sealed client secret is bound to
// (platform.Keyring.Seal): the tenant and the provider.
func SecretAAD(tenantID, providerID string) string {
	return "identity-provider/" + tenantID + "/" + providerID
}

// SameAddress reports whether a and b are the same address, compared as
// addresses are everywhere (case-insensitively, IDN-normalised). An
// address that does not parse matches nothing.
func SameAddress(a, b string) bool {
	pa, err := core.ParseAddress(a)
	if err != nil {
		return false
	}
	pb, err := core.ParseAddress(b)
	return err == nil && pa.Key() == pb.Key()
}

// proof is a provider's parked answer; it is spent in the engine's
// transaction.
type proof struct {
	kind core.Method
	req  *core.FederationRequest
}

func (p *proof) Method() core.Method { return p.kind }
func (p *proof) Subject() string     { return p.req.Result.Subject }
func (p *proof) MustChange() bool    { return false }

// Issuer is the provider's issuer, which the guest's identity carries.
func (p *proof) Issuer() string { return p.req.Result.Issuer }

// Check spends the answer: a second page load with the same one is
// refused.
func (p *proof) Check(ctx context.Context, tx store.Tx) (error, error) {
	err := tx.DeleteFederationRequest(ctx, p.req.TenantID, p.req.ID)
	if errors.Is(err, core.ErrNotFound) {
		return &Error{Problem: NoAnswer, Err: errors.New("the identity provider's answer was already used")}, nil
	}
	return nil, err
}
