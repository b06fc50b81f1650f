package mfa

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// TOTP parameters (RFC 6238 section 4): the defaults every authenticator
// app supports; apps that ignore the otpauth URL's parameters assume them.
const (
	period    = 30 // seconds per time step
	digits    = otp.DigitsSix
	algorithm = otp.AlgorithmSHA1
	// skew is how many steps either side of now a code may belong to,
	// for clocks that drift and codes typed at a step's end (RFC 6238
	// section 5.2).
	skew = 1
	// secretSize is 160 bits, the HMAC-SHA1 key length RFC 4226 section
	// 4 recommends.
	secretSize = 20
	// qrSize is the QR code's width and height in pixels.
	qrSize = 256
)

// PendingTTL is how long a begun enrolment waits for its first code.
const PendingTTL = 30 * time.Minute

// Service enrols, verifies and removes members' authenticator apps.
type Service struct {
	st   store.Store
	keys *platform.Keyring
	now  platform.Clock
}

// New returns a Service. keys seals the shared secrets and hashes the
// recovery codes.
func New(st store.Store, keys *platform.Keyring, now platform.Clock) *Service {
	return &Service{st: st, keys: keys, now: now}
}

// Enrolment is a begun enrolment, to show the member once: the app reads
// URL from QR, or the member types Secret.
type Enrolment struct {
	// Secret is the shared secret in base32, for typing in by hand.
	Secret platform.Secret
	// URL is the otpauth:// key URI (issuer: the tenant's name; account:
	// the member's user principal name). It holds the secret.
	URL platform.Secret
	// QR is a PNG image of URL.
	QR []byte
	// ExpiresAt is when ConfirmEnrolment stops accepting a first code.
	ExpiresAt time.Time
}

// BeginEnrolment makes a new secret for the tenant's member userID and
// keeps it pending until ConfirmEnrolment; a pending one is replaced.
// Errors: core.ErrNotFound (no such tenant or user), core.ErrInvalid (a
// guest: guests prove who they are at home), core.ErrConflict (the member
// has an authenticator app already; Remove it first).
func (s *Service) BeginEnrolment(ctx context.Context, tenantID, userID string) (*Enrolment, error) {
	key, qr, err := s.key(ctx, tenantID, userID, nil)
	if err != nil {
		return nil, err
	}
	sealed, err := s.keys.Seal(key.Secret(), aad(tenantID, userID))
	if err != nil {
		return nil, fmt.Errorf("mfa: seal secret: %w", err)
	}
	now := s.now()
	err = s.st.PutAuthenticator(ctx, &core.Authenticator{TenantID: tenantID, UserID: userID, Secret: sealed, CreatedAt: now})
	if err != nil {
		return nil, err
	}
	return &Enrolment{Secret: platform.Secret(key.Secret()), URL: platform.Secret(key.URL()), QR: qr,
		ExpiresAt: now.Add(PendingTTL)}, nil
}

// key is the member's TOTP key with secret (nil: a new random one) and
// its QR code. Errors: core.ErrNotFound, core.ErrInvalid (not a member).
func (s *Service) key(ctx context.Context, tenantID, userID string, secret []byte) (*otp.Key, []byte, error) {
	t, err := s.st.GetTenant(ctx, tenantID)
	if err != nil {
		return nil, nil, err
	}
	u, err := s.st.GetUser(ctx, tenantID, userID)
	if err != nil {
		return nil, nil, err
	}
	if u.UserType != core.UserTypeMember {
		return nil, nil, core.Invalidf("only members of the tenant enrol an authenticator app")
	}
	issuer := t.DisplayName
	if issuer == "" {
		issuer = "guestlist"
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: u.UserPrincipalName,
		Period: period, SecretSize: secretSize, Digits: digits, Algorithm: algorithm, Secret: secret})
	if err != nil {
		return nil, nil, fmt.Errorf("mfa: generate secret: %w", err)
	}
	qr, err := qrPNG(key)
	if err != nil {
		return nil, nil, err
	}
	return key, qr, nil
}

