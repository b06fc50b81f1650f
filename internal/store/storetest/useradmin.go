package storetest

import (
	"errors"
	"testing"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// testUserAdmin: the per-field writes of user administration.
func testUserAdmin(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore,
		subtest{"SetUserMail", testSetUserMail},
		subtest{"PatchUser", testPatchUser},
	)
}

// testSetUserMail: a new address moves mail, mail key and user principal
// name together, finds the user by the new key and no longer by the old
// one, refuses an address another user of the tenant has, and touches no
// other tenant.
func testSetUserMail(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	u1 := newUser(tenantA, "user-1", "old@example.com")
	must(t, s.CreateUser(ctx, u1))
	must(t, s.CreateUser(ctx, newUser(tenantA, "user-2", "taken@example.com")))
	must(t, s.CreateUser(ctx, newUser(tenantB, "user-1", "new@example.com")))

	must(t, s.SetUserMail(ctx, tenantA, "user-1", "New@Example.com", "new@example.com", "New_Example.com#EXT#@a.guestlist.test"))
	want := *u1
	want.Mail, want.MailKey, want.UserPrincipalName = "New@Example.com", "new@example.com", "New_Example.com#EXT#@a.guestlist.test"
	got, err := s.UserByMail(ctx, tenantA, "new@example.com")
	must(t, err)
	diff(t, "user by the new address", &want, got)
	if _, err := s.UserByMail(ctx, tenantA, "old@example.com"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("user by the old address: %v, want not found", err)
	}
	other, err := s.GetUser(ctx, tenantB, "user-1")
	must(t, err)
	diff(t, "the other tenant's user", newUser(tenantB, "user-1", "new@example.com"), other)

	wantKind(t, s.SetUserMail(ctx, tenantA, "user-1", "taken@example.com", "taken@example.com", "x"), core.ErrConflict)
	wantKind(t, s.SetUserMail(ctx, tenantA, "nobody", "free@example.com", "free@example.com", "x"), core.ErrNotFound)
	wantKind(t, s.SetUserMail(ctx, tenantB, "user-2", "free@example.com", "free@example.com", "x"), core.ErrNotFound)

	// Inside a transaction that fails, the address stays.
	boom := errors.New("boom")
	err = s.InTx(ctx, func(tx store.Tx) error {
		must(t, tx.SetUserMail(ctx, tenantA, "user-1", "free@example.com", "free@example.com", "x"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx: %v", err)
	}
	got, err = s.GetUser(ctx, tenantA, "user-1")
	must(t, err)
	diff(t, "user after a rolled back change", &want, got)
}

// testPatchUser: a patch writes exactly the fields it sets, each of them,
// in one tenant; an empty patch of a missing user is not found; an enabled
// account and cleared profile read back as such.
func testPatchUser(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	must(t, s.CreateUser(ctx, newUser(tenantA, "user-1", "a@example.com")))
	must(t, s.CreateUser(ctx, newUser(tenantA, "user-2", "b@example.com")))
	must(t, s.CreateUser(ctx, newUser(tenantB, "user-1", "a@example.com")))

	str := func(v string) *string { return &v }
	enabled := false
	phones := []string{"+46 8 123 456"}
	must(t, s.PatchUser(ctx, tenantA, "user-1", store.UserPatch{
		DisplayName: str("Alice A."), UserType: str(core.UserTypeMember), PreferredLanguage: str("de"),
		Blocked: &enabled, GivenName: str("Alice"), Surname: str("Andersson"), JobTitle: str("Buyer"),
		OfficeLocation: str("Floor 3"), MobilePhone: str("+46 70 123 45 67"), BusinessPhones: &phones,
	}))
	want := newUser(tenantA, "user-1", "a@example.com")
	want.DisplayName, want.UserType, want.PreferredLanguage, want.Blocked = "Alice A.", core.UserTypeMember, "de", false
	want.Profile = core.UserProfile{GivenName: "Alice", Surname: "Andersson", JobTitle: "Buyer",
		OfficeLocation: "Floor 3", MobilePhone: "+46 70 123 45 67", BusinessPhones: phones}
	got, err := s.GetUser(ctx, tenantA, "user-1")
	must(t, err)
	diff(t, "patched user", want, got)

	// One field; the others stay.
	must(t, s.InTx(ctx, func(tx store.Tx) error {
		return tx.PatchUser(ctx, tenantA, "user-1", store.UserPatch{JobTitle: str(""), BusinessPhones: &[]string{}})
	}))
	want.Profile.JobTitle, want.Profile.BusinessPhones = "", nil
	got, err = s.GetUser(ctx, tenantA, "user-1")
	must(t, err)
	diff(t, "user after a one-field patch", want, got)
	list, err := s.ListUsers(ctx, tenantA, store.UserFilter{MailKey: "a@example.com"})
	must(t, err)
	if len(list) != 1 {
		t.Fatalf("list: %d users", len(list))
	}
	diff(t, "listed user", *want, list[0])

	for _, x := range []struct{ tenant, id, mail string }{{tenantA, "user-2", "b@example.com"}, {tenantB, "user-1", "a@example.com"}} {
		got, err := s.GetUser(ctx, x.tenant, x.id)
		must(t, err)
		diff(t, "untouched user", newUser(x.tenant, x.id, x.mail), got)
	}
	wantKind(t, s.PatchUser(ctx, tenantA, "nobody", store.UserPatch{JobTitle: str("x")}), core.ErrNotFound)
	wantKind(t, s.PatchUser(ctx, tenantA, "nobody", store.UserPatch{}), core.ErrNotFound)
	must(t, s.PatchUser(ctx, tenantA, "user-2", store.UserPatch{}))
}
