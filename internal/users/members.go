package users

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/password"
	"guestlist/internal/store"
)

// Hasher turns a password into the PHC string that is stored; nothing
// else ever sees the password (SPEC R10 step 1).
type Hasher interface {
	Hash(ctx context.Context, plain string) (string, error)
}

// CheckFunc refuses a password that breaks the password rules; context are
// words of the account the password must not be built from. Its error says
// why, in words an administrator can act on.
type CheckFunc func(plain string, context ...string) error

// NewMember is Graph's user as posted to create a member (R41): the
// required properties are pointers or strings that must be present.
type NewMember struct {
	AccountEnabled    *bool
	DisplayName       string
	MailNickname      string
	UserPrincipalName string
	Password          *PasswordProfile
	Mail              string
	UserType          string
	PreferredLanguage string
	Profile           core.UserProfile
}

// PasswordProfile is Graph's passwordProfile. ForceChange nil is Graph's
// default, true: the first sign-in asks for a new password.
type PasswordProfile struct {
	Password    string
	ForceChange *bool
	// ForceChangeWithMFA is accepted for Graph's shape; guestlist has no
	// second factor to ask for, so it acts as ForceChange.
	ForceChangeWithMFA bool
}

// Graph's messages for the refusals of a new user, as Graph words them so
// that scripts matching them keep working.
const (
	msgUPNInvalid    = "Property userPrincipalName is invalid."
	msgUPNDomain     = "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization."
	msgUPNTaken      = "Another object with the same value for property userPrincipalName already exists."
	msgPasswordWeak  = "The specified password does not comply with password complexity requirements. Please provide a different password."
	msgGuestPassword = "The user is a guest: guests sign in with their own identity (their organization, provider or a one-time passcode), so they have no password here."
)

func required(property string) error {
	return core.Invalidf("Invalid value specified for property '%s' of resource 'User'.", property)
}

