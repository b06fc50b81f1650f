package tenants

import (
	"crypto/hmac"
	"time"

	"github.com/google/uuid"

	"guestlist/internal/core"
	"guestlist/internal/platform"
)

// NewAppSecret makes a client secret for an application: the secret to
// show once, and the AppSecret to store (its keyed hash, and the first
// three characters as the hint Graph shows). A zero end never expires.
func NewAppSecret(ring *platform.Keyring, tenantID, appID, displayName string, start, end time.Time) (*core.AppSecret, platform.Secret) {
	secret := platform.NewToken()
	return &core.AppSecret{
		TenantID: tenantID, AppID: appID, KeyID: uuid.NewString(), DisplayName: displayName,
		Hint: secret[:3], Hash: hashSecret(ring, appID, secret), StartAt: start, EndAt: end,
	}, platform.Secret(secret)
}

// hashSecret is what is stored of a client secret: bound to its
// application, so a hash copied to another application's row is useless.
func hashSecret(ring *platform.Keyring, appID, secret string) []byte {
	return ring.Hash(ClientSecretPurpose, appID+":"+secret)
}

// CheckSecret reports whether secret is one of the application's secrets
// that has not expired at now. Every unexpired secret is compared, each in
// constant time, so the answer takes as long whichever one matches.
func CheckSecret(ring *platform.Keyring, secrets []core.AppSecret, appID, secret string, now time.Time) bool {
	if secret == "" {
		return false
	}
	h := hashSecret(ring, appID, secret)
	ok := false
	for _, s := range secrets {
		if s.AppID != appID || (!s.EndAt.IsZero() && !now.Before(s.EndAt)) {
			continue
		}
		if hmac.Equal(s.Hash, h) {
			ok = true
		}
	}
	return ok
}