func qrPNG(key *otp.Key) ([]byte, error) {
	img, err := key.Image(qrSize, qrSize)
	if err != nil {
		return nil, fmt.Errorf("mfa: QR code: %w", err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("mfa: QR code: %w", err)
	}
	return b.Bytes(), nil
}

// aad binds a sealed secret to its tenant and user: a sealed value copied
// to another member's row does not open.
func aad(tenantID, userID string) string {
	return "mfa-totp\x00" + tenantID + "\x00" + userID
}

// ConfirmEnrolment activates the member's pending authenticator with a
// first code from the app and returns RecoveryCodeCount new recovery
// codes, to show once: only their hashes are kept. They are Secrets so
// that no log shows them; a page renders string(code). The first code is
// spent. Errors: core.ErrNotFound (nothing pending, or the enrolment
// expired: begin again), core.ErrConflict (already active),
// core.ErrUnauthenticated (a wrong code), core.ErrThrottled (in a
// *core.RetryLater: too many wrong codes).
func (s *Service) ConfirmEnrolment(ctx context.Context, tenantID, userID, code string) ([]platform.Secret, error) {
	now := s.now()
	var codes []platform.Secret
	wrong := false
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		if err := s.guard(ctx, tx, tenantID, userID, now); err != nil {
			return err
		}
		a, err := tx.GetAuthenticator(ctx, tenantID, userID)
		if err != nil {
			return err
		}
		if a.Active() {
			return core.Errorf(core.ErrConflict, "Request_BadRequest", "the authenticator app is active already")
		}
		if !now.Before(a.CreatedAt.Add(PendingTTL)) {
			return core.NotFoundf("the enrolment expired; begin again")
		}
		secret, err := s.keys.Open(a.Secret, aad(tenantID, userID))
		if err != nil {
			return fmt.Errorf("mfa: open secret: %w", err)
		}
		step, ok := matchStep(string(secret), normalize(code), now, 0)
		if !ok {
			wrong = true
			return recordFailure(ctx, tx, tenantID, userID, now)
		}
		if err := tx.ActivateAuthenticator(ctx, tenantID, userID, now, step); err != nil {
			return err
		}
		if codes, err = s.newRecoveryCodes(ctx, tx, tenantID, userID, now); err != nil {
			return err
		}
		return s.record(ctx, tx, now, tenantID, userID, audit.RegisterSecurityInfo,
			audit.Set("StrongAuthenticationMethod", nil, methodName))
	})
	if err != nil {
		return nil, err
	}
	if wrong {
		return nil, errWrongCode
	}
	return codes, nil
}

// methodName is the method as the audit log names it.
const methodName = "AuthenticatorApp"

// Enrolled reports whether the member has an active authenticator app (a
// pending enrolment does not count).
func (s *Service) Enrolled(ctx context.Context, tenantID, userID string) (bool, error) {
	a, err := s.st.GetAuthenticator(ctx, tenantID, userID)
	if errors.Is(err, core.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return a.Active(), nil
}

// Remove deletes the member's authenticator app, pending or active, with
// its recovery codes: the member's own choice, or an administrator's
// reset of a lost phone. Removing an active one is audited, as the
// member's or an administrator's change by whether the context's actor
// is the member; a pending one was never registered, so its removal is
// not. Errors: core.ErrNotFound (none).
func (s *Service) Remove(ctx context.Context, tenantID, userID string) error {
	activity := audit.AdminDeleteSecurityInfo
	if core.ActorFrom(ctx).UserID == userID {
		activity = audit.DeleteSecurityInfo
	}
	return s.st.InTx(ctx, func(tx store.Tx) error {
		a, err := tx.GetAuthenticator(ctx, tenantID, userID)
		if err != nil {
			return err
		}
		if err := tx.DeleteAuthenticator(ctx, tenantID, userID); err != nil || !a.Active() {
			return err
		}
		return s.record(ctx, tx, s.now(), tenantID, userID, activity,
			audit.Set("StrongAuthenticationMethod", methodName, nil))
	})
}

// record writes the audit record of a change to userID's security info,
// naming the user if they still exist.
func (s *Service) record(ctx context.Context, tx store.Tx, at time.Time, tenantID, userID, activity string,
	props ...core.ModifiedProperty) error {
	target := audit.UserID(userID, props...)
	if u, err := tx.GetUser(ctx, tenantID, userID); err == nil {
		target = audit.User(u, props...)
	} else if !errors.Is(err, core.ErrNotFound) {
		return err
	}
	return audit.Record(ctx, tx, at, tenantID, activity, target)
}
