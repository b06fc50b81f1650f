package server_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"guestlist/internal/servertest"
)

// The admin API as an administrator's script meets it (SPEC R1, R2, R3, R13,
// R41, R42): bad input gets a Graph error with a status that says whose
// fault it is, tokens are checked, tenants cannot see each other, and the
// operator API guards the deployment.

// response is a raw HTTP answer.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// call sends a request with an optional bearer token and content type and
// returns the raw answer, so tests can check bodies that are not objects.
func call(t testing.TB, s *servertest.Server, method, path, token, contentType string, body io.Reader) response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// wantGraphError checks that r is Graph's {"error":{"code","message"}}
// with the given status (and code, if not empty) and a message a person
// can act on. It returns the message.
func wantGraphError(t testing.TB, r response, status int, code string) string {
	t.Helper()
	if r.Status >= 500 {
		t.Fatalf("status %d (server error) for a client mistake: %s", r.Status, r.Body)
	}
	if r.Status != status {
		t.Errorf("status = %d, want %d; body %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &top); err != nil {
		t.Fatalf("error body is not a JSON object: %q", r.Body)
	}
	var e struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	if len(top) != 1 || top["error"] == nil || json.Unmarshal(top["error"], &e) != nil {
		t.Fatalf("error body is not Graph's {\"error\":{\"code\",\"message\"}}: %s", r.Body)
	}
	if e.Code == "" || strings.TrimSpace(e.Message) == "" {
		t.Errorf("error without code or message: %s", r.Body)
	}
	if code != "" && e.Code != code {
		t.Errorf("error code = %q, want %q (message %q)", e.Code, code, e.Message)
	}
	return e.Message
}

// jsonBody marshals v for call.
func jsonBody(t testing.TB, v any) io.Reader {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(raw)
}

// values is the "value" array of a Graph collection.
func values(t testing.TB, body map[string]any) []map[string]any {
	t.Helper()
	arr, ok := body["value"].([]any)
	if !ok {
		t.Fatalf("collection without a value array: %v", body)
	}
	out := make([]map[string]any, 0, len(arr))
	for _, v := range arr {
		out = append(out, v.(map[string]any))
	}
	return out
}

// listUsers runs GET /v1.0/users with query and returns the users.
func listUsers(t testing.TB, s *servertest.Server, token string, query url.Values) []map[string]any {
	t.Helper()
	path := "/v1.0/users?" + userProps
	if len(query) > 0 {
		path += "&" + query.Encode()
	}
	status, body := s.Do(t, "GET", path, token, nil)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %v", path, status, body)
	}
	return values(t, body)
}

func userID(inv map[string]any) string {
	return inv["invitedUser"].(map[string]any)["id"].(string)
}

// initialDomain reads the tenant's initial domain as the operator sees it.
func initialDomain(t testing.TB, s *servertest.Server, tn servertest.Tenant) string {
	t.Helper()
	status, body := s.Do(t, "GET", "/operator/v1/tenants/"+tn.ID, s.OperatorToken, nil)
	if status != http.StatusOK {
		t.Fatalf("GET tenant: %d %v", status, body)
	}
	d, _ := body["initialDomain"].(string)
	if d == "" {
		t.Fatalf("tenant without an initial domain: %v", body)
	}
	return d
}

