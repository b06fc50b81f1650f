package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

func testApps(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore,
		subtest{"RoundTrip", testAppsRoundTrip},
		subtest{"Conflict", testAppsConflict},
		subtest{"Update", testAppsUpdate},
		subtest{"ByClientID", testAppsByClientID},
		subtest{"Delete", testAppsDelete},
		subtest{"Secrets", testAppSecrets},
		subtest{"Assignments", testAssignments},
		subtest{"AssignmentRequired", testAssignmentRequired},
		subtest{"AppAssignments", testAppAssignments},
		subtest{"EndUnassignedAppAccess", testEndUnassignedAppAccess},
		subtest{"DeleteUserAndTenant", testAssignmentsCascade},
		subtest{"LastSignIn", testLastSignIn},
	)
}

// newApp is application n of a tenant, every field set; ids differ by
// tenant and n.
func newApp(tenantID string, n int, created time.Time) *core.Application {
	id := func(kind int) string {
		return fmt.Sprintf("%08x-0000-4000-8000-%s%02d", kind, tenantID[len(tenantID)-10:], n)
	}
	return &core.Application{
		TenantID:                 tenantID,
		AppID:                    id(1),
		ID:                       id(2),
		ServicePrincipalID:       id(3),
		DisplayName:              fmt.Sprintf("App %d", n),
		WebRedirectURIs:          []string{"https://app.example/cb", "https://app.example/cb2"},
		SPARedirectURIs:          []string{"http://localhost:3000/"},
		PublicClientRedirectURIs: []string{"com.example.app:/callback"},
		HomePageURL:              "https://app.example/home",
		SecretHash:               []byte{1, 2, 3},
		CreatedAt:                created,
		AssignmentRequired:       true,
		SignInAudience:           core.AudienceMyOrg,
	}
}

// twoApps creates, after the two tenants, an admin application and a
// second application in tenant A and one application in tenant B.
func twoApps(ctx context.Context, t *testing.T, s store.Store) (admin, a2, b1 *core.Application) {
	t.Helper()
	twoTenants(ctx, t, s)
	admin = newApp(tenantA, 1, t0)
	admin.IsAdmin, admin.WebRedirectURIs, admin.HomePageURL = true, nil, ""
	a2 = newApp(tenantA, 2, at(time.Second))
	b1 = newApp(tenantB, 1, t0)
	for _, a := range []*core.Application{admin, a2, b1} {
		must(t, s.CreateApplication(ctx, a))
	}
	return admin, a2, b1
}

func testAppsRoundTrip(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	admin, a2, b1 := twoApps(ctx, t, s)
	for _, want := range []*core.Application{admin, a2, b1} {
		got, err := s.GetApplication(ctx, want.TenantID, want.AppID)
		must(t, err)
		diff(t, "GetApplication", want, got)
		got, err = s.ApplicationByID(ctx, want.TenantID, want.ID)
		must(t, err)
		diff(t, "ApplicationByID", want, got)
		got, err = s.ApplicationByServicePrincipal(ctx, want.TenantID, want.ServicePrincipalID)
		must(t, err)
		diff(t, "ApplicationByServicePrincipal", want, got)
	}
	list, err := s.ListApplications(ctx, tenantA)
	must(t, err)
	diff(t, "ListApplications", []core.Application{*admin, *a2}, list)

	t.Run("NotFound", func(t *testing.T) {
		_, err := s.ApplicationByID(ctx, tenantA, "00000000-0000-4000-8000-0000000000ff")
		wantKind(t, err, core.ErrNotFound)
		_, err = s.ApplicationByServicePrincipal(ctx, tenantA, "00000000-0000-4000-8000-0000000000ff")
		wantKind(t, err, core.ErrNotFound)
		list, err := s.ListApplications(ctx, "00000000-0000-4000-8000-0000000000ff")
		must(t, err)
		diff(t, "applications of no tenant", []core.Application(nil), list)
	})
	t.Run("OtherTenant", func(t *testing.T) {
		_, err := s.GetApplication(ctx, tenantB, a2.AppID)
		wantKind(t, err, core.ErrNotFound)
		_, err = s.ApplicationByID(ctx, tenantB, a2.ID)
		wantKind(t, err, core.ErrNotFound)
		_, err = s.ApplicationByServicePrincipal(ctx, tenantB, a2.ServicePrincipalID)
		wantKind(t, err, core.ErrNotFound)
	})
	t.Run("MissingTenant", func(t *testing.T) {
		wantKind(t, s.CreateApplication(ctx, newApp("00000000-0000-4000-8000-0000000000ff", 1, t0)), core.ErrNotFound)
	})
}

