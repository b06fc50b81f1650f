package admins

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"guestlist/internal/audit"
	"guestlist/internal/compose"
	"guestlist/internal/core"
	"guestlist/internal/mail"
	"guestlist/internal/platform"
	"guestlist/internal/roles"
	"guestlist/internal/store"
	"guestlist/internal/tenants"
	"guestlist/internal/users"
)

// LinkTTL is how long a set-password link works.
const LinkTTL = 24 * time.Hour

// linkPurpose is the keyring purpose link tokens are hashed under.
const linkPurpose = "admin-password-link"

// PasswordRules hash and judge a new password (package password: NIST SP
// 800-63B's rules, Argon2id).
type PasswordRules struct {
	Hash  func(ctx context.Context, plain string) (string, error)
	Check func(plain string, context ...string) error
}

// Service creates first administrators and their set-password links.
type Service struct {
	st      store.Store
	keys    *platform.Keyring
	now     platform.Clock
	mails   *compose.Composer
	tenants *tenants.Service
	users   *users.Service
	roles   *roles.Service
	rules   PasswordRules
	baseURL string
	notify  func() // wakes the outbox worker; may be nil
}

// New returns a Service. baseURL is the deployment's public URL the links
// are made under; notify, if not nil, is called after a mail is queued.
func New(st store.Store, keys *platform.Keyring, now platform.Clock, mails *compose.Composer,
	ts *tenants.Service, us *users.Service, rs *roles.Service, rules PasswordRules, baseURL string, notify func()) *Service {
	return &Service{st: st, keys: keys, now: now, mails: mails, tenants: ts, users: us, roles: rs,
		rules: rules, baseURL: strings.TrimSuffix(baseURL, "/"), notify: notify}
}

// Admin is an administrator to whom a set-password link was mailed. The
// link itself is never returned: only its recipient reads it.
type Admin struct {
	User        core.User
	LinkExpires time.Time
}