func TestAdminAPIRejectsBadInput(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")

	valid := func(change map[string]any) map[string]any {
		b := map[string]any{"invitedUserEmailAddress": "alice@contoso.example", "inviteRedirectUrl": "https://app.example/"}
		for k, v := range change {
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
		}
		return b
	}
	big := `{"invitedUserEmailAddress":"alice@contoso.example","inviteRedirectUrl":"https://app.example/","invitedUserDisplayName":"` +
		strings.Repeat("a", 1<<20+1) + `"}`
	const unknownUser = "6d1f5a8e-0000-4000-8000-000000000000"

	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        any // string: raw; otherwise marshalled
		status      int
		code        string
		mention     string // the message names what to fix
	}{
		{name: "malformed JSON", body: `{"invitedUserEmailAddress": "a@b.com",`, status: 400, code: "Request_BadRequest", mention: "JSON"},
		{name: "JSON array", body: `[{"invitedUserEmailAddress":"a@b.com"}]`, status: 400, code: "Request_BadRequest", mention: "object"},
		{name: "JSON null", body: `null`, status: 400, code: "Request_BadRequest", mention: "invitedUserEmailAddress"},
		{name: "two objects", body: `{"invitedUserEmailAddress":"a@b.com","inviteRedirectUrl":"https://app.example/"}{}`, status: 400, code: "Request_BadRequest"},
		{name: "sendInvitationMessage as string", body: valid(map[string]any{"sendInvitationMessage": "yes"}), status: 400, code: "Request_BadRequest", mention: "sendInvitationMessage"},
		{name: "email as number", body: valid(map[string]any{"invitedUserEmailAddress": 5}), status: 400, code: "Request_BadRequest", mention: "invitedUserEmailAddress"},
		{name: "messageInfo as string", body: valid(map[string]any{"invitedUserMessageInfo": "hi"}), status: 400, code: "Request_BadRequest", mention: "invitedUserMessageInfo"},
		{name: "unknown property", body: valid(map[string]any{"invitedUserPassword": "x"}), status: 400, code: "Request_BadRequest", mention: "invitedUserPassword"},
		{name: "empty body", body: ``, status: 400, code: "Request_BadRequest", mention: "empty"},
		{name: "not JSON content type", contentType: "text/plain", body: `{}`, status: 415, code: "Request_UnsupportedMediaType", mention: "JSON"},
		{name: "missing email", body: valid(map[string]any{"invitedUserEmailAddress": nil}), status: 400, code: "Request_BadRequest", mention: "invitedUserEmailAddress"},
		{name: "malformed email", body: valid(map[string]any{"invitedUserEmailAddress": "alice.contoso.example"}), status: 400, code: "Request_BadRequest", mention: "invitedUserEmailAddress"},
		{name: "email without domain dot", body: valid(map[string]any{"invitedUserEmailAddress": "alice@localhost"}), status: 400, code: "Request_BadRequest"},
		{name: "email with CR LF header injection", body: valid(map[string]any{"invitedUserEmailAddress": "a@b.com\r\nBcc: x@y.com"}), status: 400, code: "Request_BadRequest"},
		{name: "display-name address", body: valid(map[string]any{"invitedUserEmailAddress": "Alice <a@b.com>"}), status: 400, code: "Request_BadRequest"},
		{name: "two addresses", body: valid(map[string]any{"invitedUserEmailAddress": "a@b.com,c@d.com"}), status: 400, code: "Request_BadRequest"},
		{name: "missing redirect", body: valid(map[string]any{"inviteRedirectUrl": nil}), status: 400, code: "Request_BadRequest", mention: "inviteRedirectUrl"},
		{name: "javascript redirect", body: valid(map[string]any{"inviteRedirectUrl": "javascript:alert(1)"}), status: 400, code: "Request_BadRequest", mention: "inviteRedirectUrl"},
		{name: "ftp redirect", body: valid(map[string]any{"inviteRedirectUrl": "ftp://x"}), status: 400, code: "Request_BadRequest", mention: "inviteRedirectUrl"},
		{name: "relative redirect", body: valid(map[string]any{"inviteRedirectUrl": "/welcome"}), status: 400, code: "Request_BadRequest", mention: "inviteRedirectUrl"},
		{name: "scheme-relative redirect", body: valid(map[string]any{"inviteRedirectUrl": "//evil.example/"}), status: 400, code: "Request_BadRequest", mention: "inviteRedirectUrl"},
		{name: "invitedUserType Admin", body: valid(map[string]any{"invitedUserType": "Admin"}), status: 400, code: "Request_BadRequest", mention: "invitedUserType"},
		{name: "display name with newline", body: valid(map[string]any{"invitedUserDisplayName": "Alice\nBcc: x@y.com"}), status: 400, code: "Request_BadRequest", mention: "invitedUserDisplayName"},
		{name: "two ccRecipients", body: valid(map[string]any{"invitedUserMessageInfo": map[string]any{"ccRecipients": []any{
			map[string]any{"emailAddress": map[string]any{"address": "c1@contoso.example"}},
			map[string]any{"emailAddress": map[string]any{"address": "c2@contoso.example"}},
		}}}), status: 400, code: "Request_BadRequest", mention: "ccRecipients"},
		{name: "malformed ccRecipient", body: valid(map[string]any{"invitedUserMessageInfo": map[string]any{"ccRecipients": []any{
			map[string]any{"emailAddress": map[string]any{"address": "boss@contoso.example\r\nBcc: x@y.com"}},
		}}}), status: 400, code: "Request_BadRequest", mention: "ccRecipients"},
		{name: "resetRedemption without invitedUser.id", body: valid(map[string]any{"resetRedemption": true}), status: 400, code: "Request_BadRequest", mention: "invitedUser.id"},
		{name: "resetRedemption of unknown user", body: valid(map[string]any{"resetRedemption": true, "invitedUser": map[string]any{"id": unknownUser}}), status: 404, code: "Request_ResourceNotFound"},
		{name: "body over 1 MiB", body: big, status: 413, code: "Request_EntityTooLarge"},
		{name: "GET unknown user", method: "GET", path: "/v1.0/users/" + unknownUser, status: 404, code: "Request_ResourceNotFound"},
		{name: "GET user with junk id", method: "GET", path: "/v1.0/users/not-a-uuid", status: 404, code: "Request_ResourceNotFound"},
		{name: "DELETE unknown user", method: "DELETE", path: "/v1.0/users/" + unknownUser, status: 404, code: "Request_ResourceNotFound"},
		{name: "GET unknown invitation", method: "GET", path: "/v1.0/invitations/" + unknownUser, status: 404, code: "Request_ResourceNotFound"},
		{name: "filter on an unknown property", method: "GET", path: "/v1.0/users?" + url.Values{"$filter": {"favouriteColour eq 'x'"}}.Encode(), status: 400, code: "Request_BadRequest", mention: "favouriteColour"},
		{name: "filter with startswith on userType", method: "GET", path: "/v1.0/users?" + url.Values{"$filter": {"startswith(userType,'G')"}}.Encode(), status: 400, code: "Request_UnsupportedQuery", mention: "startsWith"},
		{name: "filter with ne", method: "GET", path: "/v1.0/users?" + url.Values{"$filter": {"userType ne 'Guest'"}}.Encode(), status: 400, code: "Request_UnsupportedQuery"},
		{name: "filter with gt", method: "GET", path: "/v1.0/users?" + url.Values{"$filter": {"displayName gt 'a'"}}.Encode(), status: 400, code: "Request_UnsupportedQuery", mention: "unsupported operator"},
		{name: "filter unterminated", method: "GET", path: "/v1.0/users?" + url.Values{"$filter": {"mail eq 'a@b.com"}}.Encode(), status: 400, code: "Request_UnsupportedQuery"},
		{name: "orderby jobTitle", method: "GET", path: "/v1.0/users?" + url.Values{"$orderby": {"jobTitle"}}.Encode(), status: 400, code: "Request_UnsupportedQuery", mention: "jobTitle"},
		{name: "top out of range", method: "GET", path: "/v1.0/users?$top=0", status: 400, code: "Request_UnsupportedQuery"},
		{name: "invitations with unknown status", method: "GET", path: "/v1.0/invitations?status=Everything", status: 400, code: "Request_BadRequest"},
	}
	t.Run("requests", func(t *testing.T) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				method, path := tc.method, tc.path
				if method == "" {
					method, path = "POST", "/v1.0/invitations"
				}
				var body io.Reader
				switch b := tc.body.(type) {
				case nil:
				case string:
					body = strings.NewReader(b)
				default:
					body = jsonBody(t, b)
				}
				ct := tc.contentType
				if ct == "" && body != nil {
					ct = "application/json"
				}
				msg := wantGraphError(t, call(t, s, method, path, tn.Token, ct, body), tc.status, tc.code)
				if tc.mention != "" && !strings.Contains(strings.ToLower(msg), strings.ToLower(tc.mention)) {
					t.Errorf("message %q does not mention %q", msg, tc.mention)
				}
			})
		}
	})

	// Not one of the requests above left a user, an invitation or a mail
	// behind.
	if users := listUsers(t, s, tn.Token, nil); len(users) != 0 {
		t.Errorf("after rejected requests the tenant has users: %v", users)
	}
	for _, st := range []string{"", "?status=Completed"} {
		status, body := s.Do(t, "GET", "/v1.0/invitations"+st, tn.Token, nil)
		if status != http.StatusOK || len(values(t, body)) != 0 {
			t.Errorf("after rejected requests GET /v1.0/invitations%s: %d %v", st, status, body)
		}
	}
	if n := len(s.SMTP.Messages()); n != 0 {
		t.Errorf("rejected requests sent %d mails", n)
	}
}

