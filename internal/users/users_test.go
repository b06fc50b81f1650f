package users

import (
	"errors"
	"strings"
	"testing"

	"guestlist/internal/core"
)

// TestValidate: what a user update may carry (SPEC R41, R43): each
// refusal is core.ErrInvalid naming the property; accepted values are
// normalised (display name trimmed, language tag canonical) and
// accountEnabled becomes the stored "blocked".
func TestValidate(t *testing.T) {
	str := func(s string) *string { return &s }
	yes, no := true, false
	phones := func(p ...string) *[]string { return &p }
	for _, tc := range []struct {
		name    string
		patch   Patch
		invalid string // the property the refusal names; "" for accepted
	}{
		{"empty", Patch{}, ""},
		{"display name", Patch{DisplayName: str(" Alice ")}, ""},
		{"blank display name", Patch{DisplayName: str("   ")}, "displayName"},
		{"display name with a line break", Patch{DisplayName: str("A\nB")}, "displayName"},
		{"display name of 257", Patch{DisplayName: str(strings.Repeat("é", 257))}, "displayName"},
		{"display name of 256", Patch{DisplayName: str(strings.Repeat("é", 256))}, ""},
		{"member", Patch{UserType: str("Member")}, ""},
		{"lower-case guest", Patch{UserType: str("guest")}, "userType"},
		{"language", Patch{PreferredLanguage: str("zh-tw")}, ""},
		{"no language", Patch{PreferredLanguage: str("")}, ""},
		{"not a language", Patch{PreferredLanguage: str("english please")}, "preferredLanguage"},
		{"given name of 65", Patch{GivenName: str(strings.Repeat("x", 65))}, "givenName"},
		{"job title of 128", Patch{JobTitle: str(strings.Repeat("x", 128))}, ""},
		{"office with NUL", Patch{OfficeLocation: str("B\x0012")}, "officeLocation"},
		{"mobile", Patch{MobilePhone: str("+31 6 1234 5678")}, ""},
		{"one business phone", Patch{BusinessPhones: phones("+31 20 123 4567")}, ""},
		{"no business phone", Patch{BusinessPhones: phones()}, ""},
		{"two business phones", Patch{BusinessPhones: phones("1", "2")}, "businessPhones"},
		{"empty business phone", Patch{BusinessPhones: phones(" ")}, "businessPhones"},
		{"enable", Patch{AccountEnabled: &yes}, ""},
		{"block", Patch{AccountEnabled: &no}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sp, err := validate(tc.patch)
			if tc.invalid != "" {
				if !errors.Is(err, core.ErrInvalid) || !strings.Contains(err.Error(), tc.invalid) {
					t.Fatalf("validate: %v, want core.ErrInvalid naming %s", err, tc.invalid)
				}
				return
			}
			if err != nil {
				t.Fatalf("validate: %v", err)
			}
			if tc.patch.AccountEnabled != nil && (sp.Blocked == nil || *sp.Blocked == *tc.patch.AccountEnabled) {
				t.Errorf("accountEnabled %v stored as blocked %v", *tc.patch.AccountEnabled, sp.Blocked)
			}
			if tc.patch.DisplayName != nil && *sp.DisplayName != strings.TrimSpace(*tc.patch.DisplayName) {
				t.Errorf("display name %q", *sp.DisplayName)
			}
			if tc.name == "language" && *sp.PreferredLanguage != "zh-TW" {
				t.Errorf("language %q, want zh-TW", *sp.PreferredLanguage)
			}
		})
	}
}
