package storetest

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"guestlist/internal/core"
)

func testOIDC(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore,
		subtest{"AuthRequests", testAuthRequests},
		subtest{"CodeExchange", testCodeExchange},
		subtest{"Families", testTokenFamilies},
		subtest{"RefreshRotation", testRefreshRotation},
		subtest{"EndAccess", testEndAccess},
		subtest{"AuthRequestLifetimes", testAuthRequestLifetimes},
		subtest{"AuthRequestBrowser", testAuthRequestBrowser},
	)
}

func newAuthRequest(tenantID, id string) *core.AuthRequest {
	return &core.AuthRequest{
		TenantID: tenantID, ID: id, ClientID: "client-1", RedirectURI: "https://app.example/cb",
		State: "st", Nonce: "n", ResponseType: "code", ResponseMode: "query",
		Scopes: []string{"openid", "email"}, CodeChallenge: "abc", CodeChallengeMethod: "S256",
		Prompt: []string{"login"}, MaxAge: -1, LoginHint: "alice@contoso.example", UILocales: "nl",
		CreatedAt: at(-time.Minute), ExpiresAt: at(time.Hour),
	}
}

func testAuthRequests(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	r := newAuthRequest(tenantA, "ar-1")
	must(t, s.CreateAuthRequest(ctx, r))
	must(t, s.CreateAuthRequest(ctx, newAuthRequest(tenantA, "ar-2"))) // no code yet: no clash
	wantKind(t, s.CreateAuthRequest(ctx, newAuthRequest(tenantA, "ar-1")), core.ErrConflict)
	got, err := s.GetAuthRequest(ctx, tenantA, "ar-1", t0)
	must(t, err)
	diff(t, "GetAuthRequest", r, got)
	_, err = s.GetAuthRequest(ctx, tenantB, "ar-1", t0)
	wantKind(t, err, core.ErrNotFound)
	_, err = s.GetAuthRequest(ctx, tenantA, "ar-1", r.ExpiresAt)
	wantKind(t, err, core.ErrNotFound)

	wantKind(t, s.SetAuthCode(ctx, tenantA, "ar-1", []byte("code"), r.ExpiresAt), core.ErrConflict) // not done
	must(t, s.CompleteAuthRequest(ctx, tenantA, "ar-1", "user-1", at(0), []string{"otp"}))
	wantKind(t, s.CompleteAuthRequest(ctx, tenantA, "ar-1", "user-2", at(0), nil), core.ErrConflict)
	wantKind(t, s.CompleteAuthRequest(ctx, tenantB, "ar-1", "user-2", at(0), nil), core.ErrNotFound)
	must(t, s.SetAuthCode(ctx, tenantA, "ar-1", []byte("code-hash"), r.ExpiresAt))
	wantKind(t, s.SetAuthCode(ctx, tenantA, "ar-1", []byte("other"), r.ExpiresAt), core.ErrConflict)
	want := *r
	want.UserID, want.AuthTime, want.AMR, want.Done, want.CodeHash = "user-1", at(0), []string{"otp"}, true, []byte("code-hash")
	got, err = s.AuthRequestByCode(ctx, tenantA, []byte("code-hash"), t0)
	must(t, err)
	diff(t, "AuthRequestByCode", &want, got)
	_, err = s.AuthRequestByCode(ctx, tenantB, []byte("code-hash"), t0)
	wantKind(t, err, core.ErrNotFound)
	_, err = s.AuthRequestByCode(ctx, tenantA, []byte("code-hash"), r.ExpiresAt)
	wantKind(t, err, core.ErrNotFound)
}

// testCodeExchange: of racing exchanges of one code exactly one wins, and
// the request stays findable by its code to recognise a reuse.
func testCodeExchange(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	must(t, s.CreateAuthRequest(ctx, newAuthRequest(tenantA, "ar-1")))
	must(t, s.CompleteAuthRequest(ctx, tenantA, "ar-1", "user-1", at(0), []string{"otp"}))
	must(t, s.SetAuthCode(ctx, tenantA, "ar-1", []byte("code-hash"), at(time.Hour)))
	var wins atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.ExchangeAuthRequest(ctx, tenantA, "ar-1", "family-"+string(rune('a'+i)))
			if err == nil {
				wins.Add(1)
			} else if !errors.Is(err, core.ErrConflict) {
				t.Errorf("ExchangeAuthRequest: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d exchanges of one code won, want exactly 1", wins.Load())
	}
	got, err := s.AuthRequestByCode(ctx, tenantA, []byte("code-hash"), t0)
	must(t, err)
	if !got.Exchanged || got.FamilyID == "" {
		t.Errorf("after the exchange: exchanged %v, family %q", got.Exchanged, got.FamilyID)
	}
}

