package storetest

import (
	"context"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// threeUsers creates two users in tenant A and, with the same address as
// the first, one in tenant B (the same mail in two tenants is fine).
func threeUsers(ctx context.Context, t *testing.T, s store.Store) (a1, a2, b1 *core.User) {
	t.Helper()
	twoTenants(ctx, t, s)
	a1 = newUser(tenantA, "user-a1", "alice@example.com")
	a2 = newUser(tenantA, "user-a2", "bob@example.com")
	a2.UserType, a2.ExternalUserState = core.UserTypeMember, core.StateAccepted
	a2.CreatedAt = a1.CreatedAt.Add(time.Second)
	b1 = newUser(tenantB, "user-b1", "alice@example.com")
	for _, u := range []*core.User{a1, a2, b1} {
		must(t, s.CreateUser(ctx, u))
	}
	return a1, a2, b1
}

func testUsers(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore,
		subtest{"RoundTrip", testUsersRoundTrip},
		subtest{"Conflict", testUsersConflict},
		subtest{"NotFound", testUserNotFound},
		subtest{"List", testListUsers},
		subtest{"Update", testUsersUpdate},
		subtest{"Accept", testUsersAccept},
		subtest{"SetPreferredLanguage", testUsersSetPreferredLanguage},
		subtest{"Delete", testDeleteUser},
	)
}

func testUsersRoundTrip(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	a1, _, b1 := threeUsers(ctx, t, s)
	for _, want := range []*core.User{a1, b1} {
		got, err := s.GetUser(ctx, want.TenantID, want.ID)
		must(t, err)
		diff(t, "GetUser", want, got)
		got, err = s.UserByMail(ctx, want.TenantID, want.MailKey)
		must(t, err)
		diff(t, "UserByMail", want, got)
	}
}

func testUsersConflict(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	a1, _, _ := threeUsers(ctx, t, s)
	sameMail := newUser(tenantA, "user-a3", a1.MailKey)
	wantKind(t, s.CreateUser(ctx, sameMail), core.ErrConflict)
	sameID := newUser(tenantA, a1.ID, "carol@example.com")
	wantKind(t, s.CreateUser(ctx, sameID), core.ErrConflict)
}

func testUsersUpdate(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	a1, _, b1 := threeUsers(ctx, t, s)
	want := *a1
	want.DisplayName, want.UserType = "Alice A.", core.UserTypeMember
	want.ExternalUserState, want.StateChangedAt = core.StateAccepted, at(time.Minute)
	want.Identities = append(want.Identities, core.Identity{
		SignInType: "federated", Issuer: "https://idp.example", IssuerAssignedID: "sub-1"})
	want.PreferredLanguage, want.Method = "de", core.MethodFederation
	must(t, s.UpdateUser(ctx, &want))
	got, err := s.GetUser(ctx, tenantA, a1.ID)
	must(t, err)
	diff(t, "GetUser", &want, got)
	// A reset (SPEC R13) clears the method the guest was locked to (R11).
	want.ExternalUserState, want.Identities, want.Method = core.StatePendingAcceptance, nil, core.MethodNone
	must(t, s.UpdateUser(ctx, &want))
	got, err = s.GetUser(ctx, tenantA, a1.ID)
	must(t, err)
	diff(t, "GetUser after a reset", &want, got)
	got, err = s.GetUser(ctx, tenantB, b1.ID)
	must(t, err)
	diff(t, "other tenant's user", b1, got)
}

func testUsersAccept(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	a1, a2, _ := threeUsers(ctx, t, s)
	ids := []core.Identity{{SignInType: "federated", Issuer: "mail", IssuerAssignedID: "x"}}
	must(t, s.AcceptUser(ctx, tenantA, a1.ID, core.MethodOTP, ids, at(time.Minute)))
	want := *a1
	want.ExternalUserState, want.StateChangedAt, want.Identities = core.StateAccepted, at(time.Minute), ids
	want.Method = core.MethodOTP
	got, err := s.GetUser(ctx, tenantA, a1.ID)
	must(t, err)
	diff(t, "accepted user", &want, got)
	wantKind(t, s.AcceptUser(ctx, tenantA, a1.ID, core.MethodGoogle, nil, at(time.Hour)), core.ErrConflict)
	wantKind(t, s.AcceptUser(ctx, tenantA, a2.ID, core.MethodGoogle, nil, at(time.Hour)), core.ErrConflict)
	got, err = s.GetUser(ctx, tenantA, a1.ID)
	must(t, err)
	diff(t, "user after a second accept", &want, got)
}

func testUsersSetPreferredLanguage(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	a1, _, _ := threeUsers(ctx, t, s)
	must(t, s.SetPreferredLanguage(ctx, tenantA, a1.ID, "zh-TW"))
	want := *a1
	want.PreferredLanguage = "zh-TW"
	got, err := s.GetUser(ctx, tenantA, a1.ID)
	must(t, err)
	diff(t, "GetUser", &want, got)
}