// testAppsConflict: each of the three ids is unique per tenant, and only
// per tenant.
func testAppsConflict(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	_, a2, _ := twoApps(ctx, t, s)
	fresh := newApp(tenantA, 9, t0)
	for name, change := range map[string]func(a *core.Application){
		"appId":              func(a *core.Application) { a.AppID = a2.AppID },
		"id":                 func(a *core.Application) { a.ID = a2.ID },
		"servicePrincipalId": func(a *core.Application) { a.ServicePrincipalID = a2.ServicePrincipalID },
	} {
		t.Run(name, func(t *testing.T) {
			dup := *fresh
			change(&dup)
			wantKind(t, s.CreateApplication(ctx, &dup), core.ErrConflict)
		})
	}
	sameIDs := *a2
	sameIDs.TenantID = tenantB
	must(t, s.CreateApplication(ctx, &sameIDs))
}

func testAppsUpdate(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	_, a2, b1 := twoApps(ctx, t, s)
	want := *a2
	want.DisplayName = "Renamed"
	want.WebRedirectURIs = nil
	want.SPARedirectURIs = []string{"https://spa.example/"}
	want.PublicClientRedirectURIs = []string{"http://127.0.0.1/cb", "com.example.app:/x"}
	want.HomePageURL = ""
	want.SignInAudience = core.AudienceMultipleOrgs
	// Only the mutable fields are written.
	ignored := want
	ignored.IsAdmin, ignored.SecretHash, ignored.CreatedAt = true, []byte{7}, at(time.Hour)
	ignored.ID, ignored.ServicePrincipalID = "other-object", "other-sp"
	must(t, s.UpdateApplication(ctx, &ignored))
	got, err := s.GetApplication(ctx, tenantA, a2.AppID)
	must(t, err)
	diff(t, "updated application", &want, got)
	got, err = s.GetApplication(ctx, tenantB, b1.AppID)
	must(t, err)
	diff(t, "other tenant's application", b1, got)

	other := want
	other.TenantID = tenantB
	wantKind(t, s.UpdateApplication(ctx, &other), core.ErrNotFound)
	other.TenantID, other.AppID = tenantA, "00000000-0000-4000-8000-0000000000ff"
	wantKind(t, s.UpdateApplication(ctx, &other), core.ErrNotFound)
}

// testAppsByClientID: the common endpoint finds an application's tenant
// from its client id alone (SPEC R31).
func testAppsByClientID(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	_, a2, b1 := twoApps(ctx, t, s)
	got, err := s.ApplicationsByClientID(ctx, b1.AppID)
	must(t, err)
	diff(t, "one tenant's application", []core.Application{*b1}, got)
	later := *a2
	later.TenantID, later.CreatedAt = tenantB, at(time.Hour)
	must(t, s.CreateApplication(ctx, &later))
	got, err = s.ApplicationsByClientID(ctx, a2.AppID)
	must(t, err)
	diff(t, "the same client id in two tenants, oldest first", []core.Application{*a2, later}, got)
	got, err = s.ApplicationsByClientID(ctx, "00000000-0000-4000-8000-0000000000ff")
	must(t, err)
	diff(t, "unknown client id", []core.Application(nil), got)
	// Made without an audience: single tenant, Graph's default.
	plain := newApp(tenantB, 7, t0)
	plain.SignInAudience = ""
	must(t, s.CreateApplication(ctx, plain))
	back, err := s.GetApplication(ctx, tenantB, plain.AppID)
	must(t, err)
	if back.SignInAudience != core.AudienceMyOrg {
		t.Errorf("default signInAudience = %q, want %q", back.SignInAudience, core.AudienceMyOrg)
	}
}

