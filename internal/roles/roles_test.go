package roles

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
	"guestlist/internal/store/sqlstore"
)

// TestCan: what each role, alone or with others, allows.
func TestCan(t *testing.T) {
	all := []Action{Invite, ReadGuests, ManageUsers, ResetRedemption, ManagePolicies, ManageApps, ReadAudit}
	allowed := map[string][]Action{
		GlobalAdministrator: all,
		GuestInviter:        {Invite, ReadGuests},
		UserAdministrator:   {Invite, ReadGuests, ManageUsers, ResetRedemption},
		"":                  nil,
		"unknown-role":      nil,
	}
	for role, want := range allowed {
		for _, a := range all {
			got := Can([]string{role}, a)
			if got != contains(want, a) {
				t.Errorf("Can([%q], %s) = %v", role, a, got)
			}
		}
	}
	for _, c := range []struct {
		roles  []string
		action Action
		want   bool
	}{
		{nil, Invite, false},
		{[]string{GuestInviter, UserAdministrator}, ResetRedemption, true},
		{[]string{GuestInviter, UserAdministrator}, ManagePolicies, false},
		{[]string{"unknown-role", GlobalAdministrator}, ReadAudit, true},
		{[]string{GlobalAdministrator}, Action("unknown"), false},
	} {
		if got := Can(c.roles, c.action); got != c.want {
			t.Errorf("Can(%q, %s) = %v, want %v", c.roles, c.action, got, c.want)
		}
	}
}

func contains(list []Action, a Action) bool {
	for _, x := range list {
		if x == a {
			return true
		}
	}
	return false
}

// TestDefinitions: three built-in roles with Graph's template ids, and
// Definitions hands out copies.
func TestDefinitions(t *testing.T) {
	defs := Definitions()
	if len(defs) != 3 {
		t.Fatalf("%d definitions", len(defs))
	}
	for _, id := range []string{GlobalAdministrator, GuestInviter, UserAdministrator} {
		if d, ok := Lookup(id); !ok || d.DisplayName == "" || len(d.Permissions) == 0 {
			t.Errorf("Lookup(%s) = %+v, %v", id, d, ok)
		}
	}
	defs[0].Actions[0] = "changed"
	if !Can([]string{defs[0].ID}, Invite) {
		t.Error("changing a returned definition changed the role")
	}
	if _, ok := Lookup("nope"); ok {
		t.Error("Lookup of an unknown id succeeded")
	}
}

const tenantID = "11111111-1111-4111-8111-111111111111"

var clock = func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }

// TestAssign: the rules of an assignment, its audit records, Has.
func TestAssign(t *testing.T) {
	ctx := t.Context()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "guestlist.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.CreateTenant(ctx, &core.Tenant{ID: tenantID, DisplayName: "Fabrikam",
		InitialDomain: "fabrikam.guestlist.test", DefaultLanguage: "en", EmailOTP: core.OTPDefault, CreatedAt: clock()}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*core.User{
		{TenantID: tenantID, ID: "member", DisplayName: "Member", Mail: "m@fabrikam.example", MailKey: "m@fabrikam.example",
			UserPrincipalName: "m@fabrikam.guestlist.test", UserType: core.UserTypeMember, CreatedAt: clock()},
		{TenantID: tenantID, ID: "guest", DisplayName: "Guest", Mail: "g@example.com", MailKey: "g@example.com",
			UserPrincipalName: "g_example.com#EXT#@fabrikam.guestlist.test", UserType: core.UserTypeGuest, CreatedAt: clock()},
	} {
		if err := st.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	s := New(st, clock)
	for name, c := range map[string]struct {
		role, principal, scope string
		kind                   error
	}{
		"unknown role":      {"nope", "member", "/", core.ErrInvalid},
		"other scope":       {GuestInviter, "member", "/administrativeUnits/1", core.ErrInvalid},
		"guest":             {GuestInviter, "guest", "/", core.ErrInvalid},
		"unknown user":      {GuestInviter, "nobody", "/", core.ErrInvalid},
		"missing principal": {GuestInviter, "", "/", core.ErrInvalid},
	} {
		if _, err := s.Assign(ctx, tenantID, c.role, c.principal, c.scope); !errors.Is(err, c.kind) {
			t.Errorf("%s: %v, want %v", name, err, c.kind)
		}
	}
	a, err := s.Assign(ctx, tenantID, GuestInviter, "member", "/")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Assign(ctx, tenantID, GuestInviter, "member", "/"); !errors.Is(err, core.ErrConflict) {
		t.Errorf("second assignment: %v", err)
	}
	for roles, want := range map[[2]string]bool{
		{GuestInviter, ""}:                       true,
		{GlobalAdministrator, UserAdministrator}: false,
		{UserAdministrator, GuestInviter}:        true,
	} {
		got, err := s.Has(ctx, tenantID, "member", roles[0], roles[1])
		if err != nil || got != want {
			t.Errorf("Has(%v) = %v, %v", roles, got, err)
		}
	}
	list, err := s.List(ctx, tenantID, store.RoleFilter{PrincipalID: "member"})
	if err != nil || len(list) != 1 || list[0].ID != a.ID {
		t.Errorf("List = %v, %v", list, err)
	}
	if err := s.Remove(ctx, tenantID, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(ctx, tenantID, a.ID); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("second Remove: %v", err)
	}
	if has, err := s.Has(ctx, tenantID, "member", GuestInviter); err != nil || has {
		t.Errorf("Has after Remove = %v, %v", has, err)
	}
	recs, err := st.ListAudit(ctx, tenantID, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var acts []string
	for _, r := range recs {
		acts = append(acts, r.Activity)
	}
	if len(acts) != 2 {
		t.Errorf("audit activities %q, want one add and one remove", acts)
	}
}