// CreateMember creates a member of t who signs in with a password (SPEC
// R10 step 1, R41): the address is the user principal name, in one of the
// tenant's verified domains. The user and the password are written in one
// transaction, so there is never a member without a password. Errors:
// core.ErrInvalid with Graph's message (nothing is written).
func (s *Service) CreateMember(ctx context.Context, t *core.Tenant, m NewMember) (*core.User, error) {
	v, err := validateMember(t, m)
	if err != nil {
		return nil, err
	}
	if err := s.checkPassword(m.Password.Password, v.addr, v.user.DisplayName, m.MailNickname); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(ctx, m.Password.Password)
	if err != nil {
		return nil, err
	}
	now := s.now()
	u := v.user
	u.TenantID, u.ID, u.CreatedAt = t.ID, uuid.NewString(), now
	pw := core.Password{TenantID: t.ID, UserID: u.ID, Hash: hash, MustChange: mustChange(m.Password), ChangedAt: now}
	err = s.st.InTx(ctx, func(tx store.Tx) error {
		return s.insertMember(ctx, tx, t, v.addr, &u, &pw)
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// insertMember writes the member u at addr and, unless nil, their
// password in tx, with the audit record of the new user.
func (s *Service) insertMember(ctx context.Context, tx store.Tx, t *core.Tenant, addr core.Address, u *core.User, pw *core.Password) error {
	// R10 step 1 finds a member's home tenant by the domain: a
	// domain another tenant verified would send them there.
	owner, err := tx.TenantByDomain(ctx, addr.Domain)
	if errors.Is(err, core.ErrNotFound) || (err == nil && owner.ID != t.ID) {
		return core.Invalidf(msgUPNDomain)
	} else if err != nil {
		return err
	}
	if err := tx.Lock(ctx, t.ID, "user:"+u.MailKey); err != nil {
		return err
	}
	if _, err := tx.UserByMail(ctx, t.ID, u.MailKey); err == nil {
		return core.Invalidf(msgUPNTaken)
	} else if !errors.Is(err, core.ErrNotFound) {
		return err
	}
	if err := tx.CreateUser(ctx, u); errors.Is(err, core.ErrConflict) {
		return core.Invalidf(msgUPNTaken)
	} else if err != nil {
		return err
	}
	if err := audit.Record(ctx, tx, u.CreatedAt, t.ID, audit.AddUser, audit.User(u)); err != nil {
		return err
	}
	if pw == nil {
		return nil
	}
	return tx.SetPassword(ctx, pw)
}

func mustChange(p *PasswordProfile) bool {
	return p.ForceChange == nil || *p.ForceChange || p.ForceChangeWithMFA
}

// checkPassword applies the password rules with the account's own words
// as context: a password made of the address or the name is refused.
func (s *Service) checkPassword(plain string, addr core.Address, words ...string) error {
	if plain == "" {
		return required("passwordProfile.password")
	}
	ctxWords := append([]string{addr.String(), addr.Local}, words...)
	if err := s.check(plain, ctxWords...); err != nil {
		return core.Invalidf("%s %s", msgPasswordWeak, reason(err))
	}
	return nil
}

// reason is the rule a refused password broke, as a sentence an
// administrator can act on (Graph's own message names none).
func reason(err error) string {
	var r *password.Rejected
	if !errors.As(err, &r) {
		return err.Error()
	}
	switch r.Reason {
	case password.TooShort:
		return fmt.Sprintf("The password is too short: it must have at least %d characters.", r.Min)
	case password.TooLong:
		return fmt.Sprintf("The password is too long: it must have at most %d characters.", r.Max)
	case password.Common:
		return "The password is too common: it is on the list of passwords attackers try first."
	case password.Context:
		return "The password is the user's own name or address."
	}
	return "The password must be text without control characters."
}

type validMember struct {
	addr core.Address
	user core.User
}

// validateMember checks what can be checked without the store, and builds
// the user: a member with no invitation state (Graph shows null), whose
// mail is the address they sign in with.
func validateMember(t *core.Tenant, m NewMember) (validMember, error) {
	var v validMember
	switch {
	case m.AccountEnabled == nil:
		return v, required("accountEnabled")
	case strings.TrimSpace(m.DisplayName) == "":
		return v, required("displayName")
	case m.MailNickname == "":
		return v, required("mailNickname")
	case m.UserPrincipalName == "":
		return v, required("userPrincipalName")
	case m.Password == nil:
		return v, required("passwordProfile")
	}
	if !validNickname(m.MailNickname) {
		return v, core.Invalidf("Property mailNickname is invalid: at most 64 characters, without spaces or @ ( ) \\ [ ] \" ; : < > ,")
	}
	addr, err := memberAddress(t, m.UserPrincipalName)
	if err != nil {
		return v, err
	}
	if m.Mail != "" && !strings.EqualFold(m.Mail, addr.String()) {
		return v, core.Invalidf("Property mail is invalid: a member's mail is their userPrincipalName, %s.", addr)
	}
	if m.UserType != "" && m.UserType != core.UserTypeMember {
		return v, core.Invalidf("Property userType is invalid: a user created with a password is a Member; invite guests with POST /invitations.")
	}
	sp, err := validate(Patch{
		DisplayName: &m.DisplayName, PreferredLanguage: &m.PreferredLanguage,
		GivenName: &m.Profile.GivenName, Surname: &m.Profile.Surname, JobTitle: &m.Profile.JobTitle,
		OfficeLocation: &m.Profile.OfficeLocation, MobilePhone: &m.Profile.MobilePhone,
		BusinessPhones: &m.Profile.BusinessPhones,
	})
	if err != nil {
		return v, err
	}
	v.addr = addr
	v.user = core.User{
		DisplayName: *sp.DisplayName, Mail: addr.String(), MailKey: addr.Key(), UserPrincipalName: addr.String(),
		UserType: core.UserTypeMember, Method: core.MethodPassword, Blocked: !*m.AccountEnabled,
		PreferredLanguage: *sp.PreferredLanguage, Profile: m.Profile,
		Identities: []core.Identity{{SignInType: "userPrincipalName", Issuer: t.InitialDomain, IssuerAssignedID: addr.String()}},
	}
	return v, nil
}

// memberAddress parses a member's user principal name: Graph's characters
// in the local part, and a domain the tenant verified (R41). The initial
// domain under the deployment's domain is never one: it names the tenant,
// not a mailbox anyone receives mail at.
func memberAddress(t *core.Tenant, upn string) (core.Address, error) {
	addr, err := core.ParseAddress(upn)
	if err != nil || !upnLocal(addr.Local) {
		return core.Address{}, core.Invalidf(msgUPNInvalid)
	}
	if addr.Domain == t.InitialDomain || !slices.Contains(t.Domains, addr.Domain) {
		return core.Address{}, core.Invalidf(msgUPNDomain)
	}
	return addr, nil
}

// upnLocal reports whether s uses only the characters Graph allows in the
// local part of a user principal name: A–Z a–z 0–9 ' . - _ ! # ^ ~.
func upnLocal(s string) bool {
	for _, r := range s {
		ok := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || strings.ContainsRune("'.-_!#^~", r)
		if !ok {
			return false
		}
	}
	return s != ""
}

// validNickname is Graph's mailNickname: 1–64 printable ASCII characters
// without spaces or the characters mail addresses reserve.
func validNickname(s string) bool {
	if len(s) > 64 {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r > '~' || strings.ContainsRune("@()\\[]\";:<>,", r) {
			return false
		}
	}
	return s != ""
}
