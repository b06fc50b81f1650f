package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// testPaging: every list that pages continues after a store.Cursor in
// (created, id) order, with ties in time broken by id, and never leaves
// the tenant whatever cursor it is given.
func testPaging(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore,
		subtest{"Users", testPageUsers},
		subtest{"UsersInsertWhilePaging", testPageUsersInsert},
		subtest{"Invitations", testPageInvitations},
		subtest{"Applications", testPageApplications},
		subtest{"Assignments", testPageAssignments},
	)
}

// pageTimes are the creation times of the rows the paging tests make:
// pairs of rows created at one instant, so pages split ties.
var pageTimes = []time.Duration{0, 0, time.Second, time.Second, 2 * time.Second}

// walk reads a whole list top rows at a time, each page after the last
// row of the one before, as the Graph API does; it fails t on an endless
// walk.
func walk[T any](t *testing.T, top int, page func(store.Page) ([]T, error), key func(T) store.Cursor) []T {
	t.Helper()
	var all []T
	var after store.Cursor
	for range 100 {
		got, err := page(store.Page{After: after, Top: top})
		must(t, err)
		if len(got) > top {
			t.Fatalf("a page of %d has %d rows", top, len(got))
		}
		all = append(all, got...)
		if len(got) < top {
			return all
		}
		after = key(got[len(got)-1])
	}
	t.Fatal("paging does not end")
	return nil
}

func userKey(u core.User) store.Cursor { return store.Cursor{CreatedAt: u.CreatedAt, ID: u.ID} }
func invitationKey(i core.Invitation) store.Cursor {
	return store.Cursor{CreatedAt: i.CreatedAt, ID: i.ID}
}
func appKey(a core.Application) store.Cursor {
	return store.Cursor{CreatedAt: a.CreatedAt, ID: a.AppID}
}
func assignmentKey(a core.Assignment) store.Cursor {
	return store.Cursor{CreatedAt: a.CreatedAt, ID: a.ID}
}

// pageUsers creates len(pageTimes) users in each tenant, ids in reverse
// of creation within a tie, and returns tenant A's.
func pageUsers(ctx context.Context, t *testing.T, s store.Store) []*core.User {
	t.Helper()
	twoTenants(ctx, t, s)
	var mine []*core.User
	for _, tenant := range []string{tenantA, tenantB} {
		for i, d := range pageTimes {
			u := newUser(tenant, fmt.Sprintf("user-%d", 9-i), fmt.Sprintf("u%d@example.com", i))
			u.CreatedAt = at(d)
			if i%2 == 1 {
				u.UserType = core.UserTypeMember
			}
			must(t, s.CreateUser(ctx, u))
			if tenant == tenantA {
				mine = append(mine, u)
			}
		}
	}
	return mine
}

func testPageUsers(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	pageUsers(ctx, t, s)
	for _, tenant := range []string{tenantA, tenantB} {
		all, err := s.ListUsers(ctx, tenant, store.UserFilter{})
		must(t, err)
		if len(all) != len(pageTimes) {
			t.Fatalf("ListUsers: %d users", len(all))
		}
		for _, top := range []int{1, 2, 3, 5} {
			got := walk(t, top, func(p store.Page) ([]core.User, error) {
				return s.ListUsers(ctx, tenant, store.UserFilter{Top: p.Top, After: p.After})
			}, userKey)
			diff(t, fmt.Sprintf("users of %s, %d a page", tenant, top), all, got)
		}
	}
	guests, err := s.ListUsers(ctx, tenantA, store.UserFilter{UserType: core.UserTypeGuest})
	must(t, err)
	got := walk(t, 1, func(p store.Page) ([]core.User, error) {
		return s.ListUsers(ctx, tenantA, store.UserFilter{UserType: core.UserTypeGuest, Top: p.Top, After: p.After})
	}, userKey)
	diff(t, "guests, one a page", guests, got)

	// A cursor names a position, not a row: given tenant B's, tenant A's
	// list goes on from that position with tenant A's rows only.
	b, err := s.ListUsers(ctx, tenantB, store.UserFilter{Top: 2})
	must(t, err)
	rest, err := s.ListUsers(ctx, tenantA, store.UserFilter{After: userKey(b[1])})
	must(t, err)
	for _, u := range rest {
		if u.TenantID != tenantA {
			t.Errorf("tenant A's list after a cursor of B has %s of %s", u.ID, u.TenantID)
		}
	}
	none, err := s.ListUsers(ctx, "00000000-0000-4000-8000-0000000000ff", store.UserFilter{After: userKey(b[0])})
	must(t, err)
	diff(t, "an unknown tenant's users after a cursor", []core.User(nil), none)
}

