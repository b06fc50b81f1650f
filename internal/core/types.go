package core

import "time"

// Tenant is an organization (directory).
type Tenant struct {
	ID              string // UUID
	DisplayName     string
	InitialDomain   string // <name>.<deployment domain>
	Domains         []string
	DefaultLanguage string // BCP 47 tag, one of the supported languages
	// EmailOTP is allowExternalIdToUseEmailOtp (SPEC R20): default,
	// enabled or disabled.
	EmailOTP string
	// EmailMethodOff is the email method's Graph state "disabled": the
	// method is off for everyone, external users included, whatever
	// EmailOTP says (R20, R26).
	EmailMethodOff bool
	// GuestDomains is the tenant's allow or block list of guest domains
	// (R9).
	GuestDomains GuestDomains
	// AllowInvitesFrom is Graph's authorizationPolicy allowInvitesFrom;
	// "" is the default, everyone (InvitesFrom).
	AllowInvitesFrom string
	// AdminMFA is which role holders must use an authenticator app;
	// "" is the default, Global Administrators (AdminMFARequirement).
	AdminMFA string
	// PasscodeInSubject puts the passcode in the mail's subject (R53).
	PasscodeInSubject bool
	// Redemption is the tenant's redemption order (R10's last
	// paragraph); its zero value is the default order.
	Redemption RedemptionOrder
	// HasIdentityProviders: the tenant has configured federation or
	// Google (R10 steps 2 and 3), read with the tenant, so that a tenant
	// without any spends no lookup on them at each redemption.
	HasIdentityProviders bool
	CreatedAt            time.Time
}

// ConsumersTenantID is the tenant that holds the deployment's personal
// accounts (SPEC R10 steps 4 and 6): each account is a member of it with
// a password. Its id is the one Entra ID gives its own consumers tenant,
// so its issuer reads as Microsoft's does for personal accounts. The
// tenant has no administrators and is reached as /consumers/.
const ConsumersTenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"

// ConsumersName is the URL name of the consumers tenant.
const ConsumersName = "consumers"

// RedemptionOrder is the order in which a tenant tries the ways a guest
// may redeem (SPEC R10): Primary is a permutation of some of home
// tenant, federation and Google; Fallback the fallbacks tried after them,
// in order, out of personal account and email one-time passcode. Empty
// fields mean the default (DefaultPrimary, DefaultFallback).
type RedemptionOrder struct {
	Primary  []Method
	Fallback []Method
}

// DefaultPrimary is Entra's order of the primary methods (SPEC R10).
func DefaultPrimary() []Method { return []Method{MethodHomeTenant, MethodFederation, MethodGoogle} }

// DefaultFallback is Entra's default fallback: a personal account, then
// the email one-time passcode (SPEC R10).
func DefaultFallback() []Method { return []Method{MethodPersonal, MethodOTP} }

// Methods is the whole order, primary methods then fallbacks, with the
// defaults filled in.
func (o RedemptionOrder) Methods() []Method {
	p, f := o.Primary, o.Fallback
	if len(p) == 0 {
		p = DefaultPrimary()
	}
	if len(f) == 0 {
		f = DefaultFallback()
	}
	out := make([]Method, 0, len(p)+len(f))
	return append(append(out, p...), f...)
}

// Password is the stored password of a member or personal account.
type Password struct {
	TenantID   string
	UserID     string
	Hash       string // Argon2id PHC string
	MustChange bool   // Graph's forceChangePasswordNextSignIn
	ChangedAt  time.Time
}

// Email one-time passcode settings (SPEC R20).
const (
	OTPDefault  = "default"
	OTPEnabled  = "enabled"
	OTPDisabled = "disabled"
)

