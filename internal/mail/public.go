package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// deliveryError carries, next to the full error (logged), a classification
// that names no host, address or relay text. The classification is what is
// kept with the message and shown to tenant admins in an invitation's
// messageDelivery: a relay's answer often names internal hosts, and the
// dial error names our SMTP server.
type deliveryError struct {
	public string
	err    error
}

func (e *deliveryError) Error() string  { return e.err.Error() }
func (e *deliveryError) Unwrap() error  { return e.err }
func (e *deliveryError) Public() string { return e.public }

// publicReason is the text kept with a failed message: the classification
// when the sender gave one, else the error itself (senders that talk to no
// outside server).
func publicReason(err error) string {
	var de *deliveryError
	if errors.As(err, &de) {
		return de.public
	}
	return err.Error()
}

// withPublic classifies an SMTP send error for tenant admins.
func withPublic(err error) error {
	return &deliveryError{public: classifyPublic(err), err: err}
}

func classifyPublic(err error) string {
	var se *gomail.SendError
	if errors.As(err, &se) {
		switch code := se.ErrorCode(); {
		case code >= 500 && se.Reason == gomail.ErrSMTPRcptTo:
			// The address itself was refused (unknown mailbox): the
			// admin should check it rather than wait for retries.
			return fmt.Sprintf("%d permanent failure: the mail server refused the recipient's address", code)
		case code >= 500:
			return fmt.Sprintf("%d permanent failure: the mail server refused the message", code)
		case code >= 400:
			return fmt.Sprintf("%d temporary failure: the mail server deferred the message", code)
		}
		switch se.Reason {
		case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
			return "the message could not be built"
		}
		return "the mail server did not accept the message"
	}
	var ne net.Error
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	switch {
	case errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &hostErr),
		strings.Contains(err.Error(), "tls: "), strings.Contains(strings.ToLower(err.Error()), "starttls"):
		return "TLS with the mail server failed"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "the mail server did not answer in time"
	case strings.Contains(strings.ToLower(err.Error()), "auth"):
		return "the mail server refused the configured credentials"
	case errors.As(err, new(*net.OpError)), errors.As(err, new(*net.DNSError)):
		return "the mail server could not be reached"
	}
	return "delivery failed (the server log has the details)"
}
