package graph

import (
	"errors"
	"net/http/httptest"
	"net/url"
	"testing"

	"guestlist/internal/core"
)

var filterSeeds = []string{
	"", "userType eq 'Guest'", "mail eq 'alice@contoso.com'", "mail eq 'o''brien@example.ie'",
	"userType eq 'Guest' and externalUserState eq 'PendingAcceptance'",
	"UserType EQ 'Guest' AND mail eq 'bob@bücher.example'", "  userType   eq   'Guest'  ",
	"mail eq ''", "mail eq ''''", "mail eq 'a' and", "mail eq 'a' or userType eq 'b'", "mail eq 'unterminated",
	"mail eq \"double\"", "mail ne 'x'", "startswith(mail,'a')", "mail eq 'a' and mail eq 'b'",
	"displayName eq 'x'", "mail eq 'x''", "mail eq 'a'b'", "eq eq 'eq'", "a eq 'b' and c eq 'd' and e eq 'f'",
	"mail\teq 'x'", "mail eq 'x' and  userType eq 'y'", "'", "mail eq 'a\x00b'", "mail eq '\xff'",
	"not (userType eq 'Guest') or (mail in ('a','b') and endswith(mail,'.example'))",
	"identities/any(c:c/issuer eq 'x' and c/issuerAssignedId eq 'y')", "createdDateTime ge 2024-01-02T03:04:05Z",
	"accountEnabled eq true", "givenName eq null", "not not not (id eq 'x')", "((((a eq 'b'))))",
}

// FuzzFilter: the $filter parser never panics, refuses with a
// Request_UnsupportedQuery error (a 400, never a 500), and what it
// accepts prints as a filter that parses to the same tree.
func FuzzFilter(f *testing.F) {
	for _, s := range filterSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseFilterExpr(s)
		if err != nil {
			wantBadRequest(t, "parseFilterExpr", s, err)
			return
		}
		printed := n.String()
		again, err := parseFilterExpr(printed)
		if err != nil {
			t.Fatalf("parseFilterExpr(%q) printed as %q, which fails: %v", s, printed, err)
		}
		if again.String() != printed {
			t.Fatalf("parseFilterExpr(%q) printed as %q, parsed again and printed as %q", s, printed, again.String())
		}
		if _, _, err := userFilterExpr(s); err != nil {
			wantBadRequest(t, "userFilterExpr", s, err)
		}
	})
}

// FuzzParseUserQuery: any query string on GET /v1.0/users either parses or
// is refused as a bad request, never an internal error.
func FuzzParseUserQuery(f *testing.F) {
	for _, s := range filterSeeds {
		f.Add(url.Values{"$filter": {s}}.Encode(), true)
	}
	for _, s := range []string{"$top=5", "$top=0", "$top=1000", "$top=-1", "$top=x", "$orderby=mail", "$count=true",
		"$select=id,mail", "foo=bar", "$filter=mail+eq+'a@b.com'&$top=3", "%zz", "$filter=mail%20eq%20%27%ff%27",
		"$search=%22displayName:ann%22", "$search=%22mail:a%22+OR+%22displayName:b+c%22", "$orderby=displayName+desc&$count=true"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, raw string, eventual bool) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return // net/http drops what does not parse
		}
		r := httptest.NewRequest("GET", "/v1.0/users?"+q.Encode(), nil)
		if eventual {
			r.Header.Set("ConsistencyLevel", "eventual")
		}
		uq, err := parseUserQuery(r)
		if err != nil {
			wantBadRequest(t, "parseUserQuery", raw, err)
			return
		}
		if uq.filter.Top < 0 || uq.filter.Top > 999 {
			t.Fatalf("parseUserQuery(%q): $top %d", raw, uq.filter.Top)
		}
	})
}

// wantBadRequest: err is a 400 in Graph's shape with a message.
func wantBadRequest(t *testing.T, fn, in string, err error) {
	t.Helper()
	pub, ok := core.PublicError(err)
	if !ok || !errors.Is(err, core.ErrInvalid) || pub.Message == "" ||
		(pub.Code != "Request_UnsupportedQuery" && pub.Code != "Request_BadRequest") {
		t.Fatalf("%s(%q): error %v is not a bad request", fn, in, err)
	}
}
