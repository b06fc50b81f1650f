package invite

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"guestlist/internal/audit"
	"guestlist/internal/compose"
	"guestlist/internal/core"
	"guestlist/internal/i18n"
	"guestlist/internal/mail"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// TokenPurpose is the keyring purpose redeem tokens are hashed under.
const TokenPurpose = "redeem-token"

// Service invites guests.
type Service struct {
	st      store.Store
	keys    *platform.Keyring
	now     platform.Clock
	cat     *i18n.Catalog
	mails   *compose.Composer
	baseURL string
	notify  func() // wakes the mail worker after a commit that queued mail
	limits  MailLimits
}

// New returns a Service. baseURL is the public URL redeem links start with.
func New(st store.Store, keys *platform.Keyring, now platform.Clock, cat *i18n.Catalog,
	mails *compose.Composer, baseURL string, notify func(), limits MailLimits) *Service {
	return &Service{st: st, keys: keys, now: now, cat: cat, mails: mails,
		baseURL: strings.TrimSuffix(baseURL, "/"), notify: notify, limits: limits}
}

// Request is Graph's invitation resource as posted (SPEC R1).
type Request struct {
	Email                 string
	RedirectURL           string
	DisplayName           string
	SendInvitationMessage bool
	MessageInfo           core.MessageInfo
	UserType              string
	ResetRedemption       bool
	InvitedUserID         string
	// ExpiresAt is when the link stops working (guestlist's own, SPEC R8);
	// zero takes the tenant's default, if any.
	ExpiresAt time.Time
}

// Result is the stored invitation, its user and the redeem link (the only
// time the token exists outside the guest's mailbox).
type Result struct {
	Invitation core.Invitation
	User       core.User
	RedeemURL  string
}

// Invite validates r and records the invitation. Errors: core.ErrInvalid
// (bad input), core.ErrNotFound (reset of an unknown user),
// *core.RetryLater of core.ErrThrottled (a mail limit; nothing is written).
func (s *Service) Invite(ctx context.Context, tenant *core.Tenant, r Request) (*Result, error) {
	v, err := validate(r)
	if err != nil {
		return nil, err
	}
	var given *core.Address // a reset may keep the user's address
	if !r.ResetRedemption || r.Email != "" {
		given = &v.addr
	}
	if err := mayInvite(tenant, given); err != nil {
		return nil, err
	}
	now := s.now()
	token := platform.NewToken()
	inv := core.Invitation{
		TenantID: tenant.ID, ID: uuid.NewString(), Email: v.addr.String(),
		DisplayName: v.displayName, RedirectURL: r.RedirectURL, UserType: v.userType,
		SendInvitationMessage: r.SendInvitationMessage, MessageInfo: v.info,
		TokenHash: s.keys.Hash(TokenPurpose, token), Status: core.InvitationPending, CreatedAt: now,
	}
	res := &Result{RedeemURL: s.baseURL + "/" + tenant.ID + "/redeem?t=" + token}
	err = s.st.InTx(ctx, func(tx store.Tx) error {
		if err := tx.Lock(ctx, tenant.ID, "user:"+v.addr.Key()); err != nil {
			return err
		}
		if r.SendInvitationMessage {
			if err := s.checkMailLimits(ctx, tx, tenant.ID, v.addr.Key(), now); err != nil {
				return err
			}
		}
		var err error
		if inv.ExpiresAt, err = s.expiryOf(ctx, tx, tenant.ID, r.ExpiresAt, now); err != nil {
			return err
		}
		var u *core.User
		if r.ResetRedemption {
			u, err = s.reset(ctx, tx, tenant, r.InvitedUserID, v.addr, r.Email != "")
		} else {
			u, err = s.findOrCreate(ctx, tx, tenant, v)
		}
		if err != nil {
			return err
		}
		if err := domainRule(tenant, u); err != nil {
			return err
		}
		inv.UserID, inv.Email = u.ID, u.Mail
		if u.ExternalUserState == core.StateAccepted {
			inv.Status = core.InvitationCompleted
			inv.RedeemedAt = now
		}
		if r.SendInvitationMessage {
			if inv.MessageID, err = s.queueMail(ctx, tx, tenant, u, &inv, res.RedeemURL); err != nil {
				return err
			}
		}
		if err := tx.CreateInvitation(ctx, &inv); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, tenant.ID, inviteActivity(r), inviteTarget(u, &inv)); err != nil {
			return err
		}
		res.User = *u
		return nil
	})
	if err != nil {
		return nil, err
	}
	if inv.MessageID != "" && s.notify != nil {
		s.notify()
	}
	res.Invitation = inv
	return res, nil
}

type validated struct {
	addr        core.Address
	displayName string
	userType    string
	info        core.MessageInfo
}

