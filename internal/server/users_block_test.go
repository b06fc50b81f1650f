package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"guestlist/internal/servertest"
)

// Blocking a guest (Graph's accountEnabled false, SPEC R43) ends what they
// hold at once and refuses every later sign-in; the attacker here holds
// the guest's refresh token, access token and session, or the guest's
// redeem link, or only the address.

const (
	textBlocked     = "Your account with Fabrikam is blocked. Ask its administrator to unblock it."
	textBlockedNote = "your account with Fabrikam is blocked."
)

func setAccountEnabled(t testing.TB, x *signedIn, enabled bool) {
	t.Helper()
	wantAPI(t, "accountEnabled", patchUser(t, x.s, x.tn, x.guestOID(t), map[string]any{"accountEnabled": enabled}), http.StatusNoContent)
}

// TestBlockedGuestLosesAccess: the refresh token, the access token and the
// session all fail as soon as the guest is blocked, and stay dead once
// the guest is unblocked; an unblocked guest may sign in again.
func TestBlockedGuestLosesAccess(t *testing.T) {
	t.Parallel()
	x := newSignedIn(t)
	tokens := wantAlive(t, x.rp, x.first, "before")
	setAccountEnabled(t, x, false)
	if u := getUser(t, x.s, x.tn, x.guestOID(t)); u.AccountEnabled == nil || *u.AccountEnabled {
		t.Errorf("accountEnabled after blocking: %v", u.AccountEnabled)
	}
	wantDead(t, x.rp, tokens, "after blocking")
	if in := x.rp.introspect(t, tokens.AccessToken); in.Active {
		t.Error("introspection: the access token of a blocked guest is active")
	}
	x.wantSessionGone(t, "the application after blocking")

	setAccountEnabled(t, x, true)
	wantDead(t, x.rp, tokens, "after unblocking")
	x.wantSessionGone(t, "the application after unblocking")
	if u := getUser(t, x.s, x.tn, x.guestOID(t)); u.AccountEnabled == nil || !*u.AccountEnabled {
		t.Errorf("accountEnabled after unblocking: %v", u.AccountEnabled)
	}
	x.s.Clock.Advance(time.Minute) // past the 30 s between codes (R23)
	g := x.s.NewGuest("en")
	base := startByAddress(t, g, x.tn.ID, x.email)
	mustSend(t, g, base, false)
	if p := enter(t, g, base, waitCode(t, x.s, x.email, 2)); p.Status != http.StatusSeeOther {
		t.Errorf("an unblocked guest's code: %d %.300s", p.Status, p.Body)
	}
}

// TestBlockedGuestGetsNoCode: typing the address answers as for anyone
// (R25) and mails a note, never a code; the redeem link shows the blocked
// page; a code mailed before the block does not sign in after it.
func TestBlockedGuestGetsNoCode(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	inv := invite(t, s, tn, "alice@contoso.example")

	// A code asked for before the block, entered after it.
	early := s.NewGuest("en")
	earlyBase := startByAddress(t, early, tn.ID, inv.email)
	mustSend(t, early, earlyBase, false)
	code := waitCode(t, s, inv.email, 1)
	wantAPI(t, "block", patchUser(t, s, tn, inv.userID, map[string]any{"accountEnabled": false}), http.StatusNoContent)
	wantRefused(t, enter(t, early, earlyBase, code), http.StatusForbidden, textBlocked)
	if u := getUser(t, s, tn, inv.userID); u.ExternalUserState != "PendingAcceptance" {
		t.Errorf("a blocked guest redeemed: %+v", u)
	}

	// Typing the address: the same pages as for an uninvited address, and
	// a note in the mailbox.
	s.Clock.Advance(time.Minute)
	before := codesMailed(t, s, inv.email)
	g := s.NewGuest("en")
	page := mustSend(t, g, startByAddress(t, g, tn.ID, inv.email), false)
	if strings.Contains(page.Body, "blocked") {
		t.Errorf("the Enter code page tells a stranger the guest is blocked:\n%.500s", page.Body)
	}
	m := s.WaitMail(t, inv.email, 1, textBlockedNote)
	if servertest.CodeIn(m) != "" || codesMailed(t, s, inv.email) != before+1 {
		t.Errorf("a blocked guest got a code: %q", m.TextBody)
	}
	stranger := s.NewGuest("en")
	other := mustSend(t, stranger, startByAddress(t, stranger, tn.ID, "nobody@contoso.example"), false)
	if strip(other.Body, "nobody@contoso.example") != strip(page.Body, inv.email) {
		t.Error("the Enter code page of a blocked guest differs from an uninvited address's")
	}

	// The redeem link: its holder learns the account is blocked.
	link := s.NewGuest("en")
	wantRefused(t, link.Get(t, inv.link), http.StatusForbidden, textBlocked)
	if n := codesMailed(t, s, inv.email); n != before+1 {
		t.Errorf("mails to the blocked guest: %d, want %d", n, before+1)
	}
}

// strip removes the address and the per-request form token from a page,
// leaving what is the same for every address.
func strip(body, addr string) string {
	body = strings.ReplaceAll(body, addr, "")
	var out []string
	for _, line := range strings.Split(body, "\n") {
		if !strings.Contains(line, `type="hidden"`) && !strings.Contains(line, "nonce") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// TestRevokeSignInSessions: Graph's revokeSignInSessions ends the user's
// session and tokens, answers {"value": true}, and leaves the user able
// to sign in again.
func TestRevokeSignInSessions(t *testing.T) {
	t.Parallel()
	x := newSignedIn(t)
	tokens := wantAlive(t, x.rp, x.first, "before")
	var out struct {
		Context string `json:"@odata.context"`
		Value   bool   `json:"value"`
	}
	wantAPI(t, "revokeSignInSessions", x.s.DoJSON(t, "POST", "/v1.0/users/"+x.guestOID(t)+"/revokeSignInSessions", x.tn.Token, nil, &out), http.StatusOK)
	if !out.Value || !strings.HasSuffix(out.Context, "/v1.0/$metadata#Edm.Boolean") {
		t.Errorf("answer: %+v", out)
	}
	wantDead(t, x.rp, tokens, "after revokeSignInSessions")
	x.wantSessionGone(t, "the application after revokeSignInSessions")
	if u := getUser(t, x.s, x.tn, x.guestOID(t)); !*u.AccountEnabled || u.ExternalUserState != "Accepted" {
		t.Errorf("revokeSignInSessions changed the user: %+v", u)
	}
	var e graphError
	if status := x.s.DoJSON(t, "POST", "/v1.0/users/00000000-0000-4000-8000-000000000001/revokeSignInSessions", x.tn.Token, nil, &e); status != http.StatusNotFound || e.Error.Code != "Request_ResourceNotFound" {
		t.Errorf("unknown user: %d %+v", status, e)
	}
}
