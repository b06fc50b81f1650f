package graph

import (
	"errors"
	"net/url"
	"strings"
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
}

// quote is an OData string literal.
func quote(v string) string { return "'" + strings.ReplaceAll(v, "'", "''") + "'" }

// FuzzParseFilter: parseFilter never panics, refuses with a
// Request_UnsupportedQuery error (a 400, never a 500), and what it accepts
// means the same when written out again with quoted values.
func FuzzParseFilter(f *testing.F) {
	for _, s := range filterSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		conds, err := parseFilter(s)
		if err != nil {
			wantUnsupported(t, "parseFilter", s, err)
			return
		}
		var parts []string
		for k, v := range conds {
			if k == "" || strings.Contains(k, " ") || k != strings.ToLower(k) {
				t.Fatalf("parseFilter(%q): property %q", s, k)
			}
			parts = append(parts, k+" eq "+quote(v))
		}
		again, err := parseFilter(strings.Join(parts, " and "))
		if err != nil {
			t.Fatalf("parseFilter(%q) = %q, which written out (%q) fails: %v", s, conds, strings.Join(parts, " and "), err)
		}
		if len(again) != len(conds) {
			t.Fatalf("parseFilter(%q) = %q, written out and parsed again %q", s, conds, again)
		}
		for k, v := range conds {
			if again[k] != v {
				t.Fatalf("parseFilter(%q) = %q, written out and parsed again %q", s, conds, again)
			}
		}
	})
}

// FuzzParseUserQuery: any query string on GET /v1.0/users either parses or
// is refused as a bad request, never an internal error.
func FuzzParseUserQuery(f *testing.F) {
	for _, s := range filterSeeds {
		f.Add(url.Values{"$filter": {s}}.Encode())
	}
	for _, s := range []string{"$top=5", "$top=0", "$top=1000", "$top=-1", "$top=x", "$orderby=mail", "$count=true",
		"$select=id,mail", "foo=bar", "$filter=mail+eq+'a@b.com'&$top=3", "%zz", "$filter=mail%20eq%20%27%ff%27"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return // net/http drops what does not parse
		}
		uf, err := parseUserQuery(q)
		if err != nil {
			wantUnsupported(t, "parseUserQuery", raw, err)
			return
		}
		if uf.Top < 0 || uf.Top > 999 {
			t.Fatalf("parseUserQuery(%q): $top %d", raw, uf.Top)
		}
		if uf.MailKey != "" && !strings.HasPrefix(uf.MailKey, "\x00") {
			a, err := core.ParseAddress(uf.MailKey)
			if err != nil || a.Key() != uf.MailKey {
				t.Fatalf("parseUserQuery(%q): mail key %q is not a normalised address", raw, uf.MailKey)
			}
		}
	})
}

func wantUnsupported(t *testing.T, fn, in string, err error) {
	t.Helper()
	pub, ok := core.PublicError(err)
	if !ok || !errors.Is(err, core.ErrInvalid) || pub.Code != "Request_UnsupportedQuery" || pub.Message == "" {
		t.Fatalf("%s(%q): error %v is not a Request_UnsupportedQuery bad request", fn, in, err)
	}
}
