package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Taking access away ends it (SPEC R13, R26, R32, R41): each event that
// takes a guest's access away ends their tokens, and their session where
// the event is not about one application, at once; a token refused while
// the guest may not sign in stays dead when access comes back. The attacker
// here is a client (or a thief) holding the guest's refresh and access
// tokens from a real sign-in.

// wantAPI fails the test unless the admin API answered want.
func wantAPI(t testing.TB, what string, got, want int) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: %d, want %d", what, got, want)
	}
}

// introspection is RFC 7662's answer, as much as the tests read.
type introspection struct {
	Active   bool   `json:"active"`
	ClientID string `json:"client_id"`
}

// endpoints are the discovery document's endpoints these tests call.
type endpoints struct {
	Revocation    string `json:"revocation_endpoint"`
	Introspection string `json:"introspection_endpoint"`
}

func (rp *relyingParty) endpoints(t testing.TB) endpoints {
	t.Helper()
	var e endpoints
	if err := rp.provider.Claims(&e); err != nil || e.Revocation == "" || e.Introspection == "" {
		t.Fatalf("discovery without revocation or introspection endpoint: %+v %v", e, err)
	}
	return e
}

// postAsClient posts form to endpoint with rp's client_secret_basic.
func (rp *relyingParty) postAsClient(t testing.TB, endpoint string, form url.Values) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "POST", endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(rp.clientID), url.QueryEscape(rp.secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", endpoint, err)
	}
	return resp
}

// introspect asks whether an access token is active (RFC 7662).
func (rp *relyingParty) introspect(t testing.TB, accessToken string) introspection {
	t.Helper()
	resp := rp.postAsClient(t, rp.endpoints(t).Introspection, url.Values{"token": {accessToken}})
	defer resp.Body.Close()
	var out introspection
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&out) != nil {
		t.Fatalf("introspection: %d", resp.StatusCode)
	}
	return out
}

// revoke posts a token to the revocation endpoint (RFC 7009) and returns
// the status.
func (rp *relyingParty) revoke(t testing.TB, token, hint string) int {
	t.Helper()
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	resp := rp.postAsClient(t, rp.endpoints(t).Revocation, form)
	resp.Body.Close()
	return resp.StatusCode
}

// wantDead: neither the refresh token nor the access token works.
func wantDead(t testing.TB, rp *relyingParty, tokens tokenAnswer, after string) {
	t.Helper()
	wantTokenError(t, "refresh "+after, rp.refresh(t, tokens.RefreshToken, secretBasic), http.StatusBadRequest, "invalid_grant")
	if status := rp.userinfo(t, tokens.AccessToken); status == http.StatusOK {
		t.Errorf("userinfo %s: %d, want it refused", after, status)
	}
}

// wantAlive: the refresh grant works (returning the new tokens) and
// userinfo answers for the access token.
func wantAlive(t testing.TB, rp *relyingParty, tokens tokenAnswer, what string) tokenAnswer {
	t.Helper()
	if status := rp.userinfo(t, tokens.AccessToken); status != http.StatusOK {
		t.Fatalf("userinfo %s: %d", what, status)
	}
	return wantTokens(t, "refresh "+what, rp.refresh(t, tokens.RefreshToken, secretBasic))
}

// guestOID is the signed-in guest's object id, from their ID token.
func (x *signedIn) guestOID(t testing.TB) string {
	t.Helper()
	oid, _ := x.rp.idToken(t, x.first.IDToken)["oid"].(string)
	if oid == "" {
		t.Fatal("ID token without oid")
	}
	return oid
}

// wantSessionGone: opening the application asks the guest to sign in again.
func (x *signedIn) wantSessionGone(t testing.TB, why string) {
	t.Helper()
	wantSigninPage(t, open(t, x.s, x.g, x.rp.attempt().url), why)
}

// TestOTPOffEndsAccess (R26): turning email OTP off ends an OTP guest's
// refresh and access tokens and their session; turning it back on (R27)
// brings none of them back.
func TestOTPOffEndsAccess(t *testing.T) {
	x := newSignedIn(t)
	tokens := wantAlive(t, x.rp, x.first, "before")
	setEmailOTP(t, x.s, x.tn, "disabled")
	wantDead(t, x.rp, tokens, "with OTP off")
	setEmailOTP(t, x.s, x.tn, "enabled")
	wantDead(t, x.rp, tokens, "with OTP on again")
	if in := x.rp.introspect(t, tokens.AccessToken); in.Active {
		t.Error("introspection: the access token is still active")
	}
	x.wantSessionGone(t, "the application after OTP was off")
}

