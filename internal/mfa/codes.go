package mfa

import (
	"context"
	"crypto/rand"
	"time"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// RecoveryCodeCount is how many recovery codes a member gets at a time.
const RecoveryCodeCount = 10

// recoveryCodeLen is a code's length in base32 characters: 50 bits,
// beyond guessing under the throttle.
const recoveryCodeLen = 10

// RecoveryCodesLeft counts the member's unused recovery codes.
func (s *Service) RecoveryCodesLeft(ctx context.Context, tenantID, userID string) (int, error) {
	return s.st.RecoveryCodesLeft(ctx, tenantID, userID)
}

// RegenerateRecoveryCodes replaces the member's recovery codes, used or
// not, with RecoveryCodeCount new ones, to show once. Errors:
// core.ErrNotFound (no active authenticator app).
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, tenantID, userID string) ([]platform.Secret, error) {
	now := s.now()
	var codes []platform.Secret
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		a, err := tx.GetAuthenticator(ctx, tenantID, userID)
		if err != nil {
			return err
		}
		if !a.Active() {
			return core.NotFoundf("the user has no authenticator app")
		}
		if codes, err = s.newRecoveryCodes(ctx, tx, tenantID, userID, now); err != nil {
			return err
		}
		return s.record(ctx, tx, now, tenantID, userID, audit.UpdateSecurityInfo,
			audit.Set("RecoveryCodes", nil, RecoveryCodeCount))
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// newRecoveryCodes stores the hashes of fresh codes in place of the
// member's old ones and returns the codes, grouped for reading
// ("ABCDE-FGHIJ").
func (s *Service) newRecoveryCodes(ctx context.Context, tx store.Tx, tenantID, userID string, now time.Time) ([]platform.Secret, error) {
	codes := make([]platform.Secret, RecoveryCodeCount)
	hashes := make([][]byte, RecoveryCodeCount)
	for i := range codes {
		c := rand.Text()[:recoveryCodeLen]
		codes[i] = platform.Secret(c[:recoveryCodeLen/2] + "-" + c[recoveryCodeLen/2:])
		hashes[i] = s.hashCode(tenantID, userID, c)
	}
	if err := tx.SetRecoveryCodes(ctx, tenantID, userID, hashes, now); err != nil {
		return nil, err
	}
	return codes, nil
}

// hashCode is the stored form of a normalized recovery code. The tenant
// and user are hashed in, so a code matches for its member only, even
// if rows were moved.
func (s *Service) hashCode(tenantID, userID, code string) []byte {
	return s.keys.Hash("mfa-recovery", tenantID+"\x00"+userID+"\x00"+code)
}
