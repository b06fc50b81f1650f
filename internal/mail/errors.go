package mail

import "errors"

// permanentError marks a delivery failure that retrying cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent wraps err to say the message must not be retried (for example
// SMTP 550, unknown recipient). Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err, or an error it wraps, was marked with
// Permanent. Every other error is temporary.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}
