package branding

import (
	"context"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// Service reads and changes company branding.
type Service struct {
	st  store.Store
	now platform.Clock
}

// New returns the service.
func New(st store.Store, now platform.Clock) *Service { return &Service{st: st, now: now} }

// Get is the tenant's branding, the zero value when it has none.
func (s *Service) Get(ctx context.Context, tenantID string) (*core.Branding, error) {
	return s.st.GetBranding(ctx, tenantID)
}

// Logo is the tenant's logo. Errors: core.ErrNotFound when it has none.
func (s *Service) Logo(ctx context.Context, tenantID string) (*core.Logo, error) {
	return s.st.GetLogo(ctx, tenantID)
}

// Change is a change to the branding: each field that is set is checked
// and, when it differs from what is stored, written on its own; nil
// leaves it as it is.
type Change struct {
	// Logo is a new logo's bytes; RemoveLogo removes the logo.
	Logo       []byte
	RemoveLogo bool
	// AccentColor, SignInText, PrivacyURL: "" removes the value.
	AccentColor *string
	SignInText  *string
	PrivacyURL  *string
	// PasscodeInSubject is the tenant's R53 setting.
	PasscodeInSubject *bool
}

// Update checks every value of c first, so a bad one changes nothing,
// then writes the ones that change, with one audit record naming each.
// It reports whether anything changed. Errors: ErrLogoFormat, ErrLogoSize,
// ErrLogoPixels, ErrColor, ErrText, ErrPrivacyURL (all core.ErrInvalid),
// core.ErrNotFound.
func (s *Service) Update(ctx context.Context, tenantID string, c Change) (bool, error) {
	var w writes
	if err := w.check(c, s.now()); err != nil {
		return false, err
	}
	var changed bool
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		t, err := tx.GetTenant(ctx, tenantID)
		if err != nil {
			return err
		}
		cur, err := tx.GetBranding(ctx, tenantID)
		if err != nil {
			return err
		}
		mods, err := w.apply(ctx, tx, t, cur)
		if err != nil || len(mods) == 0 {
			return err
		}
		changed = true
		return audit.Record(ctx, tx, s.now(), tenantID, audit.UpdateBranding,
			audit.Branding(tenantID, t.DisplayName, mods...))
	})
	return changed, err
}
