package graph

import (
	"strings"
	"testing"
)

// TestFilterGrammar: every operator parses to the tree its printed form
// shows, with not binding tighter than and, and and tighter than or.
func TestFilterGrammar(t *testing.T) {
	cases := []struct{ in, want string }{
		{"userType eq 'Guest'", "userType eq 'Guest'"},
		{"mail ne 'a@b.example'", "mail ne 'a@b.example'"},
		{"startsWith(displayName,'Ann')", "startswith(displayName,'Ann')"},
		{"endswith(mail, '@contoso.com')", "endswith(mail,'@contoso.com')"},
		{"userType in ('Guest', 'Member')", "userType in ('Guest','Member')"},
		{"givenName eq null", "givenName eq null"},
		{"accountEnabled eq false", "accountEnabled eq false"},
		{"createdDateTime ge 2024-01-02T03:04:05Z", "createdDateTime ge 2024-01-02T03:04:05Z"},
		{"createdDateTime lt 2024-01-02T03:04:05+01:00", "createdDateTime lt 2024-01-02T02:04:05Z"},
		{"displayName eq 'O''Neil'", "displayName eq 'O''Neil'"},
		{"identities/any(c:c/issuer eq 'contoso.com')", "identities/any(c:c/issuer eq 'contoso.com')"},
		{"a eq 'x' or b eq 'y' and c eq 'z'", "(a eq 'x' or (b eq 'y' and c eq 'z'))"},
		{"(a eq 'x' or b eq 'y') and c eq 'z'", "((a eq 'x' or b eq 'y') and c eq 'z')"},
		{"not a eq 'x' and b eq 'y'", "(not (a eq 'x') and b eq 'y')"},
		{"NOT (a eq 'x' OR b eq 'y')", "not ((a eq 'x' or b eq 'y'))"},
		{"a eq 'x' and b eq 'y' and c eq 'z'", "((a eq 'x' and b eq 'y') and c eq 'z')"},
	}
	for _, tc := range cases {
		n, err := parseFilterExpr(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got := n.String(); got != tc.want {
			t.Errorf("%q parsed as %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestFilterRefusals: what is not supported is a 400 naming it.
func TestFilterRefusals(t *testing.T) {
	cases := []struct{ in, mention string }{
		{"displayName gt 'a'", "unsupported operator 'gt'"},
		{"displayName has 'a'", "unsupported operator 'has'"},
		{"favouriteColour eq 'blue'", "'favouriteColour'"},
		{"endswith(displayName,'x')", "unsupported operator 'endsWith'"},
		{"startswith(userType,'G')", "unsupported operator 'startsWith'"},
		{"accountEnabled eq 'yes'", "wrong type"},
		{"id eq null", "never null"},
		{"identities/any(c:c/signInType eq 'x')", "c/issuer"},
		{"identities/any(c:c/issuer eq 'x' or c/issuer eq 'y')", "c/issuer"},
		{"mail eq 'a' and", "expected a property"},
		{"mail eq 'unterminated", "unterminated"},
		{"mail eq bare", "not a value"},
		{"(mail eq 'a'", "')'"},
		{"mail eq 'a' mail", "and, or"},
		{strings.Repeat("(", 40) + "a eq 'b'" + strings.Repeat(")", 40), "nested"},
	}
	for _, tc := range cases {
		_, _, err := userFilterExpr(tc.in)
		if err == nil {
			t.Errorf("%q: accepted", tc.in)
			continue
		}
		wantBadRequest(t, "userFilterExpr", tc.in, err)
		if !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("%q: %q does not mention %q", tc.in, err, tc.mention)
		}
	}
}

// TestFilterAdvanced: the operators Graph keeps to advanced queries are
// named; the others work by default.
func TestFilterAdvanced(t *testing.T) {
	cases := []struct{ in, advanced string }{
		{"userType eq 'Guest' and startswith(mail,'a')", ""},
		{"userType in ('Guest','Member') or accountEnabled eq true", ""},
		{"identities/any(c:c/issuerAssignedId eq 'a@b.example')", ""},
		{"userType ne 'Guest'", "ne"},
		{"not (userType eq 'Guest')", "not"},
		{"endswith(mail,'.example')", "endsWith"},
		{"createdDateTime ge 2024-01-01T00:00:00Z", "ge"},
	}
	for _, tc := range cases {
		_, adv, err := userFilterExpr(tc.in)
		if err != nil || adv != tc.advanced {
			t.Errorf("%q: advanced %q, %v; want %q", tc.in, adv, err, tc.advanced)
		}
	}
}
