package users

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/password"
	"guestlist/internal/store"
	"guestlist/internal/store/sqlstore"
)

// fakeHasher marks what it hashed, so a test can tell which password was
// stored without the cost of Argon2id.
type fakeHasher struct{}

func (fakeHasher) Hash(_ context.Context, plain string) (string, error) { return "fake$" + plain, nil }

var clock = func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }

// newFixture is a store with Fabrikam (verifies fabrikam.example) and
// Contoso (verifies contoso.example), and Fabrikam's guest ann@fabrikam.example.
func newFixture(t *testing.T) (*Service, store.Store, *core.Tenant) {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "guestlist.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fab := &core.Tenant{ID: "11111111-1111-4111-8111-111111111111", DisplayName: "Fabrikam", InitialDomain: "fabrikam.guestlist.test",
		Domains: []string{"fabrikam.example"}, DefaultLanguage: "en", EmailOTP: core.OTPDefault, CreatedAt: clock()}
	con := &core.Tenant{ID: "22222222-2222-4222-8222-222222222222", DisplayName: "Contoso", InitialDomain: "contoso.guestlist.test",
		Domains: []string{"contoso.example"}, DefaultLanguage: "en", EmailOTP: core.OTPDefault, CreatedAt: clock()}
	guest := &core.User{TenantID: fab.ID, ID: "33333333-3333-4333-8333-333333333333", DisplayName: "Ann",
		Mail: "ann@fabrikam.example", MailKey: "ann@fabrikam.example", UserPrincipalName: "ann_fabrikam.example#EXT#@fabrikam.guestlist.test",
		UserType: core.UserTypeGuest, ExternalUserState: core.StatePendingAcceptance, StateChangedAt: clock(),
		CreationType: core.CreationTypeInvitation, CreatedAt: clock()}
	for _, err := range []error{st.CreateTenant(t.Context(), fab), st.CreateTenant(t.Context(), con), st.CreateUser(t.Context(), guest)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return New(st, clock, fakeHasher{}, password.Check), st, fab
}

func adele() NewMember {
	yes := true
	return NewMember{AccountEnabled: &yes, DisplayName: "Adele Vance", MailNickname: "AdeleV",
		UserPrincipalName: "AdeleV@fabrikam.example", Password: &PasswordProfile{Password: "xWwvJ]6NMw+bWH-d"}}
}

// TestCreateMemberRefusals: each rule of a new member (SPEC R10 step 1,
// R41) refuses with Graph's message, and nothing is written.
func TestCreateMemberRefusals(t *testing.T) {
	s, st, fab := newFixture(t)
	no := false
	for _, tc := range []struct {
		name    string
		change  func(*NewMember)
		tenant  func(*core.Tenant)
		message string
	}{
		{"no accountEnabled", func(m *NewMember) { m.AccountEnabled = nil }, nil, "'accountEnabled'"},
		{"no displayName", func(m *NewMember) { m.DisplayName = " " }, nil, "'displayName'"},
		{"no mailNickname", func(m *NewMember) { m.MailNickname = "" }, nil, "'mailNickname'"},
		{"no userPrincipalName", func(m *NewMember) { m.UserPrincipalName = "" }, nil, "'userPrincipalName'"},
		{"no passwordProfile", func(m *NewMember) { m.Password = nil }, nil, "'passwordProfile'"},
		{"no password", func(m *NewMember) { m.Password.Password = "" }, nil, "'passwordProfile.password'"},
		{"mailNickname with a space", func(m *NewMember) { m.MailNickname = "Adele V" }, nil, "mailNickname"},
		{"not an address", func(m *NewMember) { m.UserPrincipalName = "AdeleV#fabrikam.example" }, nil, msgUPNInvalid},
		{"accented local part", func(m *NewMember) { m.UserPrincipalName = "Adèle@fabrikam.example" }, nil, msgUPNInvalid},
		{"unverified domain", func(m *NewMember) { m.UserPrincipalName = "AdeleV@elsewhere.example" }, nil, msgUPNDomain},
		{"initial domain", func(m *NewMember) { m.UserPrincipalName = "AdeleV@fabrikam.guestlist.test" }, nil, msgUPNDomain},
		{"another tenant's domain", func(m *NewMember) { m.UserPrincipalName = "AdeleV@contoso.example" },
			func(t *core.Tenant) { t.Domains = append(t.Domains, "contoso.example") }, msgUPNDomain},
		{"the address of a guest", func(m *NewMember) { m.UserPrincipalName = "ANN@fabrikam.example" }, nil, msgUPNTaken},
		{"short password", func(m *NewMember) { m.Password.Password = "xW]6N" }, nil, msgPasswordWeak + " The password is too short: it must have at least 8"},
		{"long password", func(m *NewMember) { m.Password.Password = strings.Repeat("x", 257) }, nil, "too long"},
		{"common password", func(m *NewMember) { m.Password.Password = "password1234" }, nil, msgPasswordWeak + " The password is too common"},
		{"password of the address", func(m *NewMember) { m.Password.Password = "adelev@FABRIKAM.example" }, nil, "own name or address"},
		{"password of the display name", func(m *NewMember) { m.Password.Password = "adele vance" }, nil, "own name or address"},
		{"password of the nickname", func(m *NewMember) { m.MailNickname = "SpringBreeze"; m.Password.Password = "springbreeze" }, nil, "own name or address"},
		{"control characters", func(m *NewMember) { m.Password.Password = "xWwvJ]6N\x07Mw+bWH" }, nil, "control characters"},
		{"mail other than the address", func(m *NewMember) { m.Mail = "adele@contoso.example" }, nil, "mail"},
		{"guest type", func(m *NewMember) { m.UserType = core.UserTypeGuest }, nil, "userType"},
		{"not a language", func(m *NewMember) { m.PreferredLanguage = "english please" }, nil, "preferredLanguage"},
		{"blocked and weak", func(m *NewMember) { m.AccountEnabled = &no; m.Password.Password = "short" }, nil, msgPasswordWeak},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, tn := adele(), *fab
			tc.change(&m)
			if tc.tenant != nil {
				tc.tenant(&tn)
			}
			_, err := s.CreateMember(t.Context(), &tn, m)
			if !errors.Is(err, core.ErrInvalid) || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("CreateMember: %v, want core.ErrInvalid with %q", err, tc.message)
			}
			if all, err := st.ListUsers(t.Context(), fab.ID, store.UserFilter{}); err != nil || len(all) != 1 {
				t.Fatalf("after a refusal the tenant has %d users (%v), want only the guest", len(all), err)
			}
		})
	}
}