// TestAdminTokens checks the bearer tokens of the admin API and the token
// endpoint that issues them (client credentials, RFC 6749 section 4.4).
func TestAdminTokens(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	a := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	b := s.CreateTenant(t, "Woodgrove", "woodgrove.example")
	alice := userID(s.Invite(t, a, "alice@contoso.example", nil))

	t.Run("bad tokens", func(t *testing.T) {
		t.Parallel()
		tests := []struct{ name, auth string }{
			{"missing Authorization", ""},
			{"empty bearer", "Bearer "},
			{"garbage", "Bearer garbage"},
			{"basic scheme", "Basic " + base64.StdEncoding.EncodeToString([]byte(a.AppID+":"+a.ClientSecret))},
			{"unsigned", "Bearer " + unsignedToken(t, a.Token)},
			{"signed by another key", "Bearer " + forgedToken(t, a.Token)},
			{"truncated signature", "Bearer " + a.Token[:len(a.Token)-8]},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				for _, path := range []string{"/v1.0/users", "/v1.0/users/" + alice} {
					req, _ := http.NewRequestWithContext(t.Context(), "GET", s.URL+path, nil)
					if tc.auth != "" {
						req.Header.Set("Authorization", tc.auth)
					}
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatal(err)
					}
					raw, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					wantGraphError(t, response{resp.StatusCode, resp.Header, raw}, http.StatusUnauthorized, "InvalidAuthenticationToken")
					if resp.Header.Get("WWW-Authenticate") == "" {
						t.Error("401 without WWW-Authenticate")
					}
					if bytes.Contains(raw, []byte("alice@")) {
						t.Errorf("401 body leaks the user: %s", raw)
					}
				}
			})
		}
	})

	t.Run("tenants are isolated", func(t *testing.T) {
		t.Parallel()
		wantGraphError(t, call(t, s, "GET", "/v1.0/users/"+alice, b.Token, "", nil), http.StatusNotFound, "Request_ResourceNotFound")
		wantGraphError(t, call(t, s, "DELETE", "/v1.0/users/"+alice, b.Token, "", nil), http.StatusNotFound, "Request_ResourceNotFound")
		if users := listUsers(t, s, b.Token, nil); len(users) != 0 {
			t.Errorf("tenant B lists tenant A's users: %v", users)
		}
		mail := url.Values{"$filter": {"mail eq 'alice@contoso.example'"}}
		if users := listUsers(t, s, b.Token, mail); len(users) != 0 {
			t.Errorf("tenant B finds tenant A's user by mail: %v", users)
		}
		if status, u := s.Do(t, "GET", "/v1.0/users/"+alice, a.Token, nil); status != http.StatusOK || u["id"] != alice {
			t.Errorf("tenant A lost its user to B's DELETE: %d %v", status, u)
		}
	})

	t.Run("token endpoint", func(t *testing.T) {
		t.Parallel()
		tokenURL := s.URL + "/" + a.ID + "/oauth2/v2.0/token"
		form := func(kv ...string) url.Values {
			v := url.Values{"grant_type": {"client_credentials"}, "client_id": {a.AppID}, "client_secret": {a.ClientSecret},
				"scope": {"https://graph.microsoft.com/.default"}}
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] == "" {
					v.Del(kv[i])
				} else {
					v.Set(kv[i], kv[i+1])
				}
			}
			return v
		}
		tests := []struct {
			name   string
			url    string
			form   url.Values
			basic  [2]string
			status int
			error  string
		}{
			{name: "wrong secret", form: form("client_secret", "not-the-secret"), status: 401, error: "invalid_client"},
			{name: "no secret", form: form("client_secret", ""), status: 401, error: "invalid_client"},
			{name: "unknown client", form: form("client_id", "00000000-0000-4000-8000-000000000000"), status: 401, error: "invalid_client"},
			{name: "another tenant's client", form: form("client_id", b.AppID, "client_secret", b.ClientSecret), status: 401, error: "invalid_client"},
			{name: "basic with wrong secret", form: form("client_id", "", "client_secret", ""), basic: [2]string{a.AppID, "wrong"}, status: 401, error: "invalid_client"},
			{name: "password grant", form: form("grant_type", "password", "username", "x", "password", "y"), status: 400, error: "unsupported_grant_type"},
			{name: "client_secret_post", form: form(), status: 200},
			{name: "client_secret_basic", form: form("client_id", "", "client_secret", ""), basic: [2]string{a.AppID, a.ClientSecret}, status: 200},
			{name: "tenant by verified domain", url: s.URL + "/fabrikam.example/oauth2/v2.0/token", form: form(), status: 200},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				u := tc.url
				if u == "" {
					u = tokenURL
				}
				req, _ := http.NewRequestWithContext(t.Context(), "POST", u, strings.NewReader(tc.form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if tc.basic[0] != "" {
					req.SetBasicAuth(tc.basic[0], tc.basic[1])
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var out map[string]any
				if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
					t.Fatalf("token response is not JSON: %v", err)
				}
				if resp.StatusCode != tc.status {
					t.Fatalf("status = %d, want %d: %v", resp.StatusCode, tc.status, out)
				}
				if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
					t.Errorf("Cache-Control = %q, want no-store (RFC 6749 5.1)", cc)
				}
				if tc.status != 200 {
					if out["error"] != tc.error {
						t.Errorf("error = %v, want %s", out["error"], tc.error)
					}
					if out["access_token"] != nil {
						t.Errorf("failed token request returned a token: %v", out)
					}
					return
				}
				tok, _ := out["access_token"].(string)
				if out["token_type"] != "Bearer" || tok == "" {
					t.Fatalf("token response: %v", out)
				}
				if status, body := s.Do(t, "GET", "/v1.0/users/"+alice, tok, nil); status != http.StatusOK {
					t.Errorf("new token cannot read the tenant's user: %d %v", status, body)
				}
			})
		}
	})
}

