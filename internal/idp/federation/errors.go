package federation

import (
	"errors"

	"guestlist/internal/core"
)

// Problem is what went wrong with a federated sign-in, as the guest's
// page and the sign-in log tell it.
type Problem int

const (
	// Unavailable: the provider could not be reached in time, or
	// answered with something unusable (malformed metadata or discovery,
	// a failed code exchange).
	Unavailable Problem = iota + 1
	// Refused: the provider refused the guest (an OpenID error answer,
	// a SAML status other than Success).
	Refused
	// Invalid: the answer failed verification (signature, audience,
	// recipient, validity, a replay, an unsolicited response, an
	// unverified address).
	Invalid
	// Mismatch: the provider signed in another address than the
	// invited one.
	Mismatch
	// Expired: no sign-in waits for the answer (too late, used, or
	// never sent).
	Expired
	// NoAnswer: this browser's flow has no answer from the provider.
	NoAnswer
	// NoProvider: no provider serves the address any more.
	NoProvider
)

// Error is a federated sign-in that failed, with what the guest is told:
// the provider's name and, for Mismatch, the address expected and the
// one the provider signed in. Err is the detail for the log and the
// administrator, never shown to the guest.
type Error struct {
	Problem  Problem
	Provider string // the provider's display name
	Expected string
	Got      string
	Err      error
}

func (e *Error) Error() string {
	msg := "federation: " + e.Problem.String()
	if e.Provider != "" {
		msg += " (" + e.Provider + ")"
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// String names the problem for logs.
func (p Problem) String() string {
	switch p {
	case Unavailable:
		return "provider unavailable"
	case Refused:
		return "provider refused the sign-in"
	case Invalid:
		return "answer failed verification"
	case Mismatch:
		return "another address was signed in"
	case Expired:
		return "no sign-in waits for this answer"
	case NoAnswer:
		return "no answer for this sign-in"
	case NoProvider:
		return "no identity provider"
	}
	return "unknown problem"
}

// Errorf is an *Error of problem p with detail err.
func Errorf(p Problem, err error) *Error { return &Error{Problem: p, Err: err} }

// named is err with the provider's name, when it is an *Error; any other
// error of a protocol is the provider being unusable.
func named(err error, p *core.IdentityProvider) error {
	var e *Error
	if !errors.As(err, &e) {
		return &Error{Problem: Unavailable, Provider: p.DisplayName, Err: err}
	}
	if e.Provider == "" {
		e.Provider = p.DisplayName
	}
	return e
}