// Application is an OpenID Connect client registered in a tenant (Graph's
// application with its service principal). The tenant's admin application
// uses client credentials for the Graph API; other applications sign guests
// in (SPEC R32).
type Application struct {
	TenantID           string
	AppID              string // client id, UUID
	ID                 string // Graph object id, UUID
	ServicePrincipalID string // Graph servicePrincipal id: the resourceId of assignments
	DisplayName        string
	// Redirect URIs, matched exactly (SPEC R32). Web clients authenticate
	// with a secret; SPA and public clients have none and must use PKCE.
	WebRedirectURIs          []string
	SPARedirectURIs          []string
	PublicClientRedirectURIs []string
	// HomePageURL is where a direct application link lands once the guest
	// is signed in (SPEC R30), when the application does not start sign-in
	// itself.
	HomePageURL string
	SecretHash  []byte // legacy: the admin application's first secret (see AppSecret)
	IsAdmin     bool
	CreatedAt   time.Time
	// AssignmentRequired is the service principal's
	// appRoleAssignmentRequired: only assigned users may use the
	// application. False, Entra's default, lets every guest of the tenant
	// who redeemed use it.
	AssignmentRequired bool
	// SignInAudience is Graph's signInAudience: AudienceMyOrg (the
	// default) or AudienceMultipleOrgs, which may also be used through
	// the common endpoint (SPEC R31).
	SignInAudience string
}

// Graph's signInAudience values guestlist supports.
const (
	AudienceMyOrg        = "AzureADMyOrg"
	AudienceMultipleOrgs = "AzureADMultipleOrgs"
)

// AppSecret is one client secret of an application (Graph's
// passwordCredential); the secret is only stored as a keyed hash.
type AppSecret struct {
	TenantID    string
	AppID       string
	KeyID       string // UUID
	DisplayName string
	Hint        string // the secret's first three characters, as Graph shows
	Hash        []byte
	StartAt     time.Time
	EndAt       time.Time // zero: does not expire
}

// Assignment gives a user access to an application (Graph's
// appRoleAssignment with the default role): the "shared resource".
type Assignment struct {
	TenantID  string
	ID        string
	UserID    string
	AppID     string // the application's client id
	CreatedAt time.Time
}

// User types and states, with Graph's spelling.
const (
	UserTypeGuest  = "Guest"
	UserTypeMember = "Member"

	StatePendingAcceptance = "PendingAcceptance"
	StateAccepted          = "Accepted"

	CreationTypeInvitation = "Invitation"
)

// Identity issuers (SPEC R12).
const (
	IssuerMail = "mail" // email one-time passcode, as in Graph
)

// Identity is one entry of a user's Graph identities collection.
type Identity struct {
	SignInType       string `json:"signInType"`
	Issuer           string `json:"issuer"`
	IssuerAssignedID string `json:"issuerAssignedId"`
}

// User is a user object of a tenant; guests are users with CreationType
// Invitation.
type User struct {
	TenantID          string
	ID                string // UUID, the Graph object id
	DisplayName       string
	Mail              string // as invited (domain IDN-normalised)
	MailKey           string // lower-cased normalised address, unique per tenant
	UserPrincipalName string
	UserType          string
	ExternalUserState string
	StateChangedAt    time.Time
	CreationType      string
	Identities        []Identity
	Method            Method    // how the guest redeemed (R10, R11); MethodNone while pending
	PreferredLanguage string    // last language the guest's browser used
	LastSignInAt      time.Time // signInActivity.lastSignInDateTime
	CreatedAt         time.Time
	// Blocked is Graph's accountEnabled false: the user may not sign in
	// (R43). The zero value is an enabled account, as Graph's default.
	Blocked bool
	Profile UserProfile
}

// UserProfile is what an administrator may record about a user and Graph
// shows on it; guestlist stores it and acts on none of it.
type UserProfile struct {
	GivenName      string
	Surname        string
	JobTitle       string
	OfficeLocation string
	MobilePhone    string
	BusinessPhones []string
}

// Invitation statuses, with Graph's spelling.
const (
	InvitationPending   = "PendingAcceptance"
	InvitationCompleted = "Completed"
	// InvitationRevoked and InvitationExpired are guestlist's own (SPEC
	// R8; Graph has neither). Revoked is stored; Expired is never stored
	// but read from the time: a pending invitation past its ExpiresAt.
	InvitationRevoked = "Revoked"
	InvitationExpired = "Expired"
)

// MessageInfo is Graph's invitedUserMessageInfo.
type MessageInfo struct {
	CustomizedMessageBody string   `json:"customizedMessageBody,omitempty"`
	MessageLanguage       string   `json:"messageLanguage,omitempty"`
	CCRecipients          []string `json:"ccRecipients,omitempty"`
}

