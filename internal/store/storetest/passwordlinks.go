package storetest

import (
	"testing"
	"time"

	"guestlist/internal/core"
)

func newPasswordLink(tenantID, id, userID, hash string) *core.PasswordLink {
	return &core.PasswordLink{TenantID: tenantID, ID: id, UserID: userID, Hash: []byte(hash),
		CreatedAt: t0.Truncate(time.Microsecond), ExpiresAt: at(24 * time.Hour).Truncate(time.Microsecond)}
}

// testPasswordLinks: a link is found by its hash in its own tenant only,
// is used once, a newer link of the user replaces the older, and links go
// with their user, their tenant and (once expired) a prune.
func testPasswordLinks(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	for _, u := range []*core.User{newUser(tenantA, "u1", "u1@example.com"),
		newUser(tenantA, "u2", "u2@example.com"), newUser(tenantB, "u1", "u1@example.com")} {
		must(t, s.CreateUser(ctx, u))
	}
	l1 := newPasswordLink(tenantA, "pl-1", "u1", "hash-1")
	must(t, s.IssuePasswordLink(ctx, l1))
	got, err := s.PasswordLinkByHash(ctx, tenantA, []byte("hash-1"))
	must(t, err)
	diff(t, "PasswordLinkByHash", l1, got)
	_, err = s.PasswordLinkByHash(ctx, tenantB, []byte("hash-1"))
	wantKind(t, err, core.ErrNotFound)
	wantKind(t, s.UsePasswordLink(ctx, tenantB, "pl-1", t0), core.ErrNotFound)

	// A newer link replaces the user's older one, not another user's.
	l2 := newPasswordLink(tenantA, "pl-2", "u2", "hash-2")
	must(t, s.IssuePasswordLink(ctx, l2))
	l3 := newPasswordLink(tenantA, "pl-3", "u1", "hash-3")
	must(t, s.IssuePasswordLink(ctx, l3))
	_, err = s.PasswordLinkByHash(ctx, tenantA, []byte("hash-1"))
	wantKind(t, err, core.ErrNotFound)
	_, err = s.PasswordLinkByHash(ctx, tenantA, []byte("hash-2"))
	must(t, err)

	// Used once: the second use conflicts, and the link says when.
	must(t, s.UsePasswordLink(ctx, tenantA, "pl-3", at(time.Minute)))
	wantKind(t, s.UsePasswordLink(ctx, tenantA, "pl-3", at(2*time.Minute)), core.ErrConflict)
	got, err = s.PasswordLinkByHash(ctx, tenantA, []byte("hash-3"))
	must(t, err)
	if want := at(time.Minute).Truncate(time.Microsecond); !got.UsedAt.Equal(want) {
		t.Errorf("UsedAt = %v, want %v", got.UsedAt, want)
	}

	// The same hash in the other tenant is another link.
	b1 := newPasswordLink(tenantB, "pl-1", "u1", "hash-2")
	must(t, s.IssuePasswordLink(ctx, b1))

	must(t, s.DeleteUser(ctx, tenantA, "u2"))
	_, err = s.PasswordLinkByHash(ctx, tenantA, []byte("hash-2"))
	wantKind(t, err, core.ErrNotFound)
	must(t, s.Prune(ctx, at(25*time.Hour)))
	_, err = s.PasswordLinkByHash(ctx, tenantA, []byte("hash-3"))
	wantKind(t, err, core.ErrNotFound)

	b2 := newPasswordLink(tenantB, "pl-2", "u1", "hash-4")
	b2.ExpiresAt = at(48 * time.Hour).Truncate(time.Microsecond)
	must(t, s.IssuePasswordLink(ctx, b2))
	must(t, s.DeleteTenant(ctx, tenantB))
	_, err = s.PasswordLinkByHash(ctx, tenantB, []byte("hash-4"))
	wantKind(t, err, core.ErrNotFound)
}