func testAppsDelete(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	admin, a2, b1 := twoApps(ctx, t, s)
	u := newUser(tenantA, "user-1", "guest@example.com")
	must(t, s.CreateUser(ctx, u))
	must(t, s.AddAppSecret(ctx, newSecret(a2, "key-1", t0)))
	must(t, s.AddAppSecret(ctx, newSecret(admin, "key-1", t0)))
	must(t, s.CreateAssignment(ctx, newAssignment(u, a2, "asg-1", t0)))
	must(t, s.CreateAssignment(ctx, newAssignment(u, admin, "asg-2", t0)))

	wantKind(t, s.DeleteApplication(ctx, tenantB, a2.AppID), core.ErrNotFound)
	must(t, s.DeleteApplication(ctx, tenantA, a2.AppID))
	_, err := s.GetApplication(ctx, tenantA, a2.AppID)
	wantKind(t, err, core.ErrNotFound)
	wantKind(t, s.DeleteApplication(ctx, tenantA, a2.AppID), core.ErrNotFound)

	secrets, err := s.AppSecrets(ctx, tenantA, a2.AppID)
	must(t, err)
	diff(t, "secrets of the deleted application", []core.AppSecret(nil), secrets)
	asg, err := s.UserAssignments(ctx, tenantA, u.ID)
	must(t, err)
	diff(t, "assignments left", []core.Assignment{*newAssignment(u, admin, "asg-2", t0)}, asg)
	// The other applications keep theirs.
	secrets, err = s.AppSecrets(ctx, tenantA, admin.AppID)
	must(t, err)
	diff(t, "admin secrets", []core.AppSecret{*newSecret(admin, "key-1", t0)}, secrets)
	_, err = s.GetApplication(ctx, tenantB, b1.AppID)
	must(t, err)
	// The ids are free again.
	must(t, s.CreateApplication(ctx, a2))
}

func newSecret(a *core.Application, keyID string, start time.Time) *core.AppSecret {
	return &core.AppSecret{
		TenantID: a.TenantID, AppID: a.AppID, KeyID: keyID, DisplayName: "Secret " + keyID,
		Hint: "abc", Hash: []byte("hash-" + keyID), StartAt: start, EndAt: start.Add(24 * time.Hour),
	}
}

func testAppSecrets(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	admin, a2, b1 := twoApps(ctx, t, s)
	k1 := newSecret(admin, "key-1", at(time.Minute))
	k2 := newSecret(admin, "key-2", t0)
	k2.EndAt = time.Time{} // does not expire
	k3 := newSecret(b1, "key-1", t0)
	for _, k := range []*core.AppSecret{k1, k2, k3} {
		must(t, s.AddAppSecret(ctx, k))
	}
	got, err := s.AppSecrets(ctx, tenantA, admin.AppID)
	must(t, err)
	diff(t, "AppSecrets, oldest first", []core.AppSecret{*k2, *k1}, got)
	got, err = s.AppSecrets(ctx, tenantA, a2.AppID)
	must(t, err)
	diff(t, "secrets of an application without any", []core.AppSecret(nil), got)

	t.Run("Conflict", func(t *testing.T) {
		dup := *k1
		dup.Hash = []byte("other")
		wantKind(t, s.AddAppSecret(ctx, &dup), core.ErrConflict)
	})
	t.Run("MissingApplication", func(t *testing.T) {
		k := newSecret(admin, "key-9", t0)
		k.AppID = "00000000-0000-4000-8000-0000000000ff"
		wantKind(t, s.AddAppSecret(ctx, k), core.ErrNotFound)
		k = newSecret(admin, "key-9", t0)
		k.TenantID = tenantB // the application is tenant A's
		wantKind(t, s.AddAppSecret(ctx, k), core.ErrNotFound)
	})
	t.Run("OtherTenant", func(t *testing.T) {
		got, err := s.AppSecrets(ctx, tenantB, admin.AppID)
		must(t, err)
		diff(t, "tenant B reading A's secrets", []core.AppSecret(nil), got)
		wantKind(t, s.RemoveAppSecret(ctx, tenantB, admin.AppID, "key-1"), core.ErrNotFound)
	})
	t.Run("Remove", func(t *testing.T) {
		must(t, s.RemoveAppSecret(ctx, tenantA, admin.AppID, "key-1"))
		wantKind(t, s.RemoveAppSecret(ctx, tenantA, admin.AppID, "key-1"), core.ErrNotFound)
		got, err := s.AppSecrets(ctx, tenantA, admin.AppID)
		must(t, err)
		diff(t, "after removing key-1", []core.AppSecret{*k2}, got)
		got, err = s.AppSecrets(ctx, tenantB, b1.AppID)
		must(t, err)
		diff(t, "tenant B's secret with the same key id", []core.AppSecret{*k3}, got)
	})
}