// testPageUsersInsert: users created between pages (at the same instant
// as a page's last row, or later) never make a walk repeat or skip a
// user that existed when it began.
func testPageUsersInsert(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	before := pageUsers(ctx, t, s)
	seen := map[string]int{}
	var after store.Cursor
	for n := 0; ; n++ {
		got, err := s.ListUsers(ctx, tenantA, store.UserFilter{Top: 2, After: after})
		must(t, err)
		for _, u := range got {
			seen[u.ID]++
		}
		if len(got) < 2 {
			break
		}
		after = userKey(got[len(got)-1])
		late := newUser(tenantA, fmt.Sprintf("user-late-%d", n), fmt.Sprintf("late%d@example.com", n))
		late.CreatedAt = after.CreatedAt
		must(t, s.CreateUser(ctx, late))
		later := newUser(tenantA, fmt.Sprintf("user-later-%d", n), fmt.Sprintf("later%d@example.com", n))
		later.CreatedAt = at(time.Hour + time.Duration(n)*time.Second)
		must(t, s.CreateUser(ctx, later))
	}
	for _, u := range before {
		if seen[u.ID] != 1 {
			t.Errorf("user %s seen %d times", u.ID, seen[u.ID])
		}
	}
	for id, n := range seen {
		if n > 1 {
			t.Errorf("user %s seen %d times", id, n)
		}
	}
}

func testPageInvitations(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	users := pageUsers(ctx, t, s)
	for i, d := range pageTimes {
		inv := newInvitation(tenantA, fmt.Sprintf("inv-%d", 9-i), users[i].ID, fmt.Sprint(i))
		inv.CreatedAt = at(d)
		must(t, s.CreateInvitation(ctx, inv))
		other := newInvitation(tenantB, fmt.Sprintf("inv-%d", 9-i), users[i].ID, fmt.Sprint(i))
		other.CreatedAt = at(d)
		must(t, s.CreateInvitation(ctx, other))
	}
	f := store.InvitationFilter{Status: core.InvitationPending}
	all, err := s.ListInvitations(ctx, tenantA, f)
	must(t, err)
	if len(all) != len(pageTimes) {
		t.Fatalf("ListInvitations: %d invitations", len(all))
	}
	for _, top := range []int{1, 2, 4} {
		got := walk(t, top, func(p store.Page) ([]core.Invitation, error) {
			return s.ListInvitations(ctx, tenantA, store.InvitationFilter{Status: f.Status, Top: p.Top, After: p.After})
		}, invitationKey)
		diff(t, fmt.Sprintf("invitations, %d a page", top), all, got)
	}
	done, err := s.ListInvitations(ctx, tenantA, store.InvitationFilter{Status: core.InvitationCompleted, Top: 2})
	must(t, err)
	diff(t, "completed invitations", []core.Invitation(nil), done)
}

func testPageApplications(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	for _, tenant := range []string{tenantA, tenantB} {
		for i, d := range pageTimes {
			must(t, s.CreateApplication(ctx, newApp(tenant, 9-i, at(d))))
		}
	}
	for _, tenant := range []string{tenantA, tenantB} {
		all, err := s.ListApplications(ctx, tenant)
		must(t, err)
		if len(all) != len(pageTimes) {
			t.Fatalf("ListApplications: %d applications", len(all))
		}
		for _, top := range []int{1, 2, 3} {
			got := walk(t, top, func(p store.Page) ([]core.Application, error) {
				return s.ApplicationsPage(ctx, tenant, p)
			}, appKey)
			diff(t, fmt.Sprintf("applications of %s, %d a page", tenant, top), all, got)
		}
	}
}

// testPageAssignments pages a user's assignments and an application's.
func testPageAssignments(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	users := pageUsers(ctx, t, s)
	var apps []*core.Application
	for i, d := range pageTimes {
		a := newApp(tenantA, 9-i, at(d))
		must(t, s.CreateApplication(ctx, a))
		apps = append(apps, a)
	}
	for i, d := range pageTimes {
		must(t, s.CreateAssignment(ctx, newAssignment(users[0], apps[i], fmt.Sprintf("asg-u-%d", 9-i), at(d))))
		if i > 0 { // users[0] has apps[0] already
			must(t, s.CreateAssignment(ctx, newAssignment(users[i], apps[0], fmt.Sprintf("asg-a-%d", 9-i), at(d))))
		}
	}
	mine, err := s.UserAssignments(ctx, tenantA, users[0].ID)
	must(t, err)
	theirs, err := s.AppAssignments(ctx, tenantA, apps[0].AppID)
	must(t, err)
	if len(mine) != len(pageTimes) || len(theirs) != len(pageTimes) {
		t.Fatalf("assignments: the user's %d, the application's %d", len(mine), len(theirs))
	}
	for _, top := range []int{1, 2, 3} {
		got := walk(t, top, func(p store.Page) ([]core.Assignment, error) {
			return s.UserAssignmentsPage(ctx, tenantA, users[0].ID, p)
		}, assignmentKey)
		diff(t, fmt.Sprintf("the user's assignments, %d a page", top), mine, got)
		got = walk(t, top, func(p store.Page) ([]core.Assignment, error) {
			return s.AppAssignmentsPage(ctx, tenantA, apps[0].AppID, p)
		}, assignmentKey)
		diff(t, fmt.Sprintf("the application's assignments, %d a page", top), theirs, got)
	}
	// Tenant B has a user with the same id, and none of these
	// assignments, whatever the cursor.
	other, err := s.UserAssignmentsPage(ctx, tenantB, users[0].ID, store.Page{Top: 2, After: assignmentKey(mine[0])})
	must(t, err)
	diff(t, "tenant B's user's assignments", []core.Assignment(nil), other)
	other, err = s.AppAssignmentsPage(ctx, tenantB, apps[0].AppID, store.Page{Top: 2})
	must(t, err)
	diff(t, "tenant B's application's assignments", []core.Assignment(nil), other)
}
