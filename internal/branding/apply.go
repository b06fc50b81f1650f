package branding

import (
	"context"
	"fmt"
	"time"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/store"
)

// writes is a Change with its values checked.
type writes struct {
	logo                 *core.Logo
	removeLogo           bool
	color, text, privacy *string
	passcodeInSubject    *bool
}

func (w *writes) check(c Change, now time.Time) error {
	if c.Logo != nil && !c.RemoveLogo {
		ct, err := checkLogo(c.Logo)
		if err != nil {
			return err
		}
		w.logo = &core.Logo{LogoInfo: core.LogoInfo{ContentType: ct, ETag: etag(c.Logo), UpdatedAt: now}, Data: c.Logo}
	}
	w.removeLogo = c.RemoveLogo
	for _, f := range []struct {
		in    *string
		out   **string
		check func(string) (string, error)
	}{{c.AccentColor, &w.color, checkColor}, {c.SignInText, &w.text, checkText}, {c.PrivacyURL, &w.privacy, checkPrivacyURL}} {
		if f.in == nil {
			continue
		}
		v, err := f.check(*f.in)
		if err != nil {
			return err
		}
		*f.out = &v
	}
	w.passcodeInSubject = c.PasscodeInSubject
	return nil
}

// apply writes the values that differ from cur and t; it returns what it
// changed, for the audit record. The logo's bytes are never logged: only
// its type and size.
func (w *writes) apply(ctx context.Context, tx store.Tx, t *core.Tenant, cur *core.Branding) ([]core.ModifiedProperty, error) {
	var mods []core.ModifiedProperty
	switch {
	case w.removeLogo && cur.Logo != nil:
		if err := tx.SetLogo(ctx, t.ID, nil); err != nil {
			return nil, err
		}
		mods = append(mods, audit.Set("bannerLogo", cur.Logo.ContentType, nil))
	case w.logo != nil && (cur.Logo == nil || cur.Logo.ETag != w.logo.ETag):
		if err := tx.SetLogo(ctx, t.ID, w.logo); err != nil {
			return nil, err
		}
		mods = append(mods, audit.Set("bannerLogo", nil, fmt.Sprintf("%s, %d bytes", w.logo.ContentType, len(w.logo.Data))))
	}
	for _, f := range []struct {
		name string
		new  *string
		old  string
		set  func(context.Context, string, string) error
	}{
		{"accentColor", w.color, cur.AccentColor, tx.SetAccentColor},
		{"signInPageText", w.text, cur.SignInText, tx.SetSignInText},
		{"privacyStatementUrl", w.privacy, cur.PrivacyURL, tx.SetPrivacyURL},
	} {
		if f.new == nil || *f.new == f.old {
			continue
		}
		if err := f.set(ctx, t.ID, *f.new); err != nil {
			return nil, err
		}
		mods = append(mods, audit.Set(f.name, f.old, *f.new))
	}
	if w.passcodeInSubject != nil && *w.passcodeInSubject != t.PasscodeInSubject {
		if err := tx.SetPasscodeInSubject(ctx, t.ID, *w.passcodeInSubject); err != nil {
			return nil, err
		}
		mods = append(mods, audit.Set("passcodeInSubject", t.PasscodeInSubject, *w.passcodeInSubject))
	}
	return mods, nil
}