// TestAdminTokenExpires moves the clock past the token's hour.
func TestAdminTokenExpires(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam")
	if status, body := s.Do(t, "GET", "/v1.0/users", tn.Token, nil); status != http.StatusOK {
		t.Fatalf("fresh token: %d %v", status, body)
	}
	s.Clock.Advance(2 * time.Hour)
	wantGraphError(t, call(t, s, "GET", "/v1.0/users", tn.Token, "", nil), http.StatusUnauthorized, "InvalidAuthenticationToken")
	if status, body := s.Do(t, "GET", "/v1.0/users", s.AdminToken(t, tn), nil); status != http.StatusOK {
		t.Fatalf("a new token after expiry: %d %v", status, body)
	}
}

// TestDeletedTenantTokenStops: deleting a tenant ends its admin's access at
// once, without waiting for the token to expire.
func TestDeletedTenantTokenStops(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	gone := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	stays := s.CreateTenant(t, "Woodgrove")
	s.Invite(t, gone, "alice@contoso.example", nil)
	stayer := userID(s.Invite(t, stays, "alice@contoso.example", nil))

	if r := call(t, s, "DELETE", "/operator/v1/tenants/"+gone.ID, s.OperatorToken, "", nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete tenant: %d %s", r.Status, r.Body)
	}
	wantGraphError(t, call(t, s, "GET", "/v1.0/users", gone.Token, "", nil), http.StatusUnauthorized, "InvalidAuthenticationToken")
	wantGraphError(t, call(t, s, "POST", "/v1.0/invitations", gone.Token, "application/json",
		jsonBody(t, map[string]any{"invitedUserEmailAddress": "bob@contoso.example", "inviteRedirectUrl": "https://app.example/"})),
		http.StatusUnauthorized, "InvalidAuthenticationToken")
	resp, err := http.PostForm(s.URL+"/"+gone.ID+"/oauth2/v2.0/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {gone.AppID}, "client_secret": {gone.ClientSecret}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Errorf("token for a deleted tenant: status %d, want a client error", resp.StatusCode)
	}
	wantGraphError(t, call(t, s, "GET", "/operator/v1/tenants/"+gone.ID, s.OperatorToken, "", nil), http.StatusNotFound, "")
	// The verified domain is free again.
	status, body := s.Do(t, "POST", "/operator/v1/tenants", s.OperatorToken, map[string]any{"displayName": "Fabrikam again", "domains": []string{"fabrikam.example"}})
	if status != http.StatusCreated {
		t.Errorf("reuse a deleted tenant's domain: %d %v", status, body)
	}
	// The other tenant is untouched.
	if status, u := s.Do(t, "GET", "/v1.0/users/"+stayer, stays.Token, nil); status != http.StatusOK || u["id"] != stayer {
		t.Errorf("the other tenant's user after the delete: %d %v", status, u)
	}
}