func newAssignment(u *core.User, a *core.Application, id string, created time.Time) *core.Assignment {
	return &core.Assignment{TenantID: u.TenantID, ID: id, UserID: u.ID, AppID: a.AppID, CreatedAt: created}
}

func testAssignments(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	admin, a2, b1 := twoApps(ctx, t, s)
	u1 := newUser(tenantA, "user-1", "one@example.com")
	u2 := newUser(tenantA, "user-2", "two@example.com")
	ub := newUser(tenantB, "user-1", "one@example.com")
	for _, u := range []*core.User{u1, u2, ub} {
		must(t, s.CreateUser(ctx, u))
	}
	x1 := newAssignment(u1, a2, "asg-1", at(time.Minute))
	x2 := newAssignment(u1, admin, "asg-2", t0)
	x3 := newAssignment(u2, a2, "asg-3", t0)
	xb := newAssignment(ub, b1, "asg-1", t0)
	for _, x := range []*core.Assignment{x1, x2, x3, xb} {
		must(t, s.CreateAssignment(ctx, x))
	}
	got, err := s.UserAssignments(ctx, tenantA, u1.ID)
	must(t, err)
	diff(t, "UserAssignments, oldest first", []core.Assignment{*x2, *x1}, got)
	got, err = s.UserAssignments(ctx, tenantB, u1.ID)
	must(t, err)
	diff(t, "the same user id in tenant B", []core.Assignment{*xb}, got)

	for _, tc := range []struct {
		tenant, user, app string
		want              bool
	}{
		{tenantA, u1.ID, a2.AppID, true},
		{tenantA, u2.ID, a2.AppID, true},
		{tenantA, u2.ID, admin.AppID, false},
		{tenantB, u1.ID, a2.AppID, false}, // A's application, B's user of that id
		{tenantA, u1.ID, b1.AppID, false},
		{tenantA, "nobody", a2.AppID, false},
	} {
		ok, err := s.IsAssigned(ctx, tc.tenant, tc.user, tc.app)
		must(t, err)
		if ok != tc.want {
			t.Errorf("IsAssigned(%s, %s, %s) = %v, want %v", tc.tenant, tc.user, tc.app, ok, tc.want)
		}
	}

	t.Run("Conflict", func(t *testing.T) {
		again := newAssignment(u1, a2, "asg-9", t0)
		wantKind(t, s.CreateAssignment(ctx, again), core.ErrConflict)
		sameID := newAssignment(u2, admin, "asg-1", t0)
		wantKind(t, s.CreateAssignment(ctx, sameID), core.ErrConflict)
	})
	t.Run("NotFound", func(t *testing.T) {
		noUser := newAssignment(u1, a2, "asg-9", t0)
		noUser.UserID = "nobody"
		wantKind(t, s.CreateAssignment(ctx, noUser), core.ErrNotFound)
		noApp := newAssignment(u2, a2, "asg-9", t0)
		noApp.AppID = "00000000-0000-4000-8000-0000000000ff"
		wantKind(t, s.CreateAssignment(ctx, noApp), core.ErrNotFound)
		otherTenantsApp := newAssignment(u2, b1, "asg-9", t0)
		wantKind(t, s.CreateAssignment(ctx, otherTenantsApp), core.ErrNotFound)
	})
	t.Run("Delete", func(t *testing.T) {
		wantKind(t, s.DeleteAssignment(ctx, tenantA, u2.ID, x1.ID), core.ErrNotFound) // u1's
		wantKind(t, s.DeleteAssignment(ctx, tenantB, u1.ID, x2.ID), core.ErrNotFound)
		must(t, s.DeleteAssignment(ctx, tenantA, u1.ID, x1.ID))
		wantKind(t, s.DeleteAssignment(ctx, tenantA, u1.ID, x1.ID), core.ErrNotFound)
		got, err := s.UserAssignments(ctx, tenantA, u1.ID)
		must(t, err)
		diff(t, "after deleting asg-1", []core.Assignment{*x2}, got)
		got, err = s.UserAssignments(ctx, tenantB, ub.ID)
		must(t, err)
		diff(t, "tenant B's asg-1", []core.Assignment{*xb}, got)
		// Assigning again works.
		must(t, s.CreateAssignment(ctx, x1))
	})
}

