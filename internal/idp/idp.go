package idp

import (
	"context"
	"fmt"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// Method is one way of proving who a guest is. A password method fits by
// asking for a secret in Begin and checking it in Complete; a
// redirect-based federation by answering Begin with a RedirectURL and
// reading the provider's answer from Answer.Params in Complete.
type Method interface {
	// Kind is the method's place in the precedence order (R10) and what a
	// guest who redeems with it is locked to (R11).
	Kind() core.Method
	// Applies says whether the method can serve address in tenant now,
	// with a reason an administrator can read (the explainer, R14).
	// It never tells a guest anything (R25).
	Applies(ctx context.Context, tenant *core.Tenant, address core.Address) (Verdict, error)
	// Begin starts proving for a flow: a mailed code, a password form, a
	// redirect to the provider.
	Begin(ctx context.Context, s Start) (Began, error)
	// Complete turns the guest's answer into a proof, which the engine
	// checks and records in its own transaction. An answer that cannot be
	// a proof at all (a malformed code) is refused here with an error.
	Complete(ctx context.Context, tenant *core.Tenant, flow *core.Flow, a Answer) (Proof, error)
}

// Verdict is whether a method applies, and why (R14).
type Verdict struct {
	OK     bool
	Reason string
}

// Refusal says why the person of a flow may not prove themselves with the
// method it begins. A method that must answer everyone alike (R7, R25)
// still goes through the motions and tells only the address's owner.
type Refusal int

const (
	RefuseNone       Refusal = iota
	RefuseNotInvited         // the address has no guest in the tenant (R7)
	RefuseMethodOff          // the guest's method may not be used now (R26)
	RefuseBlocked            // the administrator blocked the guest's sign-in (R43)
	// RefuseOtherMethod: the guest signs in with a password (home
	// tenant, personal account), not with this method (R10, R11).
	RefuseOtherMethod
	// RefuseSignup: nothing applies to the guest but a new personal
	// account (R10 step 6), which they create from their redeem link.
	RefuseSignup
	// RefuseAccountExists: a sign-up for an address that already has an
	// account; its owner is told so instead of getting a code.
	RefuseAccountExists
	// RefuseNoAccount: a password reset for an address with no account.
	RefuseNoAccount
)

// Start is what Begin needs.
type Start struct {
	Tenant   *core.Tenant
	Flow     *core.Flow
	Lang     string // the guest's language (R22, R53)
	ClientIP string
	Refusal  Refusal
	// ReturnURL is where a redirect-based method sends the browser back.
	ReturnURL string
}

// Began is what the browser is to do next.
type Began struct {
	// Resent: the passcode mailed was the one already issued (R23).
	Resent bool
	// RedirectURL: a redirect-based method sends the browser there.
	RedirectURL string
}

// Answer is what the guest (or their provider, through the browser) gave
// back.
type Answer struct {
	Secret   string            // a typed code or password
	Params   map[string]string // a provider's answer (code, state, SAMLResponse)
	ClientIP string
}

// Proof is one answer of a method, to be checked and recorded by the
// engine in the transaction that also starts the session, so that a proof
// is never spent without its effect, nor the reverse.
type Proof interface {
	// Method is the method the proof is of.
	Method() core.Method
	// Check verifies the proof and records it in tx (a passcode is spent).
	// A proof that does not hold comes back as rejected with a nil err,
	// so that what Check wrote (attempt counts, R23) commits before the
	// guest is answered; err rolls everything back. Costly work (a
	// password hash) is done before, in Complete: Check runs inside the
	// write transaction.
	Check(ctx context.Context, tx store.Tx) (rejected, err error)
	// Subject is the id the method's issuer knows the person by (the
	// object id of a home-tenant member or personal account), or "" for
	// the address itself (a passcode): the guest's identity (R12).
	Subject() string
	// MustChange: the password was right, and must be changed before
	// the sign-in goes on (forceChangePasswordNextSignIn).
	MustChange() bool
}

// Refusals of a proof that the engine reports as they are.
var (
	// ErrWrongPassword is the same answer for a wrong password and for an
	// address with no account (R25).
	ErrWrongPassword = core.Errorf(core.ErrUnauthenticated, "InvalidCredentials", "wrong address or password")
)

// Throttled is a proof refused before it was checked: too many failures
// for this account from this client, or from this client (R23's rules,
// for passwords).
type Throttled struct {
	RetryAfter time.Duration
}

func (t *Throttled) Error() string {
	return fmt.Sprintf("too many failed sign-ins; retry after %s", t.RetryAfter)
}

// Issued is a proof whose issuer varies by provider (a federation's
// issuer URI); the guest's identity carries it (R12). Other methods'
// identities have a fixed issuer (core.Method.Issuer).
type Issued interface {
	Issuer() string
}

// Callback takes an identity provider's answer, which comes back through
// the browser with the state or RelayState (relay) the sign-in was sent
// with, and keeps it for the flow that began the sign-in; that flow's
// Complete then uses it. It returns the flow's id and the method of the
// provider even when the answer is refused, so that the refusal is logged
// for that flow ("" when relay names no sign-in).
type Callback interface {
	Answer(ctx context.Context, tenant *core.Tenant, relay string, params map[string]string) (flowID string, kind core.Method, err error)
}
