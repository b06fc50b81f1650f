package storetest

import (
	"testing"
	"time"

	"guestlist/internal/core"
)

// testAuthRequestLifetimes: issuing a code sets the request's end to the
// code's (SPEC R32: codes live at most 5 minutes, however long the
// request had left), and Prune removes requests nobody completed once
// they expired.
func testAuthRequestLifetimes(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	r := newAuthRequest(tenantA, "ar-code")
	must(t, s.CreateAuthRequest(ctx, r))
	must(t, s.CompleteAuthRequest(ctx, tenantA, "ar-code", "user-1", at(0), []string{"otp"}))
	codeEnd := at(5 * time.Minute)
	must(t, s.SetAuthCode(ctx, tenantA, "ar-code", []byte("code-hash"), codeEnd))
	got, err := s.AuthRequestByCode(ctx, tenantA, []byte("code-hash"), codeEnd.Add(-time.Second))
	must(t, err)
	if !got.ExpiresAt.Equal(codeEnd.Truncate(time.Microsecond)) {
		t.Errorf("request expires at %v after its code was issued, want the code's end %v", got.ExpiresAt, codeEnd)
	}
	_, err = s.AuthRequestByCode(ctx, tenantA, []byte("code-hash"), codeEnd)
	wantKind(t, err, core.ErrNotFound)

	unused := newAuthRequest(tenantA, "ar-unused")
	unused.ExpiresAt = at(10 * time.Minute)
	must(t, s.CreateAuthRequest(ctx, unused))
	must(t, s.Prune(ctx, at(9*time.Minute)))
	if _, err := s.GetAuthRequest(ctx, tenantA, "ar-unused", at(0)); err != nil {
		t.Fatalf("a live request was pruned: %v", err)
	}
	must(t, s.Prune(ctx, unused.ExpiresAt))
	_, err = s.GetAuthRequest(ctx, tenantA, "ar-unused", at(0))
	wantKind(t, err, core.ErrNotFound)
}

// testAuthRequestBrowser: the hash binding a request to its browser is
// stored and read back as written.
func testAuthRequestBrowser(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	r := newAuthRequest(tenantA, "ar-bound")
	r.BrowserHash = []byte("browser-hash")
	must(t, s.CreateAuthRequest(ctx, r))
	got, err := s.GetAuthRequest(ctx, tenantA, "ar-bound", t0)
	must(t, err)
	diff(t, "GetAuthRequest of a bound request", r, got)
}
