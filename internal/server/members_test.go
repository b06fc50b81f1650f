package server_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/password"
	"guestlist/internal/servertest"
)

// Members (SPEC R10 step 1, R41): POST /v1.0/users creates a member of the
// tenant who signs in with a password, at an address in one of the
// tenant's verified domains, as Graph's "Create user" does.

// graphMember is a user as GET shows a member: the invitation properties
// are kept raw to tell null from absent.
type graphMember struct {
	graphUser
	ExternalUserState               json.RawMessage `json:"externalUserState"`
	ExternalUserStateChangeDateTime json.RawMessage `json:"externalUserStateChangeDateTime"`
	CreationType                    json.RawMessage `json:"creationType"`
}

// adeleBody is Graph's own example of "Create user", at Fabrikam's
// verified domain.
func adeleBody() map[string]any {
	return map[string]any{
		"accountEnabled": true, "displayName": "Adele Vance", "mailNickname": "AdeleV",
		"userPrincipalName": "AdeleV@fabrikam.example",
		"passwordProfile":   map[string]any{"forceChangePasswordNextSignIn": true, "password": "xWwvJ]6NMw+bWH-d"},
	}
}

func createMember(t testing.TB, s *servertest.Server, tn servertest.Tenant, body map[string]any) graphMember {
	t.Helper()
	var u graphMember
	wantAPI(t, "create member", s.DoJSON(t, "POST", "/v1.0/users", tn.Token, body, &u), http.StatusCreated)
	return u
}

func isNull(raw json.RawMessage) bool { return string(raw) == "null" }

func TestCreateMember(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	created := createMember(t, s, tn, adeleBody())
	var u graphMember
	wantAPI(t, "GET member", s.DoJSON(t, "GET", "/v1.0/users/"+created.ID+"?"+userProps, tn.Token, nil, &u), http.StatusOK)
	initial := initialDomain(t, s, tn)
	if u.ID != created.ID || u.DisplayName != "Adele Vance" || u.UserType != "Member" ||
		u.UserPrincipalName != "AdeleV@fabrikam.example" || u.Mail != "AdeleV@fabrikam.example" ||
		u.AccountEnabled == nil || !*u.AccountEnabled {
		t.Errorf("member as GET shows it: %+v", u.graphUser)
	}
	if len(u.Identities) != 1 || u.Identities[0].SignInType != "userPrincipalName" ||
		u.Identities[0].Issuer != initial || u.Identities[0].IssuerAssignedID != "AdeleV@fabrikam.example" {
		t.Errorf("identities %+v, want one userPrincipalName identity issued by %s", u.Identities, initial)
	}
	if !isNull(u.ExternalUserState) || !isNull(u.ExternalUserStateChangeDateTime) || !isNull(u.CreationType) {
		t.Errorf("externalUserState %s, externalUserStateChangeDateTime %s, creationType %s; want null for a member",
			u.ExternalUserState, u.ExternalUserStateChangeDateTime, u.CreationType)
	}
	pw, err := s.App.Store.GetPassword(t.Context(), tn.ID, u.ID)
	if err != nil || !pw.MustChange || !strings.HasPrefix(pw.Hash, "$argon2id$") || strings.Contains(pw.Hash, "xWwvJ]6NMw+bWH-d") {
		t.Errorf("stored password %+v, %v; want an Argon2id hash that asks for a change", pw, err)
	}

	// A guest's invitation properties are as before.
	inv := invite(t, s, tn, "bob@contoso.example")
	var g graphMember
	wantAPI(t, "GET guest", s.DoJSON(t, "GET", "/v1.0/users/"+inv.userID+"?$select=externalUserState,creationType,externalUserStateChangeDateTime", tn.Token, nil, &g), http.StatusOK)
	if string(g.ExternalUserState) != `"PendingAcceptance"` || string(g.CreationType) != `"Invitation"` || isNull(g.ExternalUserStateChangeDateTime) {
		t.Errorf("guest: externalUserState %s, creationType %s, changed %s", g.ExternalUserState, g.CreationType, g.ExternalUserStateChangeDateTime)
	}

	members := listUsers(t, s, tn.Token, url.Values{"$filter": {"userType eq 'Member'"}})
	if len(members) != 1 || members[0]["id"] != u.ID {
		t.Errorf("$filter=userType eq 'Member': %v, want only Adele", members)
	}
	if all := listUsers(t, s, tn.Token, nil); len(all) != 2 {
		t.Errorf("GET /users lists %d users, want the member and the guest", len(all))
	}
}

// TestCreateMemberBlocked: accountEnabled false creates a blocked member.
func TestCreateMemberBlocked(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	body := adeleBody()
	body["accountEnabled"] = false
	u := createMember(t, s, tn, body)
	if got := getUser(t, s, tn, u.ID); got.AccountEnabled == nil || *got.AccountEnabled {
		t.Errorf("accountEnabled %v, want false", got.AccountEnabled)
	}
	stored, err := s.App.Store.GetUser(t.Context(), tn.ID, u.ID)
	if err != nil || !stored.Blocked {
		t.Errorf("stored member %+v, %v; want blocked", stored, err)
	}
}

