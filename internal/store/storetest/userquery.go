package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

func testUserQuery(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore,
		subtest{"Where", testUserQueryWhere},
		subtest{"Count", testUserQueryCount},
		subtest{"OrderPaging", testUserQueryOrderPaging},
	)
}

// queryUsers makes five users of tenant A with names and addresses the
// conditions below tell apart, and one of tenant B that none may find.
func queryUsers(ctx context.Context, t *testing.T, s store.Store) {
	t.Helper()
	twoTenants(ctx, t, s)
	mk := func(tenant, id, name, mail string, d time.Duration, edit func(u *core.User)) {
		u := newUser(tenant, id, mail)
		u.DisplayName, u.CreatedAt = name, at(d)
		if edit != nil {
			edit(u)
		}
		must(t, s.CreateUser(ctx, u))
	}
	mk(tenantA, "q1", "Ann Smith", "ann@contoso.example", 1*time.Second, nil)
	mk(tenantA, "q2", "mary-ann jones", "mary@fabrikam.example", 2*time.Second, func(u *core.User) {
		u.UserType, u.Blocked = core.UserTypeMember, false
		u.Identities = []core.Identity{{SignInType: "userPrincipalName", Issuer: "fabrikam.example", IssuerAssignedID: "mary@fabrikam.example"}}
		u.Profile.GivenName = ""
	})
	mk(tenantA, "q3", "Bob 100%_off", "bob@contoso.example", 3*time.Second, nil)
	mk(tenantA, "q4", `Quote "Q" O'Neil`, "q@tailspin.example", 4*time.Second, func(u *core.User) {
		u.Identities = []core.Identity{{SignInType: "federated", Issuer: `ev"il`, IssuerAssignedID: `x","issuer":"mail"}`}}
	})
	mk(tenantA, "q5", "annika", "zed@contoso.example", 5*time.Second, func(u *core.User) { u.ExternalUserState = core.StateAccepted })
	mk(tenantB, "qb", "Ann B", "ann@contoso.example", 1*time.Second, nil)
}

func ids(users []core.User) []string {
	out := make([]string, 0, len(users))
	for _, u := range users {
		out = append(out, u.ID)
	}
	slices.Sort(out)
	return out
}

func testUserQueryWhere(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	queryUsers(ctx, t, s)
	cases := []struct {
		name string
		e    store.Expr
		want []string
	}{
		{"EqFoldsCase", store.Compare{Field: store.UserDisplayName, Op: store.Eq, Value: "ANN SMITH"}, []string{"q1"}},
		{"EqType", store.Compare{Field: store.UserType, Op: store.Eq, Value: "member"}, []string{"q2"}},
		{"NotEq", store.Not{X: store.Compare{Field: store.UserType, Op: store.Eq, Value: "Guest"}}, []string{"q2"}},
		{"Prefix", store.Match{Field: store.UserDisplayName, Kind: store.Prefix, Value: "ann"}, []string{"q1", "q5"}},
		{"PrefixWildcardsAreText", store.Match{Field: store.UserDisplayName, Kind: store.Prefix, Value: "Bob 100%_"}, []string{"q3"}},
		{"PercentIsNoWildcard", store.Match{Field: store.UserDisplayName, Kind: store.Prefix, Value: "%"}, nil},
		{"Suffix", store.Match{Field: store.UserMail, Kind: store.Suffix, Value: "@CONTOSO.example"}, []string{"q1", "q3", "q5"}},
		{"WordPrefix", store.Match{Field: store.UserDisplayName, Kind: store.WordPrefix, Value: "ann"}, []string{"q1", "q2", "q5"}},
		{"WordPrefixMail", store.Match{Field: store.UserMail, Kind: store.WordPrefix, Value: "fabrikam"}, []string{"q2"}},
		{"Quote", store.Compare{Field: store.UserDisplayName, Op: store.Eq, Value: `quote "q" o'neil`}, []string{"q4"}},
		{"Empty", store.IsEmpty{Field: store.UserGivenName}, []string{"q2"}},
		{"Bool", store.Compare{Field: store.UserAccountEnabled, Op: store.Eq, Value: true}, []string{"q2"}},
		{"CreatedGe", store.Compare{Field: store.UserCreated, Op: store.Ge, Value: at(4 * time.Second)}, []string{"q4", "q5"}},
		{"CreatedLt", store.Compare{Field: store.UserCreated, Op: store.Lt, Value: at(2 * time.Second)}, []string{"q1"}},
		{"AndOr", store.And{
			store.Or{store.Compare{Field: store.UserMail, Op: store.Eq, Value: "bob@contoso.example"}, store.Compare{Field: store.UserExternalState, Op: store.Eq, Value: "accepted"}},
			store.Not{X: store.Compare{Field: store.UserID, Op: store.Eq, Value: "q3"}},
		}, []string{"q5"}},
		{"EmptyOr", store.Or{}, nil},
		{"IdentityIssuer", store.IdentityAny{Issuer: "FABRIKAM.example"}, []string{"q2"}},
		{"IdentityBoth", store.IdentityAny{Issuer: "mail", IssuerAssignedID: "ann@contoso.example"}, []string{"q1"}},
		{"IdentityBothAcrossTwo", store.IdentityAny{Issuer: "fabrikam.example", IssuerAssignedID: "ann@contoso.example"}, nil},
		// q4's values hold JSON punctuation: they must not forge a match.
		{"IdentityNoForgery", store.IdentityAny{Issuer: "mail", IssuerAssignedID: "x"}, nil},
		{"IdentityQuoted", store.IdentityAny{Issuer: `ev"il`}, []string{"q4"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListUsers(ctx, tenantA, store.UserFilter{Where: tc.e})
			must(t, err)
			diff(t, "users", tc.want, ids(got))
		})
	}
}

