package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// tenantRows creates one row of every kind in the tenant.
func tenantRows(ctx context.Context, t *testing.T, s store.Store, tenant string) {
	t.Helper()
	must(t, s.CreateApplication(ctx, &core.Application{TenantID: tenant, AppID: "app-1", CreatedAt: t0}))
	must(t, s.CreateUser(ctx, newUser(tenant, "user-1", "guest@example.com")))
	must(t, s.CreateInvitation(ctx, newInvitation(tenant, "inv-1", "user-1", "token-1")))
	must(t, s.CreateFlow(ctx, newFlow(tenant, "flow-1", at(time.Hour))))
	must(t, s.CreatePasscode(ctx, newPasscode(tenant, "code-1", "flow-1", t0, at(time.Hour))))
	must(t, s.CreateSession(ctx, newSession(tenant, "sess-1", "user-1", at(time.Hour))))
	must(t, s.RecordEvent(ctx, tenant, "k", t0))
	must(t, s.EnqueueMail(ctx, newMail(tenant, "mail-"+tenant, t0)))
}

// tenantReads reads each row tenantRows created; all errors, in order.
func tenantReads(ctx context.Context, t *testing.T, s store.Store, tenant string) []error {
	t.Helper()
	_, errT := s.GetTenant(ctx, tenant)
	_, errA := s.GetApplication(ctx, tenant, "app-1")
	_, errU := s.GetUser(ctx, tenant, "user-1")
	_, errI := s.GetInvitation(ctx, tenant, "inv-1")
	_, errF := s.GetFlow(ctx, tenant, "flow-1", t0)
	_, errS := s.GetSession(ctx, tenant, "sess-1", t0)
	_, errM := s.GetMail(ctx, "mail-"+tenant)
	codes, err := s.LivePasscodes(ctx, tenant, "flow-1", t0)
	must(t, err)
	if len(codes) == 0 {
		err = core.NotFoundf("no passcode")
	}
	n, _, errE := s.CountEvents(ctx, tenant, "k", time.Time{})
	must(t, errE)
	if n == 0 {
		errE = core.NotFoundf("no event")
	}
	return []error{errT, errA, errU, errI, errF, errS, errM, err, errE}
}

func testDeleteTenant(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	tenantRows(ctx, t, s, tenantA)
	tenantRows(ctx, t, s, tenantB)

	must(t, s.DeleteTenant(ctx, tenantA))

	for i, err := range tenantReads(ctx, t, s, tenantA) {
		if !errors.Is(err, core.ErrNotFound) {
			t.Errorf("read %d of the deleted tenant: %v, want not found", i, err)
		}
	}
	for i, err := range tenantReads(ctx, t, s, tenantB) {
		if err != nil {
			t.Errorf("read %d of the other tenant: %v", i, err)
		}
	}
	_, err := s.TenantByDomain(ctx, "a.example")
	wantKind(t, err, core.ErrNotFound)
	// Its id and domains are free again.
	must(t, s.CreateTenant(ctx, newTenant(tenantA, "a")))
	wantKind(t, s.DeleteTenant(ctx, "00000000-0000-4000-8000-0000000000ff"), core.ErrNotFound)
}
