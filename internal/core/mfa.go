package core

import "time"

// Authenticator is a member's authenticator app: a TOTP secret (RFC 6238)
// and the last time step a code was accepted for, so that no code is
// accepted twice. It is pending from its creation until a first code
// confirms it (ActivatedAt).
type Authenticator struct {
	TenantID string
	UserID   string
	// Secret is the shared secret sealed with the server key, bound to the
	// tenant and the user; it is never stored in clear.
	Secret      []byte
	CreatedAt   time.Time
	ActivatedAt time.Time // zero while pending
	// LastStep is the RFC 6238 time step (T) of the last accepted code; a
	// code of this step or an earlier one is refused.
	LastStep int64
}

// Active reports whether a first code confirmed the authenticator.
func (a *Authenticator) Active() bool { return !a.ActivatedAt.IsZero() }

// The tenant's "require multifactor authentication for admin roles"
// setting: which directory role holders must sign in to the console with
// an authenticator app.
const (
	AdminMFAGlobalAdministrators = "globalAdministrators" // the default
	AdminMFAAllAdministrators    = "allAdministrators"
	AdminMFAOff                  = "off"
)

// AdminMFAValues are the setting's values, strictest last.
func AdminMFAValues() []string {
	return []string{AdminMFAOff, AdminMFAGlobalAdministrators, AdminMFAAllAdministrators}
}

// AdminMFARequirement is the tenant's setting with the default filled in.
func (t *Tenant) AdminMFARequirement() string {
	if t.AdminMFA == "" {
		return AdminMFAGlobalAdministrators
	}
	return t.AdminMFA
}