func testUserQueryCount(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	queryUsers(ctx, t, s)
	n, err := s.CountUsers(ctx, tenantA, store.UserFilter{Top: 1, Where: store.Match{Field: store.UserMail, Kind: store.Suffix, Value: "@contoso.example"}})
	must(t, err)
	if n != 3 {
		t.Errorf("count = %d, want 3 (Top must not bound a count)", n)
	}
	n, err = s.CountUsers(ctx, tenantB, store.UserFilter{})
	must(t, err)
	if n != 1 {
		t.Errorf("tenant B count = %d, want 1", n)
	}
}

// testUserQueryOrderPaging walks each order two at a time, inserting a
// user between pages, and expects each user that existed at the start
// exactly once, in order.
func testUserQueryOrderPaging(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	queryUsers(ctx, t, s)
	orders := []struct {
		o    store.UserOrder
		want []string
		key  func(u core.User) string
	}{
		{store.UserOrder{Field: store.UserDisplayName}, []string{"q1", "q5", "q3", "q2", "q4"}, func(u core.User) string { return u.DisplayName }},
		{store.UserOrder{Field: store.UserDisplayName, Desc: true}, []string{"q4", "q2", "q3", "q5", "q1"}, func(u core.User) string { return u.DisplayName }},
		{store.UserOrder{Field: store.UserMail}, []string{"q1", "q3", "q2", "q4", "q5"}, func(u core.User) string { return u.Mail }},
		{store.UserOrder{Field: store.UserCreated, Desc: true}, []string{"q5", "q4", "q3", "q2", "q1"}, func(u core.User) string { return "" }},
	}
	for i, tc := range orders {
		var got []string
		var after store.Cursor
		for n := 0; n < 10; n++ {
			page, err := s.ListUsers(ctx, tenantA, store.UserFilter{Order: tc.o, Top: 2, After: after})
			must(t, err)
			for _, u := range page {
				if u.ID[0] == 'q' {
					got = append(got, u.ID)
				}
			}
			if len(page) < 2 {
				break
			}
			last := page[len(page)-1]
			after = store.Cursor{CreatedAt: last.CreatedAt, ID: last.ID, Key: tc.key(last)}
			late := newUser(tenantA, "late-"+string(rune('a'+i))+string(rune('a'+n)), "late"+string(rune('a'+i))+string(rune('a'+n))+"@example.com")
			must(t, s.CreateUser(ctx, late))
		}
		diff(t, "order", tc.want, got)
	}
}