// testAssignmentsCascade: deleting a user removes their assignments (the
// application keeps the others'); deleting a tenant removes its
// applications, secrets and assignments and nothing of another tenant.
func testAssignmentsCascade(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	admin, a2, b1 := twoApps(ctx, t, s)
	u1 := newUser(tenantA, "user-1", "one@example.com")
	u2 := newUser(tenantA, "user-2", "two@example.com")
	ub := newUser(tenantB, "user-1", "one@example.com")
	for _, u := range []*core.User{u1, u2, ub} {
		must(t, s.CreateUser(ctx, u))
	}
	must(t, s.CreateAssignment(ctx, newAssignment(u1, a2, "asg-1", t0)))
	must(t, s.CreateAssignment(ctx, newAssignment(u2, a2, "asg-2", t0)))
	must(t, s.CreateAssignment(ctx, newAssignment(ub, b1, "asg-1", t0)))
	must(t, s.AddAppSecret(ctx, newSecret(admin, "key-1", t0)))
	must(t, s.AddAppSecret(ctx, newSecret(b1, "key-1", t0)))

	must(t, s.DeleteUser(ctx, tenantA, u1.ID))
	got, err := s.UserAssignments(ctx, tenantA, u1.ID)
	must(t, err)
	diff(t, "deleted user's assignments", []core.Assignment(nil), got)
	ok, err := s.IsAssigned(ctx, tenantA, u2.ID, a2.AppID)
	must(t, err)
	if !ok {
		t.Error("deleting one user removed another user's assignment")
	}
	// The user id can come back, without the old assignment.
	must(t, s.CreateUser(ctx, u1))
	ok, err = s.IsAssigned(ctx, tenantA, u1.ID, a2.AppID)
	must(t, err)
	if ok {
		t.Error("a recreated user inherited a deleted user's assignment")
	}

	must(t, s.DeleteTenant(ctx, tenantA))
	list, err := s.ListApplications(ctx, tenantA)
	must(t, err)
	diff(t, "deleted tenant's applications", []core.Application(nil), list)
	secrets, err := s.AppSecrets(ctx, tenantA, admin.AppID)
	must(t, err)
	diff(t, "deleted tenant's secrets", []core.AppSecret(nil), secrets)
	got, err = s.UserAssignments(ctx, tenantA, u2.ID)
	must(t, err)
	diff(t, "deleted tenant's assignments", []core.Assignment(nil), got)

	got, err = s.UserAssignments(ctx, tenantB, ub.ID)
	must(t, err)
	diff(t, "tenant B's assignments", []core.Assignment{*newAssignment(ub, b1, "asg-1", t0)}, got)
	secrets, err = s.AppSecrets(ctx, tenantB, b1.AppID)
	must(t, err)
	diff(t, "tenant B's secrets", []core.AppSecret{*newSecret(b1, "key-1", t0)}, secrets)
}

func testLastSignIn(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	a1, a2, b1 := threeUsers(ctx, t, s)
	must(t, s.SetLastSignIn(ctx, tenantA, a1.ID, at(time.Hour)))
	got, err := s.GetUser(ctx, tenantA, a1.ID)
	must(t, err)
	want := *a1
	want.LastSignInAt = at(time.Hour)
	diff(t, "user after SetLastSignIn", &want, got)
	list, err := s.ListUsers(ctx, tenantA, store.UserFilter{})
	must(t, err)
	diff(t, "ListUsers", []core.User{want, *a2}, list)
	got, err = s.GetUser(ctx, tenantB, b1.ID)
	must(t, err)
	diff(t, "tenant B's user", b1, got)

	wantKind(t, s.SetLastSignIn(ctx, tenantB, a1.ID, t0), core.ErrNotFound)
	wantKind(t, s.SetLastSignIn(ctx, tenantA, "nobody", t0), core.ErrNotFound)
}