// Invitation is one invitation of a user; it yields a one-use redeem link
// whose token is only stored as a keyed hash.
type Invitation struct {
	TenantID              string
	ID                    string
	UserID                string
	Email                 string
	DisplayName           string
	RedirectURL           string
	UserType              string
	SendInvitationMessage bool
	MessageInfo           MessageInfo
	TokenHash             []byte
	Status                string
	MessageID             string // outbox id of the invitation mail, if any
	CreatedAt             time.Time
	RedeemedAt            time.Time
	// The lifecycle (SPEC R8): ExpiresAt zero is never (Entra's way);
	// LastResentAt is the latest mail sent again, ResentCount how many.
	ExpiresAt    time.Time
	RevokedAt    time.Time
	ResentCount  int
	LastResentAt time.Time
}

// StatusAt is the invitation's status at now: a pending invitation whose
// expiry has come is Expired, computed rather than written by a job, so
// every process agrees at once (SPEC R8).
func (inv *Invitation) StatusAt(now time.Time) string {
	if inv.Status == InvitationPending && !inv.ExpiresAt.IsZero() && !now.Before(inv.ExpiresAt) {
		return InvitationExpired
	}
	return inv.Status
}

// Sign-in flow steps.
const (
	FlowStarted  = "started"  // the guest is known; nothing sent yet
	FlowVerified = "verified" // the guest proved control of the address
	// FlowNewPassword: the password was right, but it must be changed
	// before the sign-in goes on (forceChangePasswordNextSignIn).
	FlowNewPassword = "new-password"
	FlowDone        = "done"
)

// Flow is one browser's sign-in or redemption in one tenant. It lives in the
// store (not in process memory) so any server process can continue it.
type Flow struct {
	TenantID     string
	ID           string // HMAC of the flow cookie value
	UserID       string // "" for an address that has no user in the tenant (R25)
	InvitationID string // set when the flow started from a redeem link
	Email        string
	RedirectURL  string
	Locale       string
	Step         string
	// AuthRequestID, when set, is the OpenID Connect authorization request
	// this sign-in completes (SPEC R32); the flow ends at its callback.
	AuthRequestID string
	// AppID, when set, is the application the guest must be assigned to;
	// it is checked once the address is proved (SPEC R7).
	AppID    string
	ClientIP string
	// ProvedMethod and ProvedSubject are what the person proved, once
	// they did: the method and the id its issuer knows them by (the
	// address for a passcode, the object id of a home-tenant member or
	// personal account). Consent makes the guest's identity of them.
	ProvedMethod  Method
	ProvedSubject string
	// ProvedIssuer is the issuer of a federation provider's proof (its
	// issuer URI), which the guest's identity carries (R12).
	ProvedIssuer string
	// Purpose is what the flow is for: FlowSignIn, FlowSignup, FlowReset.
	Purpose   string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Flow purposes.
const (
	FlowSignIn = ""       // a sign-in or a redemption
	FlowSignup = "signup" // a new personal account (R10 step 6)
	FlowReset  = "reset"  // a new password for a forgotten one
)

// Passcode is one emailed one-time code. The code itself is never stored:
// it is derived from Seed with the server key, and checked against CodeHash.
type Passcode struct {
	TenantID  string
	ID        string
	FlowID    string
	MailKey   string
	Seed      []byte
	CodeHash  []byte
	Attempts  int
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
}

// Session is a guest's signed-in state in one tenant (SPEC R24).
type Session struct {
	TenantID  string
	ID        string // HMAC of the cookie value
	UserID    string
	AMR       string
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt time.Time
}

// Outbox message kinds and states.
const (
	MailInvitation = "invitation"
	MailPasscode   = "passcode"

	MailPending = "pending"
	MailSent    = "sent"
	MailFailed  = "failed"
)

// OutboxMessage is a mail waiting in, or having left, the durable outbox
// (SPEC R52).
type OutboxMessage struct {
	ID          string
	TenantID    string
	Kind        string
	To          []string
	CC          []string
	Subject     string
	TextBody    string
	HTMLBody    string
	Sensitive   bool // body holds a secret (a passcode): cleared once sent
	MessageID   string
	Status      string
	Attempts    int
	NextAttempt time.Time
	LeaseUntil  time.Time
	LastError   string
	CreatedAt   time.Time
	SentAt      time.Time
}

// SigningKey is a token signing key kept in the store.
type SigningKey struct {
	ID         string // kid
	Algorithm  string
	PrivateJWK []byte // JSON Web Key
	CreatedAt  time.Time
}
