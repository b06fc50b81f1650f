package core

import (
	"errors"
	"fmt"
	"time"
)

// Error kinds. Every error that crosses a package boundary wraps one of these
// so that the HTTP surfaces can choose a status without knowing the cause.
var (
	ErrNotFound        = errors.New("not found")
	ErrConflict        = errors.New("conflict")
	ErrInvalid         = errors.New("invalid")
	ErrForbidden       = errors.New("forbidden")
	ErrUnauthenticated = errors.New("unauthenticated")
	ErrThrottled       = errors.New("throttled")
	// ErrUnavailable: the database (or another dependency) cannot be
	// reached right now; trying again later may work.
	ErrUnavailable = errors.New("temporarily unavailable")
	// ErrTooLarge: a request body over the surface's bound (413).
	ErrTooLarge = errors.New("request body too large")
	// ErrMediaType: a request body in a format the surface does not take (415).
	ErrMediaType = errors.New("unsupported media type")
)

// Error carries a message that is safe to show to the caller and, for the
// Graph-shaped API, a Graph error code. Kind is one of the Err* kinds above.
type Error struct {
	Kind    error
	Code    string // Graph error code, e.g. "Request_BadRequest"
	Message string // public text; never contains secrets or internal detail
}

func (e *Error) Error() string { return e.Message }

// Unwrap lets errors.Is match the kind.
func (e *Error) Unwrap() error { return e.Kind }

// Errorf builds an *Error of the given kind with a public message.
func Errorf(kind error, code, format string, args ...any) error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalidf is shorthand for a Request_BadRequest validation error.
func Invalidf(format string, args ...any) error {
	return Errorf(ErrInvalid, "Request_BadRequest", format, args...)
}

// NotFoundf is shorthand for a Request_ResourceNotFound error.
func NotFoundf(format string, args ...any) error {
	return Errorf(ErrNotFound, "Request_ResourceNotFound", format, args...)
}

// PublicError returns the *Error inside err, if any.
func PublicError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// RetryLater is a refusal that may succeed after a wait (a rate limit):
// Err says why (usually an *Error of kind ErrThrottled), After how long.
// Surfaces send After as Retry-After.
type RetryLater struct {
	Err   error
	After time.Duration
}

func (e *RetryLater) Error() string { return e.Err.Error() }

// Unwrap lets errors.Is and PublicError see Err.
func (e *RetryLater) Unwrap() error { return e.Err }