// tokenParts returns the header and claims of one of the server's tokens.
func tokenParts(t testing.TB, raw string) (kid string, claims map[string]any) {
	t.Helper()
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil || len(tok.Headers) != 1 {
		t.Fatalf("server token does not parse: %v", err)
	}
	if err := tok.UnsafeClaimsWithoutVerification(&claims); err != nil {
		t.Fatal(err)
	}
	return tok.Headers[0].KeyID, claims
}

// forgedToken has the server token's kid and claims, signed by a key of
// our own: only the signature tells it apart.
func forgedToken(t testing.TB, real string) string {
	t.Helper()
	kid, claims := tokenParts(t, real)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// unsignedToken is the server token's claims with alg none.
func unsignedToken(t testing.TB, real string) string {
	t.Helper()
	kid, claims := tokenParts(t, real)
	enc := base64.RawURLEncoding
	h, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT", "kid": kid})
	c, _ := json.Marshal(claims)
	return enc.EncodeToString(h) + "." + enc.EncodeToString(c) + "."
}

func TestOperatorAPI(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	first := s.CreateTenant(t, "Contoso", "contoso.example")

	t.Run("operator token required", func(t *testing.T) {
		t.Parallel()
		for _, tok := range []string{"", "wrong-token", first.Token} {
			for _, req := range []struct{ method, path string }{
				{"GET", "/operator/v1/tenants"},
				{"POST", "/operator/v1/tenants"},
				{"GET", "/operator/v1/tenants/" + first.ID},
				{"DELETE", "/operator/v1/tenants/" + first.ID},
			} {
				var body io.Reader
				if req.method == "POST" {
					body = jsonBody(t, map[string]any{"displayName": "Intruder"})
				}
				r := call(t, s, req.method, req.path, tok, "application/json", body)
				wantGraphError(t, r, http.StatusUnauthorized, "InvalidAuthenticationToken")
			}
		}
		if r := call(t, s, "GET", "/operator/v1/tenants/"+first.ID, s.OperatorToken, "", nil); r.Status != http.StatusOK {
			t.Fatalf("tenant after unauthorized DELETEs: %d %s", r.Status, r.Body)
		}
	})

	t.Run("bad create requests", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name   string
			body   string
			status int
		}{
			{"domain owned by another tenant", `{"displayName":"Other","domains":["contoso.example"]}`, 409},
			{"owned domain in other case", `{"displayName":"Other","domains":["Contoso.EXAMPLE"]}`, 409},
			{"owned domain with trailing dot", `{"displayName":"Other","domains":["contoso.example."]}`, 409},
			{"owned domain with two trailing dots", `{"displayName":"Other","domains":["contoso.example.."]}`, 400},
			{"invalid domain", `{"displayName":"Other","domains":["not a domain"]}`, 400},
			{"single-label domain", `{"displayName":"Other","domains":["localhost"]}`, 400},
			{"domain under the deployment", `{"displayName":"Other","domains":["x.guestlist.localhost"]}`, 400},
			{"empty displayName", `{"displayName":"  ","domains":[]}`, 400},
			{"unknown language", `{"displayName":"Other","defaultLanguage":"tlh"}`, 400},
			{"unknown property", `{"displayName":"Other","plan":"gold"}`, 400},
			{"malformed JSON", `{"displayName":`, 400},
			{"empty body", ``, 400},
			{"domains as string", `{"displayName":"Other","domains":"x.example"}`, 400},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				wantGraphError(t, call(t, s, "POST", "/operator/v1/tenants", s.OperatorToken, "application/json", strings.NewReader(tc.body)), tc.status, "")
			})
		}
	})

	t.Run("same name, different initial domains", func(t *testing.T) {
		t.Parallel()
		var domains []string
		var ids []string
		for range 2 {
			status, body := s.Do(t, "POST", "/operator/v1/tenants", s.OperatorToken, map[string]any{"displayName": "Northwind Traders"})
			if status != http.StatusCreated {
				t.Fatalf("create: %d %v", status, body)
			}
			domains = append(domains, body["initialDomain"].(string))
			ids = append(ids, body["id"].(string))
		}
		if domains[0] == domains[1] || ids[0] == ids[1] {
			t.Fatalf("two tenants share an id or initial domain: %v %v", ids, domains)
		}
		for _, d := range domains {
			if !strings.HasPrefix(d, "northwindtraders") || !strings.HasSuffix(d, ".guestlist.localhost") {
				t.Errorf("initial domain %q is not <name>.<deployment domain>", d)
			}
		}
		// Each initial domain names a tenant in guest URLs (R30): a bad link
		// there gets the organization's error page, which an unknown
		// tenant's page could not name.
		for _, d := range domains {
			r := call(t, s, "GET", "/"+d+"/redeem?t=x", "", "", nil)
			if r.Status != http.StatusNotFound || !strings.Contains(string(r.Body), "Northwind Traders") {
				t.Errorf("bad link under initial domain %s: %d, want the organization's 404 page", d, r.Status)
			}
		}
	})

	t.Run("list and get", func(t *testing.T) {
		t.Parallel()
		status, body := s.Do(t, "GET", "/operator/v1/tenants", s.OperatorToken, nil)
		if status != http.StatusOK {
			t.Fatalf("list: %d %v", status, body)
		}
		var found map[string]any
		for _, tn := range values(t, body) {
			if tn["id"] == first.ID {
				found = tn
			}
			if _, leak := tn["adminApplication"]; leak {
				t.Errorf("list shows admin credentials, which are shown once at creation: %v", tn)
			}
		}
		if found == nil {
			t.Fatalf("list does not contain tenant %s: %v", first.ID, body)
		}
		if found["displayName"] != "Contoso" || found["initialDomain"] != "contoso.guestlist.localhost" {
			t.Errorf("listed tenant: %v", found)
		}
		if d, _ := found["domains"].([]any); len(d) != 1 || d[0] != "contoso.example" {
			t.Errorf("listed domains = %v, want [contoso.example]", found["domains"])
		}
		status, one := s.Do(t, "GET", "/operator/v1/tenants/"+first.ID, s.OperatorToken, nil)
		if status != http.StatusOK || one["id"] != first.ID || one["adminApplication"] != nil {
			t.Errorf("get: %d %v", status, one)
		}
	})

	t.Run("unknown things are 404 JSON", func(t *testing.T) {
		t.Parallel()
		for _, req := range []struct{ method, path, token string }{
			{"DELETE", "/operator/v1/tenants/00000000-0000-4000-8000-000000000000", s.OperatorToken},
			{"DELETE", "/operator/v1/tenants/not-a-uuid", s.OperatorToken},
			{"GET", "/operator/v1/tenants/00000000-0000-4000-8000-000000000000", s.OperatorToken},
			{"GET", "/operator/v1/widgets", s.OperatorToken},
			{"GET", "/operator/v2/tenants", s.OperatorToken},
			{"GET", "/v1.0/widgets", first.Token},
			{"GET", "/v1.0/users/x/y", first.Token},
			{"GET", "/v1.0/me", first.Token},
			{"GET", "/v1.0/", first.Token},
		} {
			t.Run(req.method+" "+req.path, func(t *testing.T) {
				wantGraphError(t, call(t, s, req.method, req.path, req.token, "", nil), http.StatusNotFound, "Request_ResourceNotFound")
			})
		}
	})
}

