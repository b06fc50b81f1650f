package storetest

import (
	"bytes"
	"testing"

	"guestlist/internal/core"
)

// testBranding: each branding setter writes its own setting of its own
// tenant; the logo's bytes come back exactly; removing the logo keeps the
// rest; another tenant sees none of it; a missing tenant is
// core.ErrNotFound; deleting the tenant deletes its branding.
func testBranding(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)

	empty, err := s.GetBranding(ctx, tenantA)
	must(t, err)
	diff(t, "branding before any", &core.Branding{}, empty)
	_, err = s.GetLogo(ctx, tenantA)
	wantKind(t, err, core.ErrNotFound)

	logo := &core.Logo{LogoInfo: core.LogoInfo{ContentType: "image/png", ETag: "e1", UpdatedAt: t0},
		Data: []byte("\x89PNG\r\n\x1a\n\x00\xffbytes")}
	must(t, s.SetAccentColor(ctx, tenantA, "#112233"))
	must(t, s.SetLogo(ctx, tenantA, logo))
	must(t, s.SetSignInText(ctx, tenantA, "Welcome <b>& more"))
	must(t, s.SetPrivacyURL(ctx, tenantA, "https://a.example/privacy"))
	must(t, s.SetPasscodeInSubject(ctx, tenantA, false))

	want := &core.Branding{Logo: &logo.LogoInfo, AccentColor: "#112233",
		SignInText: "Welcome <b>& more", PrivacyURL: "https://a.example/privacy"}
	got, err := s.GetBranding(ctx, tenantA)
	must(t, err)
	diff(t, "branding", want, got)
	gotLogo, err := s.GetLogo(ctx, tenantA)
	must(t, err)
	if !bytes.Equal(gotLogo.Data, logo.Data) || gotLogo.ContentType != "image/png" || gotLogo.ETag != "e1" {
		t.Errorf("logo = %+v, want %+v", gotLogo, logo)
	}
	ta, err := s.GetTenant(ctx, tenantA)
	must(t, err)
	if ta.PasscodeInSubject {
		t.Error("passcode in subject still on")
	}

	must(t, s.SetLogo(ctx, tenantA, nil))
	want.Logo = nil
	got, err = s.GetBranding(ctx, tenantA)
	must(t, err)
	diff(t, "branding without logo", want, got)
	_, err = s.GetLogo(ctx, tenantA)
	wantKind(t, err, core.ErrNotFound)

	// The other tenant has nothing of it.
	other, err := s.GetBranding(ctx, tenantB)
	must(t, err)
	diff(t, "other tenant's branding", &core.Branding{}, other)
	tb, err := s.GetTenant(ctx, tenantB)
	must(t, err)
	if !tb.PasscodeInSubject {
		t.Error("other tenant's passcode in subject changed")
	}

	for name, err := range map[string]error{
		"SetLogo":              s.SetLogo(ctx, "no-such-tenant", logo),
		"SetAccentColor":       s.SetAccentColor(ctx, "no-such-tenant", "#000000"),
		"SetSignInText":        s.SetSignInText(ctx, "no-such-tenant", "x"),
		"SetPrivacyURL":        s.SetPrivacyURL(ctx, "no-such-tenant", "https://x.example"),
		"SetPasscodeInSubject": s.SetPasscodeInSubject(ctx, "no-such-tenant", true),
	} {
		t.Run(name, func(t *testing.T) { wantKind(t, err, core.ErrNotFound) })
	}

	must(t, s.SetLogo(ctx, tenantA, logo))
	must(t, s.DeleteTenant(ctx, tenantA))
	_, err = s.GetLogo(ctx, tenantA)
	wantKind(t, err, core.ErrNotFound)
	gone, err := s.GetBranding(ctx, tenantA)
	must(t, err)
	diff(t, "deleted tenant's branding", &core.Branding{}, gone)
}
