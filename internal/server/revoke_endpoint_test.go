package server_test

import (
	"net/http"
	"testing"
	"time"

	"guestlist/internal/servertest"
)

// TestRevokeEndpoint (RFC 7009 section 2.1): a client revokes a refresh
// token or an access token of its own; either ends every token of that
// sign-in. Another client's token is not its to revoke.
func TestRevokeEndpoint(t *testing.T) {
	x := newSignedIn(t)
	rp := x.rp

	t.Run("refresh token", func(t *testing.T) {
		tokens := wantAlive(t, rp, x.first, "before revocation")
		for _, hint := range []string{"refresh_token", ""} {
			if status := rp.revoke(t, tokens.RefreshToken, hint); status != http.StatusOK {
				t.Fatalf("revoke the refresh token (hint %q): %d", hint, status)
			}
		}
		wantDead(t, rp, tokens, "after its refresh token was revoked")
	})

	signIn := func(t *testing.T) tokenAnswer {
		t.Helper()
		a, code := rp.singleSignOn(t, x.s, x.g)
		return wantTokens(t, "another sign-in", rp.exchange(t, code, a.verifier))
	}

	t.Run("access token", func(t *testing.T) {
		tokens := signIn(t)
		if status := rp.revoke(t, tokens.AccessToken, "access_token"); status != http.StatusOK {
			t.Fatalf("revoke the access token: %d", status)
		}
		wantDead(t, rp, tokens, "after its access token was revoked")
		if in := rp.introspect(t, tokens.AccessToken); in.Active {
			t.Error("introspection: the revoked access token is still active")
		}
	})

	t.Run("another client's token", func(t *testing.T) {
		tokens := signIn(t)
		other := newRelyingParty(t, x.s, x.tn, registerApp(t, x.s, x.tn, "https://other.example/callback"))
		other.revoke(t, tokens.RefreshToken, "refresh_token")
		other.revoke(t, tokens.AccessToken, "access_token")
		wantAlive(t, rp, tokens, "after another client tried to revoke them")
	})

	t.Run("unknown token", func(t *testing.T) {
		if status := rp.revoke(t, "not-a-token", ""); status != http.StatusOK {
			t.Errorf("revoke an unknown token: %d, want 200 (RFC 7009 section 2.2)", status)
		}
	})
}

// TestRefreshFamilyMaximum: rotation renews each refresh token's 14 days,
// but a sign-in's tokens end 90 days after the sign-in however often the
// client refreshes; then the guest must sign in again.
func TestRefreshFamilyMaximum(t *testing.T) {
	x := newSignedIn(t)
	tokens := x.first
	for day := 1; day < 90; day++ {
		x.s.Clock.Advance(24 * time.Hour)
		tokens = wantTokens(t, "refresh on a daily schedule", x.rp.refresh(t, tokens.RefreshToken, secretBasic))
	}
	x.s.Clock.Advance(24 * time.Hour)
	wantTokenError(t, "refresh 90 days after the sign-in", x.rp.refresh(t, tokens.RefreshToken, secretBasic),
		http.StatusBadRequest, "invalid_grant")
}

// TestRevocationSeenByEveryProcess (R51): two server processes on one
// database; access taken away through one ends at the other at once.
func TestRevocationSeenByEveryProcess(t *testing.T) {
	x := newSignedIn(t)
	other := servertest.New(t, servertest.Options{DataDir: x.s.DataDir, SMTP: x.s.SMTP, Clock: x.s.Clock})
	// The other process's endpoints, with the same client.
	rp2 := newRelyingParty(t, other, x.tn, x.rp.rpApp)
	tokens := wantTokens(t, "refresh at the other process", rp2.refresh(t, x.first.RefreshToken, secretBasic))

	wantAPI(t, "delete the guest", x.s.DoJSON(t, "DELETE", "/v1.0/users/"+x.guestOID(t), x.tn.Token, nil, nil), http.StatusNoContent)
	wantTokenError(t, "refresh at the other process", rp2.refresh(t, tokens.RefreshToken, secretBasic), http.StatusBadRequest, "invalid_grant")
	if status := rp2.userinfo(t, tokens.AccessToken); status == http.StatusOK {
		t.Errorf("userinfo at the other process: %d, want it refused", status)
	}
}