// TestInviteSameGuest is R2: one person is one user, however the address is
// spelled.
func TestInviteSameGuest(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	domain := initialDomain(t, s, tn)

	same := func(t *testing.T, spellings ...string) string {
		t.Helper()
		var id string
		for _, e := range spellings {
			inv := s.Invite(t, tn, e, nil)
			if inv["status"] != "PendingAcceptance" || inv["inviteRedeemUrl"] == "" || inv["id"] == "" {
				t.Errorf("invite %s: %v", e, inv)
			}
			got := userID(inv)
			if id == "" {
				id = got
			} else if got != id {
				t.Errorf("invite %s: user %s, want the same user %s as %s", e, got, id, spellings[0])
			}
		}
		return id
	}
	alice := same(t, "alice@contoso.com", "ALICE@Contoso.COM")
	bob := same(t, "bob@bücher.example", "bob@xn--bcher-kva.example", "Bob@BÜCHER.example")
	if alice == bob {
		t.Fatal("two people got one user")
	}

	users := listUsers(t, s, tn.Token, nil)
	if len(users) != 2 {
		t.Fatalf("tenant has %d users after inviting two people five ways, want 2: %v", len(users), users)
	}

	status, a := s.Do(t, "GET", "/v1.0/users/"+alice+"?$select=userPrincipalName,userType,externalUserState,creationType,identities", tn.Token, nil)
	if status != http.StatusOK {
		t.Fatalf("get alice: %d %v", status, a)
	}
	wantUPN := "alice_contoso.com#EXT#@" + domain
	if a["userPrincipalName"] != wantUPN {
		t.Errorf("userPrincipalName = %v, want %s", a["userPrincipalName"], wantUPN)
	}
	if a["userType"] != "Guest" || a["externalUserState"] != "PendingAcceptance" || a["creationType"] != "Invitation" {
		t.Errorf("alice = %v, want a pending invited guest", a)
	}
	ids, _ := a["identities"].([]any)
	wantID := map[string]any{"signInType": "userPrincipalName", "issuer": domain, "issuerAssignedId": wantUPN}
	if len(ids) != 1 || !sameMap(ids[0].(map[string]any), wantID) {
		t.Errorf("pending identities = %v, want [%v] (R12)", a["identities"], wantID)
	}

	filters := []struct {
		filter string
		want   []string
	}{
		{"mail eq 'alice@contoso.com'", []string{alice}},
		{"mail eq 'ALICE@CONTOSO.COM'", []string{alice}},
		{"mail eq 'bob@bücher.example'", []string{bob}},
		{"mail eq 'bob@xn--bcher-kva.example'", []string{bob}},
		{"mail eq 'carol@contoso.com'", nil},
		{"mail eq 'not an address'", nil},
		{"userType eq 'Guest' and externalUserState eq 'PendingAcceptance'", []string{alice, bob}},
		{"UserType EQ 'Guest' AND ExternalUserState eq 'PendingAcceptance'", []string{alice, bob}},
		{"externalUserState eq 'Accepted'", nil},
		{"userType eq 'Member'", nil},
		{"userType eq 'Guest' and mail eq 'bob@bücher.example'", []string{bob}},
	}
	for _, f := range filters {
		got := map[string]bool{}
		for _, u := range listUsers(t, s, tn.Token, url.Values{"$filter": {f.filter}}) {
			got[u["id"].(string)] = true
		}
		want := map[string]bool{}
		for _, id := range f.want {
			want[id] = true
		}
		if len(got) != len(want) {
			t.Errorf("$filter=%s: got %v, want %v", f.filter, got, want)
			continue
		}
		for id := range want {
			if !got[id] {
				t.Errorf("$filter=%s: got %v, want %v", f.filter, got, want)
			}
		}
	}
	if users := listUsers(t, s, tn.Token, url.Values{"$top": {"1"}}); len(users) != 1 {
		t.Errorf("$top=1 returned %d users", len(users))
	}
}