// TestRedemptionResetEndsAccess (R13): a reset revokes the guest's
// sessions and every token; the guest is pending again.
func TestRedemptionResetEndsAccess(t *testing.T) {
	x := newSignedIn(t)
	tokens := wantAlive(t, x.rp, x.first, "before")
	wantAPI(t, "reset redemption", x.s.DoJSON(t, "POST", "/v1.0/invitations", x.tn.Token, map[string]any{
		"inviteRedirectUrl": "https://app.example/welcome", "resetRedemption": true,
		"invitedUser": map[string]string{"id": x.guestOID(t)},
	}, nil), http.StatusCreated)
	wantDead(t, x.rp, tokens, "after a reset")
	wantDead(t, x.rp, x.first, "of the spent first sign-in after a reset")
	if in := x.rp.introspect(t, tokens.AccessToken); in.Active {
		t.Error("introspection: the access token is still active")
	}
	x.wantSessionGone(t, "the application after a reset")
}

// TestGuestDeletionEndsAccess (R41): a deleted guest's tokens die with them.
func TestGuestDeletionEndsAccess(t *testing.T) {
	x := newSignedIn(t)
	tokens := wantAlive(t, x.rp, x.first, "before")
	wantAPI(t, "delete the guest", x.s.DoJSON(t, "DELETE", "/v1.0/users/"+x.guestOID(t), x.tn.Token, nil, nil), http.StatusNoContent)
	wantDead(t, x.rp, tokens, "after the guest was deleted")
	if in := x.rp.introspect(t, tokens.AccessToken); in.Active {
		t.Error("introspection: the access token is still active")
	}
	x.wantSessionGone(t, "the application after the guest was deleted")
}

type assignmentList struct {
	Value []struct {
		ID         string `json:"id"`
		ResourceID string `json:"resourceId"`
	} `json:"value"`
}

// TestUnassignmentEndsAccess: removing the guest from an application that
// requires assignment ends their tokens at that application, and only
// there; assigning them again does not bring the old tokens back.
func TestUnassignmentEndsAccess(t *testing.T) {
	x := newSignedIn(t)
	requireAssignment(t, x.s, x.tn, x.rp.clientID, true)
	board := newRelyingParty(t, x.s, x.tn, registerApp(t, x.s, x.tn, "https://board.example/callback", x.email))
	requireAssignment(t, x.s, x.tn, board.clientID, true)
	a, code := board.singleSignOn(t, x.s, x.g)
	boardTokens := wantTokens(t, "board sign-in", board.exchange(t, code, a.verifier))
	tokens := wantAlive(t, x.rp, x.first, "before")

	uid := x.guestOID(t)
	var list assignmentList
	wantAPI(t, "list assignments", x.s.DoJSON(t, "GET", "/v1.0/users/"+uid+"/appRoleAssignments", x.tn.Token, nil, &list), http.StatusOK)
	sp := servicePrincipal(t, x.s, x.tn, x.rp.clientID)["id"].(string)
	var assignment string
	for _, v := range list.Value {
		if v.ResourceID == sp {
			assignment = v.ID
		}
	}
	if assignment == "" {
		t.Fatalf("no assignment of the guest to %s: %+v", sp, list)
	}
	wantAPI(t, "unassign", x.s.DoJSON(t, "DELETE", "/v1.0/users/"+uid+"/appRoleAssignments/"+assignment, x.tn.Token, nil, nil), http.StatusNoContent)

	wantDead(t, x.rp, tokens, "after unassignment")
	if in := x.rp.introspect(t, tokens.AccessToken); in.Active {
		t.Error("introspection: the access token is still active")
	}
	if p := open(t, x.s, x.g, x.rp.attempt().url); !strings.Contains(p.Body, textNoAccess) {
		t.Errorf("the application after unassignment: %d to %q, want the no-access page", p.Status, p.Location)
	}
	wantAlive(t, board, boardTokens, "at the application the guest is still assigned to")

	assign(t, x.s, x.tn, uid, x.rp.clientID)
	wantDead(t, x.rp, tokens, "after assigning the guest again")
}

// TestApplicationDeletionEndsTokens: a deleted application's tokens are
// dead, at userinfo as at the token endpoint.
func TestApplicationDeletionEndsTokens(t *testing.T) {
	x := newSignedIn(t)
	tokens := wantAlive(t, x.rp, x.first, "before")
	var apps struct {
		Value []struct {
			ID string `json:"id"`
		} `json:"value"`
	}
	q := url.Values{"$filter": {"appId eq '" + x.rp.clientID + "'"}}
	wantAPI(t, "find the application", x.s.DoJSON(t, "GET", "/v1.0/applications?"+q.Encode(), x.tn.Token, nil, &apps), http.StatusOK)
	if len(apps.Value) != 1 {
		t.Fatalf("applications with appId %s: %+v", x.rp.clientID, apps)
	}
	wantAPI(t, "delete the application", x.s.DoJSON(t, "DELETE", "/v1.0/applications/"+apps.Value[0].ID, x.tn.Token, nil, nil), http.StatusNoContent)
	if status := x.rp.userinfo(t, tokens.AccessToken); status == http.StatusOK {
		t.Errorf("userinfo after the application was deleted: %d, want it refused", status)
	}
	if a := x.rp.refresh(t, tokens.RefreshToken, secretBasic); a.Status == http.StatusOK || a.AccessToken != "" {
		t.Errorf("refresh after the application was deleted: %d, want it refused", a.Status)
	}
}