// testUserNotFound: unknown ids, and tenant A's user addressed with tenant
// B's id, are not found, and the calls change nothing.
func testUserNotFound(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	a1, a2, _ := threeUsers(ctx, t, s)
	inB := *a2
	inB.TenantID = tenantB
	for _, tc := range []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"GetUnknown", func(ctx context.Context) error { _, err := s.GetUser(ctx, tenantA, "nobody"); return err }},
		{"GetOtherTenant", func(ctx context.Context) error { _, err := s.GetUser(ctx, tenantB, a1.ID); return err }},
		{"ByMailUnknown", func(ctx context.Context) error {
			_, err := s.UserByMail(ctx, tenantA, "nobody@example.com")
			return err
		}},
		{"ByMailOtherTenant", func(ctx context.Context) error {
			_, err := s.UserByMail(ctx, tenantB, a2.MailKey)
			return err
		}},
		{"UpdateOtherTenant", func(ctx context.Context) error { return s.UpdateUser(ctx, &inB) }},
		{"AcceptOtherTenant", func(ctx context.Context) error {
			return s.AcceptUser(ctx, tenantB, a1.ID, core.MethodGoogle, nil, at(time.Minute))
		}},
		{"AcceptUnknown", func(ctx context.Context) error {
			return s.AcceptUser(ctx, tenantA, "nobody", core.MethodGoogle, nil, at(time.Minute))
		}},
		{"SetLanguageOtherTenant", func(ctx context.Context) error {
			return s.SetPreferredLanguage(ctx, tenantB, a1.ID, "en")
		}},
		{"DeleteOtherTenant", func(ctx context.Context) error { return s.DeleteUser(ctx, tenantB, a1.ID) }},
	} {
		t.Run(tc.name, func(t *testing.T) { wantKind(t, tc.call(ctx), core.ErrNotFound) })
	}
	for _, want := range []*core.User{a1, a2} {
		got, err := s.GetUser(ctx, tenantA, want.ID)
		must(t, err)
		diff(t, "unchanged user", want, got)
	}
}

func testListUsers(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	a1, a2, _ := threeUsers(ctx, t, s)
	for _, tc := range []struct {
		name string
		f    store.UserFilter
		want []core.User
	}{
		{"All", store.UserFilter{}, []core.User{*a1, *a2}},
		{"Top", store.UserFilter{Top: 1}, []core.User{*a1}},
		{"UserType", store.UserFilter{UserType: core.UserTypeGuest}, []core.User{*a1}},
		{"State", store.UserFilter{ExternalUserState: core.StateAccepted}, []core.User{*a2}},
		{"MailKey", store.UserFilter{MailKey: a2.MailKey}, []core.User{*a2}},
		{"Combined", store.UserFilter{UserType: core.UserTypeMember, ExternalUserState: core.StateAccepted, Top: 5},
			[]core.User{*a2}},
		{"NoMatch", store.UserFilter{UserType: core.UserTypeGuest, ExternalUserState: core.StateAccepted}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListUsers(ctx, tenantA, tc.f)
			must(t, err)
			diff(t, "ListUsers", tc.want, got)
		})
	}
	got, err := s.ListUsers(ctx, "00000000-0000-4000-8000-0000000000ff", store.UserFilter{})
	must(t, err)
	diff(t, "ListUsers of an unknown tenant", []core.User(nil), got)
}

// testDeleteUser: the user goes with their sessions, invitations and
// flows (with the flows' passcodes); other users keep theirs.
func testDeleteUser(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	a1, a2, _ := threeUsers(ctx, t, s)
	for _, u := range []*core.User{a1, a2} {
		must(t, s.CreateSession(ctx, newSession(tenantA, "sess-"+u.ID, u.ID, at(time.Hour))))
		must(t, s.CreateInvitation(ctx, newInvitation(tenantA, "inv-"+u.ID, u.ID, u.ID)))
		f := newFlow(tenantA, "flow-"+u.ID, at(time.Hour))
		f.UserID = u.ID
		must(t, s.CreateFlow(ctx, f))
		must(t, s.CreatePasscode(ctx, newPasscode(tenantA, "code-"+u.ID, f.ID, t0, at(time.Hour))))
	}
	must(t, s.DeleteUser(ctx, tenantA, a1.ID))
	wantKind(t, s.DeleteUser(ctx, tenantA, a1.ID), core.ErrNotFound)
	for _, c := range []struct {
		u    *core.User
		gone bool
	}{{a1, true}, {a2, false}} {
		_, errU := s.GetUser(ctx, tenantA, c.u.ID)
		_, errS := s.GetSession(ctx, tenantA, "sess-"+c.u.ID, t0)
		_, errI := s.GetInvitation(ctx, tenantA, "inv-"+c.u.ID)
		_, errF := s.GetFlow(ctx, tenantA, "flow-"+c.u.ID, t0)
		codes, err := s.LivePasscodes(ctx, tenantA, "flow-"+c.u.ID, t0)
		must(t, err)
		for _, err := range []error{errU, errS, errI, errF} {
			if c.gone {
				wantKind(t, err, core.ErrNotFound)
			} else {
				must(t, err)
			}
		}
		if c.gone != (len(codes) == 0) {
			t.Errorf("user %s deleted %v, live passcodes %d", c.u.ID, c.gone, len(codes))
		}
	}
	// The address is free again.
	must(t, s.CreateUser(ctx, newUser(tenantA, "user-a1-again", a1.MailKey)))
}
