package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

func auditRecord(tenantID string, i int, at time.Time) *core.AuditRecord {
	return &core.AuditRecord{
		TenantID: tenantID, ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), At: at,
		Category: "UserManagement", Activity: "Invite external user", OperationType: "Add",
		Service: "Invited Users", Result: core.ResultSuccess, ResultReason: "reason",
		Actor: core.Actor{AppID: "app-" + fmt.Sprint(i%2), AppDisplayName: "Admin", ServicePrincipalID: "sp",
			UserID: "actor", UserPrincipalName: "admin@a.example"},
		Targets: []core.AuditTarget{
			{ID: fmt.Sprintf("user-%d", i%3), DisplayName: "Guest", Type: "User", UserPrincipalName: "g#EXT#@a.test",
				Modified: []core.ModifiedProperty{{DisplayName: "DisplayName", OldValue: `"a"`, NewValue: `"b"`}}},
			{ID: "sp", Type: "ServicePrincipal"},
		},
	}
}

func signInRecord(tenantID string, i int, at time.Time) *core.SignInRecord {
	code := 0
	if i%2 == 1 {
		code = 50126
	}
	return &core.SignInRecord{
		TenantID: tenantID, ID: fmt.Sprintf("00000000-0000-4000-9000-%012d", i), At: at,
		UserID: fmt.Sprintf("user-%d", i%3), UserPrincipalName: "g#EXT#@a.test", UserDisplayName: "Guest",
		UserType: core.UserTypeGuest, AppID: fmt.Sprintf("app-%d", i%2), AppDisplayName: "App",
		IPAddress: "192.0.2.1", Method: core.MethodOTP, ErrorCode: code, FailureReason: "why",
		CrossTenantAccess: core.AccessB2BCollaboration, HomeTenantID: "home",
	}
}