// CreateTenant creates the tenant of r and, when adminEmail is not empty,
// its first administrator in the same transaction: a member whose user
// principal name is adminEmail, holding Global Administrator for the
// whole tenant, and the mail with their set-password link. If any of it
// fails, nothing is written. The actor of the audit records is ctx's (the
// operator: the zero actor). Errors: those of tenants.Service.Create;
// core.ErrInvalid naming adminEmail (not an address in one of the tenant's
// verified domains).
func (s *Service) CreateTenant(ctx context.Context, r tenants.Request, adminEmail string) (*tenants.Created, *Admin, error) {
	if adminEmail == "" {
		c, err := s.tenants.Create(ctx, r)
		return c, nil, err
	}
	if _, err := core.ParseAddress(adminEmail); err != nil {
		return nil, nil, core.Invalidf("adminEmail %q is not a valid email address", adminEmail)
	}
	var admin *Admin
	r.Then = func(ctx context.Context, tx store.Tx, t *core.Tenant) error {
		admin = nil
		if err := checkDomain(t, adminEmail); err != nil {
			return err
		}
		u, err := s.users.CreatePasswordlessMember(ctx, tx, t, adminEmail)
		if err != nil {
			if e, ok := core.PublicError(err); ok && errors.Is(err, core.ErrInvalid) {
				return core.Invalidf("adminEmail %q cannot be the first administrator's user principal name: %s", adminEmail, e.Message)
			}
			return err
		}
		if _, err := s.roles.AssignTx(ctx, tx, t.ID, roles.GlobalAdministrator, u.ID, roles.TenantScope); err != nil {
			return err
		}
		exp, err := s.issue(ctx, tx, t, u)
		if err != nil {
			return err
		}
		admin = &Admin{User: *u, LinkExpires: exp}
		return nil
	}
	c, err := s.tenants.Create(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	s.wake()
	return c, admin, nil
}

// checkDomain refuses an address outside the tenant's verified domains
// with a message the operator can act on (the initial domain receives no
// mail, so the link could not reach it).
func checkDomain(t *core.Tenant, email string) error {
	addr, err := core.ParseAddress(email)
	if err != nil {
		return core.Invalidf("adminEmail %q is not a valid email address", email)
	}
	if slices.Contains(t.Domains, addr.Domain) {
		return nil
	}
	if len(t.Domains) == 0 {
		return core.Invalidf("adminEmail %q must be in one of the tenant's verified domains, and the tenant has none: add its domain to domains", email)
	}
	return core.Invalidf("adminEmail %q must be an address in one of the tenant's verified domains (%s): the administrator signs in with it and the link to set their password is mailed to it",
		email, strings.Join(t.Domains, ", "))
}

// SendLink mails the tenant's administrator userID a new set-password
// link; their earlier links stop working. Errors: core.ErrNotFound (no
// such tenant or user), core.ErrInvalid (the user is not a member holding
// a directory role).
func (s *Service) SendLink(ctx context.Context, tenantID, userID string) (*Admin, error) {
	t, err := s.tenants.Get(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var admin *Admin
	err = s.st.InTx(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, t.ID, userID)
		if err != nil {
			return err
		}
		if err := s.mayHaveLink(ctx, tx, u); err != nil {
			return err
		}
		exp, err := s.issue(ctx, tx, t, u)
		if err != nil {
			return err
		}
		admin = &Admin{User: *u, LinkExpires: exp}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.wake()
	return admin, nil
}

// SendLinkTo is SendLink for the administrator with the address email.
func (s *Service) SendLinkTo(ctx context.Context, tenantID, email string) (*Admin, error) {
	addr, err := core.ParseAddress(email)
	if err != nil {
		return nil, core.Invalidf("%q is not a valid email address", email)
	}
	u, err := s.st.UserByMail(ctx, tenantID, addr.Key())
	if err != nil {
		if errors.Is(err, core.ErrNotFound) {
			return nil, core.NotFoundf("the tenant %s has no user %s", tenantID, email)
		}
		return nil, err
	}
	return s.SendLink(ctx, tenantID, u.ID)
}

// mayHaveLink: only a member who signs in with a password here and holds
// a directory role gets a link from the operator; anyone else's password
// is their administrators' business (Graph's passwordProfile).
func (s *Service) mayHaveLink(ctx context.Context, tx store.Tx, u *core.User) error {
	if u.UserType != core.UserTypeMember || u.Method != core.MethodPassword {
		return core.Invalidf("the user %s is not a member who signs in with a password here", u.ID)
	}
	held, err := tx.RolesOf(ctx, u.TenantID, u.ID)
	if err != nil {
		return err
	}
	if len(held) == 0 {
		return core.Invalidf("the user %s holds no directory role; the operator mails set-password links to administrators only", u.ID)
	}
	return nil
}

// issue stores a new link for u in tx (replacing their earlier ones),
// queues its mail and records it; it returns when the link expires.
func (s *Service) issue(ctx context.Context, tx store.Tx, t *core.Tenant, u *core.User) (time.Time, error) {
	now := s.now()
	token := platform.Secret(platform.NewToken())
	l := &core.PasswordLink{TenantID: t.ID, ID: uuid.NewString(), UserID: u.ID,
		Hash: s.hash(t.ID, token), CreatedAt: now, ExpiresAt: now.Add(LinkTTL)}
	if err := tx.IssuePasswordLink(ctx, l); err != nil {
		return time.Time{}, err
	}
	lang := u.PreferredLanguage
	if lang == "" {
		lang = t.DefaultLanguage
	}
	m, err := s.mails.AdminLink(compose.AdminLink{Lang: lang, Org: t.DisplayName, Email: u.UserPrincipalName,
		Link: s.linkURL(t.ID, token), ExpiresAt: l.ExpiresAt})
	if err != nil {
		return time.Time{}, err
	}
	// Sensitive: the body holds the link, so it is cleared once sent.
	if err := tx.EnqueueMail(ctx, mail.NewOutbox(core.OutboxMessage{
		TenantID: t.ID, Kind: core.MailPasswordLink, To: []string{u.Mail},
		Subject: m.Subject, TextBody: m.Text, HTMLBody: m.HTML, Sensitive: true,
	}, now)); err != nil {
		return time.Time{}, err
	}
	err = audit.Record(ctx, tx, now, t.ID, audit.SendPasswordLink,
		audit.User(u, audit.Set("PasswordLinkExpires", nil, l.ExpiresAt.UTC().Format(time.RFC3339))))
	return l.ExpiresAt, err
}

// linkURL is the page the link opens (package web).
func (s *Service) linkURL(tenantID string, token platform.Secret) string {
	return s.baseURL + "/" + tenantID + "/admin/password?token=" + string(token)
}

// hash is what is stored of a token: bound to its tenant, so a link of
// one tenant is no link under another's path.
func (s *Service) hash(tenantID string, token platform.Secret) []byte {
	return s.keys.Hash(linkPurpose, tenantID+":"+string(token))
}

func (s *Service) wake() {
	if s.notify != nil {
		s.notify()
	}
}