// TestCreateMemberRefusals: each refusal is Graph's 400 and leaves the
// user list as it was.
func TestCreateMemberRefusals(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	s.CreateTenant(t, "Contoso", "contoso.example")
	// Invitations refuse the tenant's own domains, but a guest with such an
	// address may remain from before the domain was the tenant's.
	ann := core.Address{Local: "ann", Domain: "fabrikam.example"}
	if err := s.App.Store.CreateUser(t.Context(), &core.User{TenantID: tn.ID, ID: "7a1e0e5c-3c1b-4c57-9e0a-2f7b8c1d4e5f",
		DisplayName: "Ann", Mail: ann.String(), MailKey: ann.Key(), UserPrincipalName: "ann_fabrikam.example#EXT#@" + initialDomain(t, s, tn),
		UserType: core.UserTypeGuest, ExternalUserState: core.StatePendingAcceptance, CreationType: core.CreationTypeInvitation,
		StateChangedAt: s.Clock.Now(), CreatedAt: s.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	initial := initialDomain(t, s, tn)
	with := func(k string, v any) map[string]any {
		b := adeleBody()
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
		return b
	}
	pw := func(p string) map[string]any { return map[string]any{"password": p} }
	for _, tc := range []struct {
		name, message string
		body          map[string]any
	}{
		{"unverified domain", "verified domain names", with("userPrincipalName", "AdeleV@nowhere.example")},
		{"initial domain", "verified domain names", with("userPrincipalName", "AdeleV@"+initial)},
		{"another tenant's domain", "verified domain names", with("userPrincipalName", "AdeleV@contoso.example")},
		{"not an address", "Property userPrincipalName is invalid.", with("userPrincipalName", "AdeleV")},
		{"a guest's address", "Another object with the same value for property userPrincipalName already exists.",
			with("userPrincipalName", "Ann@Fabrikam.example")},
		{"short password", "too short", with("passwordProfile", pw("xW]6N"))},
		{"common password", "too common", with("passwordProfile", pw("password1234"))},
		{"password of the name", "password complexity requirements", with("passwordProfile", pw("adele vance"))},
		{"no passwordProfile", "'passwordProfile'", with("passwordProfile", nil)},
		{"no accountEnabled", "'accountEnabled'", with("accountEnabled", nil)},
		{"no displayName", "'displayName'", with("displayName", nil)},
		{"no mailNickname", "'mailNickname'", with("mailNickname", nil)},
		{"no userPrincipalName", "'userPrincipalName'", with("userPrincipalName", nil)},
		{"unknown property", "favouriteColour", with("favouriteColour", "blue")},
		{"read-only property", "creationType", with("creationType", "Invitation")},
		{"unknown password property", "passwordProfile", with("passwordProfile", map[string]any{"password": "xWwvJ]6NMw+bWH-d", "hint": "x"})},
		{"accountEnabled not boolean", "accountEnabled", with("accountEnabled", "true")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, s, "POST", "/v1.0/users", tn.Token, "application/json", jsonBody(t, tc.body))
			if msg := wantGraphError(t, r, http.StatusBadRequest, "Request_BadRequest"); !strings.Contains(msg, tc.message) {
				t.Errorf("message %q, want it to say %q", msg, tc.message)
			}
			if all := listUsers(t, s, tn.Token, nil); len(all) != 1 {
				t.Errorf("after a refusal the tenant has %d users, want only the guest", len(all))
			}
		})
	}
}

// TestPatchMemberPassword: an administrator's new password (R41) replaces
// the stored one and ends the member's sessions (R43); a guest has none
// to set; a deleted member leaves no password behind.
func TestPatchMemberPassword(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	u := createMember(t, s, tn, adeleBody())
	st := s.App.Store
	before, err := st.GetPassword(t.Context(), tn.ID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	now := s.Clock.Now()
	sess := &core.Session{TenantID: tn.ID, ID: "adele-session", UserID: u.ID, AMR: "pwd", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := st.CreateSession(t.Context(), sess); err != nil {
		t.Fatal(err)
	}
	weak := map[string]any{"passwordProfile": map[string]any{"password": "short"}}
	r := call(t, s, "PATCH", "/v1.0/users/"+u.ID, tn.Token, "application/json", jsonBody(t, weak))
	wantGraphError(t, r, http.StatusBadRequest, "Request_BadRequest")

	const next = "Tr0ub4dor&3-horse"
	body := map[string]any{"passwordProfile": map[string]any{"password": next, "forceChangePasswordNextSignIn": false}}
	wantAPI(t, "PATCH passwordProfile", patchUser(t, s, tn, u.ID, body), http.StatusNoContent)
	after, err := st.GetPassword(t.Context(), tn.ID, u.ID)
	if err != nil || after.Hash == before.Hash || after.MustChange || !verifyPassword(t, next, after.Hash) {
		t.Errorf("after PATCH: %+v, %v; want the new password, no change asked", after, err)
	}
	if _, err := st.GetSession(t.Context(), tn.ID, sess.ID, s.Clock.Now()); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("the member's session outlived the new password: %v", err)
	}

	inv := invite(t, s, tn, "bob@contoso.example")
	r = call(t, s, "PATCH", "/v1.0/users/"+inv.userID, tn.Token, "application/json", jsonBody(t, body))
	if msg := wantGraphError(t, r, http.StatusBadRequest, "Request_BadRequest"); !strings.Contains(msg, "guest") {
		t.Errorf("a guest's password: %q, want it to say guests sign in with their own identity", msg)
	}
	if _, err := st.GetPassword(t.Context(), tn.ID, inv.userID); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("the guest has a password: %v", err)
	}

	// Deleting the member deletes their password with them.
	wantAPI(t, "DELETE member", s.DoJSON(t, "DELETE", "/v1.0/users/"+u.ID, tn.Token, nil, nil), http.StatusNoContent)
	if _, err := st.GetPassword(t.Context(), tn.ID, u.ID); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("a deleted member's password is still stored: %v", err)
	}
}

// verifyPassword checks plain against a stored PHC string with the
// deployment's hasher, as the sign-in does.
func verifyPassword(t testing.TB, plain, phc string) bool {
	t.Helper()
	ok, _, err := password.NewHasher(password.Default()).Verify(t.Context(), plain, phc)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return ok
}