// testAuditLog: records read back whole, newest first, filtered by time,
// target, actor and category, paged by the keyset after a record, kept
// apart per tenant, and rolled back with their transaction.
func testAuditLog(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	var recs []*core.AuditRecord
	for i := range 6 {
		r := auditRecord(tenantA, i, at(time.Duration(i/2)*time.Minute)) // pairs share a time: ids order them
		must(t, s.RecordAudit(ctx, r))
		recs = append(recs, r)
	}
	must(t, s.RecordAudit(ctx, auditRecord(tenantB, 99, at(0))))
	all, err := s.ListAudit(ctx, tenantA, store.AuditFilter{})
	must(t, err)
	diff(t, "newest first", []core.AuditRecord{*recs[5], *recs[4], *recs[3], *recs[2], *recs[1], *recs[0]}, all)

	ids := func(f store.AuditFilter) []string {
		t.Helper()
		got, err := s.ListAudit(ctx, tenantA, f)
		must(t, err)
		var out []string
		for _, r := range got {
			out = append(out, r.ID[len(r.ID)-1:])
		}
		return out
	}
	window := store.LogFilter{Since: at(time.Minute), Until: at(2 * time.Minute)}
	diff(t, "time window", []string{"3", "2"}, ids(store.AuditFilter{LogFilter: window}))
	diff(t, "target", []string{"4", "1"}, ids(store.AuditFilter{TargetID: "user-1"}))
	diff(t, "initiating app", []string{"5", "3", "1"}, ids(store.AuditFilter{LogFilter: store.LogFilter{AppID: "app-1"}}))
	diff(t, "actor and category", 6, len(ids(store.AuditFilter{ActorUserID: "actor", Category: "UserManagement"})))
	diff(t, "another category", 0, len(ids(store.AuditFilter{Category: "Policy"})))
	page := store.Page{Top: 2, After: store.Cursor{CreatedAt: recs[4].At, ID: recs[4].ID}}
	diff(t, "page after 4", []string{"3", "2"}, ids(store.AuditFilter{LogFilter: store.LogFilter{Page: page}}))

	other, err := s.ListAudit(ctx, tenantB, store.AuditFilter{})
	must(t, err)
	diff(t, "tenant B's", 1, len(other))

	boom := errors.New("boom")
	err = s.InTx(ctx, func(tx store.Tx) error {
		must(t, tx.RecordAudit(ctx, auditRecord(tenantA, 7, at(time.Hour))))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	diff(t, "after a rollback", 6, len(ids(store.AuditFilter{})))
	if err := s.RecordAudit(ctx, recs[0]); !errors.Is(err, core.ErrConflict) {
		t.Errorf("RecordAudit of a duplicate id = %v, want core.ErrConflict", err)
	}
}

// testSignInLog: sign-ins read back whole, newest first, filtered by
// time, user, application and status, paged, kept apart per tenant.
func testSignInLog(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	var recs []*core.SignInRecord
	for i := range 6 {
		r := signInRecord(tenantA, i, at(time.Duration(i)*time.Minute))
		must(t, s.RecordSignIn(ctx, r))
		recs = append(recs, r)
	}
	must(t, s.RecordSignIn(ctx, signInRecord(tenantB, 99, at(0))))
	all, err := s.ListSignIns(ctx, tenantA, store.SignInFilter{})
	must(t, err)
	diff(t, "newest first", []core.SignInRecord{*recs[5], *recs[4], *recs[3], *recs[2], *recs[1], *recs[0]}, all)

	ids := func(f store.SignInFilter) []string {
		t.Helper()
		got, err := s.ListSignIns(ctx, tenantA, f)
		must(t, err)
		var out []string
		for _, r := range got {
			out = append(out, r.ID[len(r.ID)-1:])
		}
		return out
	}
	diff(t, "since", []string{"5", "4"}, ids(store.SignInFilter{LogFilter: store.LogFilter{Since: at(4 * time.Minute)}}))
	diff(t, "user", []string{"5", "2"}, ids(store.SignInFilter{UserID: "user-2"}))
	diff(t, "app", []string{"4", "2", "0"}, ids(store.SignInFilter{LogFilter: store.LogFilter{AppID: "app-0"}}))
	diff(t, "failures", []string{"5", "3", "1"}, ids(store.SignInFilter{Status: core.ResultFailure}))
	diff(t, "successes", []string{"4", "2", "0"}, ids(store.SignInFilter{Status: core.ResultSuccess}))
	page := store.Page{Top: 3, After: store.Cursor{CreatedAt: recs[3].At, ID: recs[3].ID}}
	diff(t, "page after 3", []string{"2", "1", "0"}, ids(store.SignInFilter{LogFilter: store.LogFilter{Page: page}}))
	other, err := s.ListSignIns(ctx, tenantB, store.SignInFilter{})
	must(t, err)
	diff(t, "tenant B's", 1, len(other))
}

// testPruneLogs: records made before the cut-off go, in every tenant;
// newer ones stay. A tenant's deletion takes its logs along.
func testPruneLogs(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	for i, tn := range []string{tenantA, tenantB} {
		must(t, s.RecordAudit(ctx, auditRecord(tn, 10*i, at(-time.Hour))))
		must(t, s.RecordAudit(ctx, auditRecord(tn, 10*i+1, at(0))))
		must(t, s.RecordSignIn(ctx, signInRecord(tn, 10*i, at(-time.Hour))))
		must(t, s.RecordSignIn(ctx, signInRecord(tn, 10*i+1, at(0))))
	}
	must(t, s.PruneLogs(ctx, at(0)))
	for _, tn := range []string{tenantA, tenantB} {
		a, err := s.ListAudit(ctx, tn, store.AuditFilter{})
		must(t, err)
		si, err := s.ListSignIns(ctx, tn, store.SignInFilter{})
		must(t, err)
		if len(a) != 1 || !a[0].At.Equal(at(0).Truncate(time.Microsecond)) || len(si) != 1 || !si[0].At.Equal(at(0).Truncate(time.Microsecond)) {
			t.Errorf("tenant %s after PruneLogs: %d audit, %d sign-in records, want the newer one of each", tn, len(a), len(si))
		}
	}
	must(t, s.DeleteTenant(ctx, tenantB))
	must(t, s.CreateTenant(ctx, newTenant(tenantB, "b")))
	a, err := s.ListAudit(ctx, tenantB, store.AuditFilter{})
	must(t, err)
	si, err := s.ListSignIns(ctx, tenantB, store.SignInFilter{})
	must(t, err)
	if len(a)+len(si) != 0 {
		t.Errorf("a deleted tenant's id, made again, has %d audit and %d sign-in records", len(a), len(si))
	}
}