// TestCreateMember: a member is stored with their password in one go, as
// Graph shows a member (R41): no invitation state, mail is the address,
// the identity is the tenant's.
func TestCreateMember(t *testing.T) {
	s, st, fab := newFixture(t)
	no := false
	m := adele()
	m.AccountEnabled = &no
	m.Password.ForceChange = &no
	u, err := s.CreateMember(t.Context(), fab, m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.GetUser(t.Context(), fab.ID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := core.Identity{SignInType: "userPrincipalName", Issuer: "fabrikam.guestlist.test", IssuerAssignedID: "AdeleV@fabrikam.example"}
	if got.UserType != core.UserTypeMember || got.Method != core.MethodPassword || got.CreationType != "" ||
		got.ExternalUserState != "" || got.Mail != "AdeleV@fabrikam.example" || got.UserPrincipalName != got.Mail ||
		!got.Blocked || len(got.Identities) != 1 || got.Identities[0] != want {
		t.Errorf("stored member: %+v", got)
	}
	pw, err := st.GetPassword(t.Context(), fab.ID, u.ID)
	if err != nil || pw.Hash != "fake$xWwvJ]6NMw+bWH-d" || pw.MustChange {
		t.Errorf("stored password: %+v %v; want the hash of the posted password, no change asked", pw, err)
	}
	if _, err := s.CreateMember(t.Context(), fab, adele()); !errors.Is(err, core.ErrInvalid) || !strings.Contains(err.Error(), msgUPNTaken) {
		t.Errorf("the same address again: %v, want %q", err, msgUPNTaken)
	}
}

// TestSetPassword: an administrator's new password for a member (R41)
// replaces the stored one and ends the member's sessions, as a block does
// (R43); a guest has no password here, and a weak password changes
// nothing.
func TestSetPassword(t *testing.T) {
	s, st, fab := newFixture(t)
	u, err := s.CreateMember(t.Context(), fab, adele())
	if err != nil {
		t.Fatal(err)
	}
	sess := &core.Session{TenantID: fab.ID, ID: "session-1", UserID: u.ID, AMR: "pwd", CreatedAt: clock(), ExpiresAt: clock().Add(time.Hour)}
	if err := st.CreateSession(t.Context(), sess); err != nil {
		t.Fatal(err)
	}
	weak := Patch{Password: &PasswordProfile{Password: "password1234"}}
	if err := s.Update(t.Context(), fab.ID, u.ID, weak); !errors.Is(err, core.ErrInvalid) || !strings.Contains(err.Error(), msgPasswordWeak) {
		t.Fatalf("a common password: %v", err)
	}
	if _, err := st.GetSession(t.Context(), fab.ID, sess.ID, clock()); err != nil {
		t.Fatalf("a refused password ended the session: %v", err)
	}
	no := false
	set := Patch{Password: &PasswordProfile{Password: "Correct-Horse-Battery-9", ForceChange: &no}}
	if err := s.Update(t.Context(), fab.ID, u.ID, set); err != nil {
		t.Fatal(err)
	}
	pw, err := st.GetPassword(t.Context(), fab.ID, u.ID)
	if err != nil || pw.Hash != "fake$Correct-Horse-Battery-9" || pw.MustChange {
		t.Errorf("after the change: %+v %v", pw, err)
	}
	if _, err := st.GetSession(t.Context(), fab.ID, sess.ID, clock()); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("the member's session outlived the new password: %v", err)
	}
	guest := "33333333-3333-4333-8333-333333333333"
	if err := s.Update(t.Context(), fab.ID, guest, set); !errors.Is(err, core.ErrInvalid) || !strings.Contains(err.Error(), "guest") {
		t.Errorf("a guest's password: %v, want a refusal explaining guests have none", err)
	}
	if _, err := st.GetPassword(t.Context(), fab.ID, guest); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("the guest has a password: %v", err)
	}
}
