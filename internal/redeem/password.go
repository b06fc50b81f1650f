package redeem

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"guestlist/internal/core"
	"guestlist/internal/idp"
	"guestlist/internal/store"
)

// PasswordRules are how the engine hashes and judges new passwords
// (package password): NIST SP 800-63B's rules, Argon2id.
type PasswordRules struct {
	Hash  func(ctx context.Context, plain string) (string, error)
	Check func(plain string, context ...string) error
}

// SetPassword completes a flow that ends in a new password, with the code
// mailed to the flow's address and the password chosen, in one
// transaction: a new personal account (sign-up), a forgotten password
// replaced (reset: every session and token of the account ends, for the
// old password may be known), or — from a redeem link to which nothing
// else applies — a new personal account the guest redeems with (R10 step
// 6). Errors: ErrWrongStep, the password rules' rejection, the passcode's
// (passcode.ErrMalformed and its rejections), ErrAccountExists.
func (s *Service) SetPassword(ctx context.Context, tenant *core.Tenant, f *core.Flow, u *core.User, code, plain, clientIP, lang string) (*Completed, error) {
	route, err := s.Next(ctx, tenant, f, u)
	if err != nil {
		return nil, err
	}
	if route.Step != StepSetPassword && route.Step != StepSignup {
		return nil, ErrWrongStep
	}
	addr, err := core.ParseAddress(f.Email)
	if err != nil {
		return nil, ErrNoFlow
	}
	hash, err := s.newHash(ctx, plain, addr, u)
	if err != nil {
		return nil, err
	}
	otp := s.method(core.MethodOTP)
	if otp == nil {
		return nil, ErrNoMethod
	}
	proof, err := otp.Complete(ctx, tenant, f, idp.Answer{Secret: code, ClientIP: clientIP})
	if err != nil {
		return nil, err
	}
	var out *Completed
	var rejected error
	err = s.st.InTx(ctx, func(tx store.Tx) error {
		out, rejected = nil, nil
		r, err := proof.Check(ctx, tx)
		if err != nil || r != nil {
			rejected = r
			return err
		}
		flow := *f
		switch {
		case route.Step == StepSignup:
			out, err = s.redeemWithNewAccount(ctx, tx, &flow, u, addr, hash, lang)
		case f.Purpose == core.FlowSignup:
			out, err = s.signUp(ctx, tx, &flow, addr, hash, lang)
		default:
			out, err = s.reset(ctx, tx, &flow, addr, hash)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if rejected != nil {
		return nil, rejected
	}
	return out, nil
}

// ErrAccountExists: a personal account was made for the address while
// this sign-up ran.
var ErrAccountExists = core.Errorf(core.ErrConflict, "Request_BadRequest", "an account with this address exists")

// newHash judges and hashes a new password; the address and the name are
// words it may not be (NIST SP 800-63B 5.1.1.2).
func (s *Service) newHash(ctx context.Context, plain string, addr core.Address, u *core.User) (string, error) {
	rules := s.cfg.Passwords
	if rules.Hash == nil || rules.Check == nil {
		return "", ErrNoMethod
	}
	words := []string{addr.String(), addr.Local}
	if u != nil && u.DisplayName != "" {
		words = append(words, u.DisplayName)
	}
	if err := rules.Check(plain, words...); err != nil {
		return "", err
	}
	return rules.Hash(ctx, plain)
}

// newPersonalAccount creates a personal account with its password in tx.
func (s *Service) newPersonalAccount(ctx context.Context, tx store.Tx, addr core.Address, hash, lang string) (*core.User, error) {
	now := s.now()
	acct := &core.User{
		TenantID: core.ConsumersTenantID, ID: uuid.NewString(), DisplayName: addr.Local,
		Mail: addr.String(), MailKey: addr.Key(), UserPrincipalName: addr.String(),
		UserType: core.UserTypeMember, Method: core.MethodPassword, PreferredLanguage: lang,
		Identities: []core.Identity{{SignInType: "emailAddress", Issuer: core.MethodPersonal.Issuer(), IssuerAssignedID: addr.String()}},
		CreatedAt:  now, StateChangedAt: now,
	}
	if err := tx.CreateUser(ctx, acct); err != nil {
		if errors.Is(err, core.ErrConflict) {
			return nil, ErrAccountExists
		}
		return nil, err
	}
	pw := &core.Password{TenantID: acct.TenantID, UserID: acct.ID, Hash: hash, ChangedAt: now}
	if err := tx.SetPassword(ctx, pw); err != nil {
		return nil, err
	}
	return acct, nil
}

// redeemWithNewAccount is R10 step 6: the guest's new personal account
// is what they proved, and what they redeem with.
func (s *Service) redeemWithNewAccount(ctx context.Context, tx store.Tx, f *core.Flow, u *core.User, addr core.Address, hash, lang string) (*Completed, error) {
	acct, err := s.newPersonalAccount(ctx, tx, addr, hash, lang)
	if err != nil {
		return nil, err
	}
	if lang != "" && lang != u.PreferredLanguage {
		if err := tx.SetPreferredLanguage(ctx, f.TenantID, u.ID, lang); err != nil {
			return nil, notFoundAs(err, ErrNoFlow)
		}
	}
	return s.signIn(ctx, tx, f, u, core.FlowStarted, core.FlowVerified, core.MethodPersonal, acct.ID, "")
}

// signUp creates the personal account of a sign-up flow of the consumers
// tenant and signs it in there.
func (s *Service) signUp(ctx context.Context, tx store.Tx, f *core.Flow, addr core.Address, hash, lang string) (*Completed, error) {
	acct, err := s.newPersonalAccount(ctx, tx, addr, hash, lang)
	if err != nil {
		return nil, err
	}
	return s.signIn(ctx, tx, f, acct, core.FlowStarted, core.FlowVerified, core.MethodPassword, acct.ID, "")
}

// reset replaces the account's password and ends its sessions and tokens;
// the flow ends on a page, and the person signs in with the new password.
func (s *Service) reset(ctx context.Context, tx store.Tx, f *core.Flow, addr core.Address, hash string) (*Completed, error) {
	u, _, err := tx.PasswordByMail(ctx, f.TenantID, addr.Key())
	if err != nil {
		return nil, notFoundAs(err, ErrNoFlow) // the account went away meanwhile
	}
	now := s.now()
	if err := tx.SetPassword(ctx, &core.Password{TenantID: f.TenantID, UserID: u.ID, Hash: hash, ChangedAt: now}); err != nil {
		return nil, err
	}
	if err := tx.EndUserAccess(ctx, f.TenantID, u.ID, now); err != nil {
		return nil, err
	}
	if err := tx.SetFlowStep(ctx, f.TenantID, f.ID, core.FlowStarted, core.FlowDone); err != nil {
		if errors.Is(err, core.ErrConflict) {
			return nil, ErrWrongStep
		}
		return nil, err
	}
	f.Step = core.FlowDone
	return &Completed{Flow: *f}, nil
}

// ChangePassword takes the new password of a member or account whose
// password had to be changed (forceChangePasswordNextSignIn) and goes on
// with the sign-in it interrupted. Errors: ErrWrongStep, the password
// rules' rejection.
func (s *Service) ChangePassword(ctx context.Context, tenant *core.Tenant, f *core.Flow, u *core.User, plain, lang string) (*Completed, error) {
	if f.Step != core.FlowNewPassword || u == nil {
		return nil, ErrWrongStep
	}
	addr, err := core.ParseAddress(f.Email)
	if err != nil {
		return nil, ErrNoFlow
	}
	holder, err := s.accountTenant(ctx, tenant, f.ProvedMethod, addr)
	if err != nil {
		return nil, err
	}
	hash, err := s.newHash(ctx, plain, addr, u)
	if err != nil {
		return nil, err
	}
	var out *Completed
	err = s.st.InTx(ctx, func(tx store.Tx) error {
		pw := &core.Password{TenantID: holder, UserID: f.ProvedSubject, Hash: hash, ChangedAt: s.now()}
		if err := tx.SetPassword(ctx, pw); err != nil {
			return notFoundAs(err, ErrNoFlow)
		}
		if lang != "" && lang != u.PreferredLanguage {
			if err := tx.SetPreferredLanguage(ctx, f.TenantID, u.ID, lang); err != nil {
				return notFoundAs(err, ErrNoFlow)
			}
		}
		flow := *f
		var err error
		out, err = s.signIn(ctx, tx, &flow, u, core.FlowNewPassword, core.FlowVerified, f.ProvedMethod, f.ProvedSubject, f.ProvedIssuer)
		return err
	})
	return out, err
}

// accountTenant is the tenant that holds the password proved with m.
func (s *Service) accountTenant(ctx context.Context, tenant *core.Tenant, m core.Method, addr core.Address) (string, error) {
	switch m {
	case core.MethodPassword:
		return tenant.ID, nil
	case core.MethodPersonal:
		return core.ConsumersTenantID, nil
	case core.MethodHomeTenant:
		h, err := s.st.TenantByDomain(ctx, addr.Domain)
		if err != nil {
			return "", notFoundAs(err, ErrNoFlow)
		}
		return h.ID, nil
	}
	return "", ErrWrongStep
}