func validate(r Request) (validated, error) {
	var v validated
	var err error
	if r.ResetRedemption {
		if r.InvitedUserID == "" {
			return v, core.Invalidf("resetRedemption requires invitedUser.id")
		}
		if r.Email == "" { // the address is taken from the user below
			r.Email = "placeholder@invalid.example"
		}
	}
	if v.addr, err = core.ParseAddress(r.Email); err != nil {
		return v, core.Invalidf("invitedUserEmailAddress: %s", err.Error())
	}
	if _, err := core.ValidateRedirectURL(r.RedirectURL); err != nil {
		return v, err
	}
	v.displayName = strings.TrimSpace(r.DisplayName)
	if utf8.RuneCountInString(v.displayName) > 256 || strings.ContainsAny(v.displayName, "\r\n\x00") {
		return v, core.Invalidf("invitedUserDisplayName must be one line of at most 256 characters")
	}
	switch r.UserType {
	case "", core.UserTypeGuest:
		v.userType = core.UserTypeGuest
	case core.UserTypeMember:
		v.userType = core.UserTypeMember
	default:
		return v, core.Invalidf("invitedUserType must be Guest or Member")
	}
	v.info = r.MessageInfo
	if utf8.RuneCountInString(v.info.CustomizedMessageBody) > 10000 {
		return v, core.Invalidf("customizedMessageBody must be at most 10000 characters")
	}
	if len(v.info.CCRecipients) > 1 {
		return v, core.Invalidf("ccRecipients: at most one additional recipient is supported")
	}
	for i, cc := range v.info.CCRecipients {
		a, err := core.ParseAddress(cc)
		if err != nil {
			return v, core.Invalidf("ccRecipients: %s", err.Error())
		}
		v.info.CCRecipients[i] = a.String()
	}
	return v, nil
}

func (s *Service) findOrCreate(ctx context.Context, tx store.Tx, tenant *core.Tenant, v validated) (*core.User, error) {
	u, err := tx.UserByMail(ctx, tenant.ID, v.addr.Key())
	if err == nil {
		return u, nil // SPEC R2: the same user, never a duplicate
	}
	if !errors.Is(err, core.ErrNotFound) {
		return nil, err
	}
	name := v.displayName
	if name == "" {
		name = core.DefaultDisplayName(v.addr)
	}
	now := s.now()
	u = &core.User{
		TenantID: tenant.ID, ID: uuid.NewString(), DisplayName: name,
		Mail: v.addr.String(), MailKey: v.addr.Key(),
		UserPrincipalName: core.GuestUPN(v.addr, tenant.InitialDomain),
		UserType:          v.userType, ExternalUserState: core.StatePendingAcceptance,
		StateChangedAt: now, CreationType: core.CreationTypeInvitation, CreatedAt: now,
	}
	return u, tx.CreateUser(ctx, u)
}

// reset implements SPEC R13: back to PendingAcceptance, identities and the
// locked-in method (R11) cleared,
// sessions and every token revoked, object id and everything attached to
// it kept.
func (s *Service) reset(ctx context.Context, tx store.Tx, tenant *core.Tenant, userID string, addr core.Address, newAddr bool) (*core.User, error) {
	u, err := tx.GetUser(ctx, tenant.ID, userID)
	if err != nil {
		return nil, err
	}
	if u.CreationType != core.CreationTypeInvitation {
		return nil, core.Invalidf("only invited users can have their redemption reset")
	}
	now := s.now()
	if newAddr && addr.Key() != u.MailKey {
		if other, err := tx.UserByMail(ctx, tenant.ID, addr.Key()); err == nil && other.ID != u.ID {
			return nil, core.Errorf(core.ErrConflict, "Request_MultipleObjectsWithSameKeyFound",
				"another user of this tenant already has the address %s", addr.String())
		}
		u.Mail, u.MailKey = addr.String(), addr.Key()
		u.UserPrincipalName = core.GuestUPN(addr, tenant.InitialDomain)
		if err := tx.SetUserMail(ctx, tenant.ID, u.ID, u.Mail, u.MailKey, u.UserPrincipalName); err != nil {
			return nil, err
		}
	}
	u.ExternalUserState = core.StatePendingAcceptance
	u.StateChangedAt = now
	u.Identities, u.Method = nil, core.MethodNone // the next redemption chooses afresh (R10)
	if err := tx.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, tx.EndUserAccess(ctx, tenant.ID, u.ID, now)
}

func (s *Service) queueMail(ctx context.Context, tx store.Tx, tenant *core.Tenant, u *core.User, inv *core.Invitation, link string) (string, error) {
	lang := s.cat.Match(inv.MessageInfo.MessageLanguage)
	if lang == "" {
		lang = s.cat.Supported(u.PreferredLanguage)
	}
	if lang == "" {
		lang = tenant.DefaultLanguage
	}
	name := inv.DisplayName
	if name == "" {
		name = u.GivenName() // "" greets neutrally, never by the address
	}
	brand, err := tx.GetBranding(ctx, tenant.ID)
	if err != nil {
		return "", err
	}
	m, err := s.mails.Invitation(compose.Invitation{
		Lang: lang, Org: tenant.DisplayName, Name: name,
		CustomMessage: inv.MessageInfo.CustomizedMessageBody, RedeemURL: link, Brand: compose.BrandOf(brand),
	})
	if err != nil {
		return "", err
	}
	msg := mail.NewOutbox(core.OutboxMessage{
		TenantID: tenant.ID, Kind: core.MailInvitation,
		To: []string{u.Mail}, CC: inv.MessageInfo.CCRecipients,
		Subject: m.Subject, TextBody: m.Text, HTMLBody: m.HTML,
	}, s.now())
	return msg.ID, tx.EnqueueMail(ctx, msg)
}
