package storetest

import (
	"testing"
	"time"

	"guestlist/internal/core"
)

// testAdminSessions: console sessions are read back as stored, touched
// only forwards, pass the second factor once, end one at a time or all of
// a user's at once, go with their user, their tenant and by pruning, and
// are never seen from another tenant.
func testAdminSessions(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	for _, u := range []*core.User{newUser(tenantA, "u1", "u1@example.com"),
		newUser(tenantA, "u2", "u2@example.com"), newUser(tenantB, "u1", "u1@example.com")} {
		must(t, s.CreateUser(ctx, u))
	}
	session := func(tenant, id, user string, created time.Time) *core.AdminSession {
		return &core.AdminSession{TenantID: tenant, ID: id, UserID: user, CreatedAt: created,
			SeenAt: created, ExpiresAt: created.Add(12 * time.Hour), Pending: true,
			ClientIP: "192.0.2.1", UserAgent: "Browser/1.0"}
	}
	a1, a2 := session(tenantA, "s1", "u1", t0), session(tenantA, "s2", "u1", at(time.Minute))
	a3, b1 := session(tenantA, "s3", "u2", t0), session(tenantB, "s1", "u1", at(time.Hour))
	for _, x := range []*core.AdminSession{a1, a2, a3, b1} {
		must(t, s.CreateAdminSession(ctx, x))
	}
	wantKind(t, s.CreateAdminSession(ctx, session(tenantA, "s1", "u2", t0)), core.ErrConflict)

	got, err := s.AdminSession(ctx, tenantA, "s1")
	must(t, err)
	diff(t, "AdminSession", a1, got)
	got, err = s.AdminSession(ctx, tenantB, "s1")
	must(t, err)
	diff(t, "the other tenant's session", b1, got)
	_, err = s.AdminSession(ctx, tenantB, "s2")
	wantKind(t, err, core.ErrNotFound)

	// Touching moves seen_at forwards only: a slow request that started
	// earlier cannot move it back.
	must(t, s.TouchAdminSession(ctx, tenantA, "s1", at(10*time.Minute)))
	must(t, s.TouchAdminSession(ctx, tenantA, "s1", at(5*time.Minute)))
	got, err = s.AdminSession(ctx, tenantA, "s1")
	must(t, err)
	if want := at(10 * time.Minute); !got.SeenAt.Equal(want.Truncate(time.Microsecond)) {
		t.Errorf("SeenAt = %v, want %v", got.SeenAt, want)
	}

	// The second factor is passed once; another tenant's cannot be.
	end := at(13 * time.Hour)
	wantKind(t, s.PassAdminSecondFactor(ctx, tenantB, "s2", end), core.ErrNotFound)
	must(t, s.PassAdminSecondFactor(ctx, tenantA, "s1", end))
	wantKind(t, s.PassAdminSecondFactor(ctx, tenantA, "s1", end), core.ErrNotFound)
	if got, _ = s.AdminSession(ctx, tenantA, "s1"); got == nil || got.Pending || !got.ExpiresAt.Equal(end.Truncate(time.Microsecond)) {
		t.Errorf("after the second factor the session is %+v, want not pending, ending at %v", got, end)
	}

	// Sign-out everywhere ends every session of the user in the tenant,
	// and nobody else's.
	n, err := s.DeleteAdminSessionsOf(ctx, tenantA, "u1")
	must(t, err)
	if n != 2 {
		t.Errorf("DeleteAdminSessionsOf ended %d sessions, want 2", n)
	}
	for _, x := range []*core.AdminSession{a1, a2} {
		_, err = s.AdminSession(ctx, x.TenantID, x.ID)
		wantKind(t, err, core.ErrNotFound)
	}
	for _, x := range []*core.AdminSession{a3, b1} {
		_, err = s.AdminSession(ctx, x.TenantID, x.ID)
		must(t, err)
	}
	must(t, s.DeleteAdminSession(ctx, tenantA, "s3"))
	must(t, s.DeleteAdminSession(ctx, tenantA, "s3")) // already gone: no error
	_, err = s.AdminSession(ctx, tenantA, "s3")
	wantKind(t, err, core.ErrNotFound)

	// Deleting the user ends their sessions; pruning ends expired ones.
	must(t, s.CreateAdminSession(ctx, session(tenantA, "s4", "u2", t0)))
	must(t, s.DeleteUser(ctx, tenantA, "u2"))
	_, err = s.AdminSession(ctx, tenantA, "s4")
	wantKind(t, err, core.ErrNotFound)
	must(t, s.Prune(ctx, b1.ExpiresAt.Add(-time.Second)))
	_, err = s.AdminSession(ctx, tenantB, "s1")
	must(t, err)
	must(t, s.Prune(ctx, b1.ExpiresAt))
	_, err = s.AdminSession(ctx, tenantB, "s1")
	wantKind(t, err, core.ErrNotFound)
}