func testTokenFamilies(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	f := &core.TokenFamily{TenantID: tenantA, ID: "fam-1", ClientID: "client-1", UserID: "user-1",
		Scopes: []string{"openid"}, AMR: []string{"otp"}, AuthTime: at(0), CreatedAt: at(0)}
	must(t, s.CreateTokenFamily(ctx, f))
	other := *f
	other.ID, other.ClientID = "fam-2", "client-2"
	must(t, s.CreateTokenFamily(ctx, &other))
	wantKind(t, s.CreateTokenFamily(ctx, f), core.ErrConflict)
	got, err := s.GetTokenFamily(ctx, tenantA, "fam-1")
	must(t, err)
	diff(t, "GetTokenFamily", f, got)
	_, err = s.GetTokenFamily(ctx, tenantB, "fam-1")
	wantKind(t, err, core.ErrNotFound)

	must(t, s.RevokeUserTokens(ctx, tenantA, "user-1", "client-1", at(time.Second)))
	got, err = s.GetTokenFamily(ctx, tenantA, "fam-1")
	must(t, err)
	if !got.RevokedAt.Equal(at(time.Second).Truncate(time.Microsecond)) {
		t.Errorf("revoked at %v, want %v", got.RevokedAt, at(time.Second))
	}
	got, err = s.GetTokenFamily(ctx, tenantA, "fam-2")
	must(t, err)
	if !got.RevokedAt.IsZero() {
		t.Error("revoking one client's tokens revoked another client's")
	}
	must(t, s.RevokeUserTokens(ctx, tenantA, "user-1", "", at(2*time.Second)))
	must(t, s.RevokeTokenFamily(ctx, tenantA, "fam-1", at(3*time.Second))) // idempotent
	for id, want := range map[string]time.Time{"fam-1": at(time.Second), "fam-2": at(2 * time.Second)} {
		got, err := s.GetTokenFamily(ctx, tenantA, id)
		must(t, err)
		if !got.RevokedAt.Equal(want.Truncate(time.Microsecond)) {
			t.Errorf("%s revoked at %v, want %v (the first revocation stands)", id, got.RevokedAt, want)
		}
	}
}

// testRefreshRotation: a refresh token is used once; racing uses have one
// winner; expired tokens are not found.
func testRefreshRotation(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	rt := &core.RefreshToken{TenantID: tenantA, ID: "rt-1", FamilyID: "fam-1", CreatedAt: at(0), ExpiresAt: at(time.Hour)}
	must(t, s.CreateRefreshToken(ctx, rt))
	got, err := s.GetRefreshToken(ctx, tenantA, "rt-1", t0)
	must(t, err)
	diff(t, "GetRefreshToken", rt, got)
	_, err = s.GetRefreshToken(ctx, tenantB, "rt-1", t0)
	wantKind(t, err, core.ErrNotFound)
	_, err = s.GetRefreshToken(ctx, tenantA, "rt-1", rt.ExpiresAt)
	wantKind(t, err, core.ErrNotFound)
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.UseRefreshToken(ctx, tenantA, "rt-1", at(time.Second)); err == nil {
				wins.Add(1)
			} else if !errors.Is(err, core.ErrConflict) {
				t.Errorf("UseRefreshToken: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d uses of one refresh token won, want exactly 1", wins.Load())
	}
	got, err = s.GetRefreshToken(ctx, tenantA, "rt-1", t0)
	must(t, err)
	if !got.UsedAt.Equal(at(time.Second).Truncate(time.Microsecond)) {
		t.Errorf("used at %v, want %v", got.UsedAt, at(time.Second))
	}
	wantKind(t, s.UseRefreshToken(ctx, tenantA, "nope", at(time.Second)), core.ErrNotFound)
}
