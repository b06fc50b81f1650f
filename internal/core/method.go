package core

// Method is the way a guest proves who they are, found at redemption by
// the precedence order of SPEC R10 and locked in on the user (R11) until a
// reset clears it (R13). It is recorded on the user so that every rule
// that asks "how does this guest sign in?" reads one typed value instead
// of guessing it from the identities.
type Method string

// The methods of SPEC R10. MethodNone is a user who has not redeemed (or
// whose redemption was reset).
const (
	MethodNone       Method = ""
	MethodHomeTenant Method = "home"       // R10 step 1: a member of another tenant
	MethodFederation Method = "federation" // R10 step 2: the tenant's SAML or OIDC provider
	MethodGoogle     Method = "google"     // R10 step 3
	MethodPersonal   Method = "personal"   // R10 steps 4 and 6: a personal account
	MethodOTP        Method = "otp"        // R10 step 5: email one-time passcode (R20–R26)
	// MethodPassword is not a way to redeem: it is a member signing in to
	// their own tenant with their password (R41 users).
	MethodPassword Method = "password"
)

// AMR is the authentication method reference that sessions and token
// families of this method carry, so that a session or a refresh can be
// checked against the method the guest is locked to (R11, R26). The values
// are RFC 8176 section 2's ("otp", "pwd"), and for an assertion of another
// provider "fed", as Entra ID issues it.
func (m Method) AMR() string {
	switch m {
	case MethodOTP:
		return "otp"
	case MethodHomeTenant, MethodPersonal, MethodPassword:
		return "pwd"
	case MethodFederation, MethodGoogle:
		return "fed"
	}
	return ""
}

// Issuer is the identity issuer a guest who redeemed with m gets (SPEC
// R12), as Graph shows it. Federation has none of its own: its identity
// carries the provider's issuer URI.
func (m Method) Issuer() string {
	switch m {
	case MethodOTP:
		return IssuerMail
	case MethodHomeTenant:
		return "ExternalTenant"
	case MethodPersonal:
		return "PersonalAccount"
	case MethodGoogle:
		return "google.com"
	}
	return ""
}

// SignInTypeFederated is the signInType of the identity a guest redeems
// with, whatever the method: Graph shows every external identity,
// including the email one-time passcode's, as "federated" (SPEC R12).
const SignInTypeFederated = "federated"

// Identity is the identity a guest who redeemed with m is shown with
// (SPEC R12). subject is the id the issuer knows them by: the address for
// a passcode, the object id of the member or personal account for a home
// tenant or a personal account. issuer is the federation provider's
// issuer URI; other methods have a fixed issuer and ignore it.
func (m Method) Identity(issuer, subject string) Identity {
	if iss := m.Issuer(); iss != "" {
		issuer = iss
	}
	return Identity{SignInType: SignInTypeFederated, Issuer: issuer, IssuerAssignedID: subject}
}

// Source is where a guest's identity comes from, as the console's Source
// column shows it (R12): invited and not yet redeemed, or the method they
// redeemed with.
type Source string

// The sources of R12.
const (
	SourceInvited   Source = "invited"   // Invited user: not redeemed yet
	SourceOTP       Source = "otp"       // email one-time passcode
	SourceExternal  Source = "external"  // External organization (home tenant)
	SourcePersonal  Source = "personal"  // Personal account
	SourceGoogle    Source = "google"    // Google
	SourceFederated Source = "federated" // the tenant's SAML or OIDC partner
)

// Sources are every source, in the order a filter lists them.
var Sources = []Source{SourceInvited, SourceOTP, SourceExternal, SourcePersonal, SourceGoogle, SourceFederated}

// SourceOf is the user's source: a guest who has not redeemed (or whose
// redemption was reset) is an invited user; otherwise the method they
// redeemed with names it. A member of the tenant has none ("").
func SourceOf(u *User) Source {
	if u.ExternalUserState == StatePendingAcceptance {
		return SourceInvited
	}
	switch u.Method {
	case MethodOTP:
		return SourceOTP
	case MethodHomeTenant:
		return SourceExternal
	case MethodPersonal:
		return SourcePersonal
	case MethodGoogle:
		return SourceGoogle
	case MethodFederation:
		return SourceFederated
	}
	return ""
}
