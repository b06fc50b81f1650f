package admins

import (
	"context"
	"errors"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// Why a link does not work; the page says so in the reader's language.
var (
	ErrLinkUnknown = core.NotFoundf("the set-password link is not valid")
	ErrLinkUsed    = core.Errorf(core.ErrConflict, "Request_BadRequest", "the set-password link has been used")
	ErrLinkExpired = core.Errorf(core.ErrConflict, "Request_BadRequest", "the set-password link has expired")
)

// Open is the administrator whose link token is, in tenant t, while the
// link works. Errors: ErrLinkUnknown, ErrLinkUsed, ErrLinkExpired.
func (s *Service) Open(ctx context.Context, t *core.Tenant, token platform.Secret) (*core.User, error) {
	l, err := s.live(ctx, s.st, t, token)
	if err != nil {
		return nil, err
	}
	return s.linkUser(ctx, s.st, l)
}

// SetPassword sets the password of the administrator whose link token is,
// spends the link, clears forceChangePasswordNextSignIn and ends every
// session and token of theirs, in one transaction. A password the rules
// refuse leaves the link working (their error, a *password.Rejected).
// Errors: ErrLinkUnknown, ErrLinkUsed, ErrLinkExpired.
func (s *Service) SetPassword(ctx context.Context, t *core.Tenant, token platform.Secret, plain string) (*core.User, error) {
	u, err := s.Open(ctx, t, token)
	if err != nil {
		return nil, err
	}
	words := []string{u.UserPrincipalName, u.DisplayName}
	if addr, err := core.ParseAddress(u.UserPrincipalName); err == nil {
		words = append(words, addr.Local)
	}
	if err := s.rules.Check(plain, words...); err != nil {
		return nil, err
	}
	hash, err := s.rules.Hash(ctx, plain)
	if err != nil {
		return nil, err
	}
	// The member sets their own password: they are the actor.
	ctx = core.WithActor(ctx, core.Actor{UserID: u.ID, UserPrincipalName: u.UserPrincipalName})
	err = s.st.InTx(ctx, func(tx store.Tx) error {
		l, err := s.live(ctx, tx, t, token)
		if err != nil {
			return err
		}
		now := s.now()
		if err := tx.UsePasswordLink(ctx, t.ID, l.ID, now); errors.Is(err, core.ErrConflict) {
			return ErrLinkUsed
		} else if errors.Is(err, core.ErrNotFound) {
			return ErrLinkUnknown
		} else if err != nil {
			return err
		}
		if u, err = s.linkUser(ctx, tx, l); err != nil {
			return err
		}
		if err := tx.SetPassword(ctx, &core.Password{TenantID: t.ID, UserID: u.ID, Hash: hash, ChangedAt: now}); err != nil {
			return err
		}
		if err := tx.EndUserAccess(ctx, t.ID, u.ID, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, t.ID, audit.SetPasswordWithLink, audit.User(u))
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// live is the working link of token in t.
func (s *Service) live(ctx context.Context, tx store.Tx, t *core.Tenant, token platform.Secret) (*core.PasswordLink, error) {
	if token == "" || len(token) > 128 {
		return nil, ErrLinkUnknown
	}
	l, err := tx.PasswordLinkByHash(ctx, t.ID, s.hash(t.ID, token))
	switch {
	case errors.Is(err, core.ErrNotFound):
		return nil, ErrLinkUnknown
	case err != nil:
		return nil, err
	case !l.UsedAt.IsZero():
		return nil, ErrLinkUsed
	case !s.now().Before(l.ExpiresAt):
		return nil, ErrLinkExpired
	}
	return l, nil
}

// linkUser is the member the link is for.
func (s *Service) linkUser(ctx context.Context, tx store.Tx, l *core.PasswordLink) (*core.User, error) {
	u, err := tx.GetUser(ctx, l.TenantID, l.UserID)
	if errors.Is(err, core.ErrNotFound) {
		return nil, ErrLinkUnknown
	}
	return u, err
}