// TestInvitationMail is R3: the invitation mail, when asked for, names the
// organization, carries the inviter's message and the redeem link, in the
// requested language, with a copy to ccRecipients.
func TestInvitationMail(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam & Co", "fabrikam.example")

	quiet := s.Invite(t, tn, "quiet@contoso.example", map[string]any{"sendInvitationMessage": false})
	const note = `Hi <b>there</b> & welcome — see "docs" <script>alert(1)</script>`
	inv := s.Invite(t, tn, "alice@contoso.example", map[string]any{
		"sendInvitationMessage":  true,
		"invitedUserDisplayName": "Alice Adams",
		"invitedUserMessageInfo": map[string]any{
			"customizedMessageBody": note,
			"ccRecipients":          []any{map[string]any{"emailAddress": map[string]any{"address": "Boss@Contoso.example", "name": "The Boss"}}},
		},
	})
	de := s.Invite(t, tn, "dieter@contoso.example", map[string]any{
		"sendInvitationMessage":  true,
		"invitedUserMessageInfo": map[string]any{"messageLanguage": "de"},
	})

	if got := inv["invitedUserMessageInfo"].(map[string]any); got["customizedMessageBody"] != note {
		t.Errorf("response does not echo the message: %v", got)
	}
	if cc := inv["invitedUserMessageInfo"].(map[string]any)["ccRecipients"].([]any); len(cc) != 1 {
		t.Errorf("response ccRecipients = %v", cc)
	}

	m := s.WaitMail(t, "alice@contoso.example", 1, "")
	link := inv["inviteRedeemUrl"].(string)
	if !strings.Contains(m.Subject, "Fabrikam & Co") {
		t.Errorf("subject %q does not name the organization", m.Subject)
	}
	if got := m.Header.Get("To"); !strings.Contains(got, "alice@contoso.example") || strings.Contains(got, "Boss") {
		t.Errorf("To header = %q, want the guest only", got)
	}
	if got := m.Header.Get("Cc"); !strings.Contains(got, "Boss@contoso.example") {
		t.Errorf("Cc header = %q, want the cc recipient", got)
	}
	if len(m.To) != 2 || !containsFold(m.To, "alice@contoso.example") || !containsFold(m.To, "boss@contoso.example") {
		t.Errorf("envelope recipients = %v, want the guest and the cc recipient", m.To)
	}
	if m.Header.Get("Bcc") != "" {
		t.Errorf("invitation has a Bcc header: %q", m.Header.Get("Bcc"))
	}
	for part, body := range map[string]string{"text": m.TextBody, "HTML": m.HTMLBody} {
		if !strings.Contains(body, "Fabrikam") {
			t.Errorf("%s part does not name the organization:\n%s", part, body)
		}
		if !strings.Contains(body, link) {
			t.Errorf("%s part does not carry the redeem link %s:\n%s", part, link, body)
		}
	}
	if !strings.Contains(m.TextBody, note) {
		t.Errorf("text part does not carry the message verbatim:\n%s", m.TextBody)
	}
	if strings.Contains(m.HTMLBody, "<b>there</b>") || strings.Contains(m.HTMLBody, "<script>") {
		t.Errorf("HTML part renders the inviter's markup:\n%s", m.HTMLBody)
	}
	if !strings.Contains(m.HTMLBody, "&lt;b&gt;there&lt;/b&gt; &amp; welcome") || !strings.Contains(m.HTMLBody, "&lt;script&gt;") {
		t.Errorf("HTML part does not show the inviter's message escaped:\n%s", m.HTMLBody)
	}

	dm := s.WaitMail(t, "dieter@contoso.example", 1, "")
	if want := "Fabrikam & Co hat Sie eingeladen"; !strings.HasPrefix(dm.Subject, want) {
		t.Errorf("German invitation subject = %q, want it to start %q", dm.Subject, want)
	}
	if !strings.Contains(dm.TextBody, de["inviteRedeemUrl"].(string)) {
		t.Errorf("German mail lacks its link:\n%s", dm.TextBody)
	}

	// No mail was asked for: there is no outbox entry to deliver, and none
	// went out while the other two did.
	status, q := s.Do(t, "GET", "/v1.0/invitations/"+quiet["id"].(string), tn.Token, nil)
	if status != http.StatusOK {
		t.Fatalf("get invitation: %d %v", status, q)
	}
	if q["messageDelivery"] != nil {
		t.Errorf("invitation without sendInvitationMessage has a mail: %v", q["messageDelivery"])
	}
	for _, msg := range s.SMTP.Messages() {
		if containsFold(msg.To, "quiet@contoso.example") {
			t.Errorf("mail sent to a guest invited without sendInvitationMessage: %q", msg.Subject)
		}
	}
	if n := len(s.SMTP.Messages()); n != 2 {
		t.Errorf("%d messages, want 2 (one with a cc, one German)", n)
	}
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// TestResetRedemption is R13: a redeemed guest is set back to pending with
// the same object id, loses their sessions and redeems afresh with a new
// link.
func TestResetRedemption(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	domain := initialDomain(t, s, tn)
	const email = "alice@contoso.example"
	inv := s.Invite(t, tn, email, nil)
	id := userID(inv)

	g := s.NewGuest("en")
	accept := func(p servertest.Page) {
		t.Helper()
		consent := g.Follow(t, p)
		base := servertest.TenantBase(p.Location)
		landed := g.Post(t, base+"/signin/consent", url.Values{"action": {"accept"}})
		if landed.Status != http.StatusSeeOther || landed.Location != "https://app.example/welcome" {
			t.Fatalf("consent: %d to %q:\n%.300s", landed.Status, landed.Location, consent.Body)
		}
	}
	accept(g.Redeem(t, inv["inviteRedeemUrl"].(string), email, 1))
	status, u := s.Do(t, "GET", "/v1.0/users/"+id+"?$select=id,mail,externalUserState,identities", tn.Token, nil)
	if status != http.StatusOK || u["externalUserState"] != "Accepted" {
		t.Fatalf("after redemption: %d %v", status, u)
	}

	// Control: while the session lives, another link for this guest goes
	// straight through, no code needed.
	again := s.Invite(t, tn, email, nil)
	if again["status"] != "Completed" || userID(again) != id {
		t.Errorf("inviting a redeemed guest again: %v", again)
	}
	if p := g.Get(t, again["inviteRedeemUrl"].(string)); p.Location != "https://app.example/welcome" {
		t.Fatalf("signed-in guest opening a link: %d to %q, want the app", p.Status, p.Location)
	}

	status, reset := s.Do(t, "POST", "/v1.0/invitations", tn.Token, map[string]any{
		"invitedUserEmailAddress": email, "inviteRedirectUrl": "https://app.example/welcome",
		"resetRedemption": true, "invitedUser": map[string]any{"id": id},
	})
	if status != http.StatusCreated {
		t.Fatalf("reset: %d %v", status, reset)
	}
	if userID(reset) != id || reset["status"] != "PendingAcceptance" || reset["resetRedemption"] != true {
		t.Errorf("reset response: %v", reset)
	}
	link := reset["inviteRedeemUrl"].(string)
	if link == "" || link == inv["inviteRedeemUrl"] || link == again["inviteRedeemUrl"] {
		t.Errorf("reset did not return a new redeem link: %q", link)
	}

	status, u = s.Do(t, "GET", "/v1.0/users/"+id+"?$select=id,mail,externalUserState,identities", tn.Token, nil)
	if status != http.StatusOK {
		t.Fatalf("user after reset: %d %v", status, u)
	}
	if u["id"] != id || u["externalUserState"] != "PendingAcceptance" || u["mail"] != email {
		t.Errorf("user after reset: %v", u)
	}
	upn := "alice_contoso.example#EXT#@" + domain
	wantID := map[string]any{"signInType": "userPrincipalName", "issuer": domain, "issuerAssignedId": upn}
	if ids, _ := u["identities"].([]any); len(ids) != 1 || !sameMap(ids[0].(map[string]any), wantID) {
		t.Errorf("identities after reset = %v, want the pending shape [%v]", u["identities"], wantID)
	}
	pending := listUsers(t, s, tn.Token, url.Values{"$filter": {"externalUserState eq 'PendingAcceptance'"}})
	if len(pending) != 1 || pending[0]["id"] != id {
		t.Errorf("pending users after reset: %v", pending)
	}

	// The old session is revoked: the same browser now has to prove the
	// address again. (Past the 30 s between codes to one address, R23.)
	s.Clock.Advance(time.Minute)
	opened := g.Get(t, link)
	if !strings.HasSuffix(opened.Location, "/signin/passcode") {
		t.Fatalf("after reset the guest's old session still skips the code: %d to %q", opened.Status, opened.Location)
	}
	accept(g.Redeem(t, link, email, 2))
	status, u = s.Do(t, "GET", "/v1.0/users/"+id+"?$select=id,mail,externalUserState,identities", tn.Token, nil)
	if status != http.StatusOK || u["externalUserState"] != "Accepted" || u["id"] != id {
		t.Fatalf("after redeeming the new link: %d %v", status, u)
	}
	if ids, _ := u["identities"].([]any); len(ids) != 1 || ids[0].(map[string]any)["issuer"] != "mail" {
		t.Errorf("identities after second redemption = %v", u["identities"])
	}
	if users := listUsers(t, s, tn.Token, nil); len(users) != 1 {
		t.Errorf("reset and redemption made %d users, want 1", len(users))
	}
}
