package apps

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"guestlist/internal/core"
)

func TestCheckRedirectURI(t *testing.T) {
	for _, tc := range []struct {
		kind, uri string
		ok        bool
	}{
		{KindWeb, "https://app.example/cb", true},
		{KindWeb, "https://app.example:8443/cb?x=1", true},
		{KindWeb, "HTTPS://App.Example/cb", true},
		{KindWeb, "http://localhost/cb", true},
		{KindWeb, "http://LOCALHOST:3000/", true},
		{KindSPA, "http://127.0.0.1:5000/", true},
		{KindSPA, "http://[::1]/cb", true},
		{KindPublicClient, "com.example.app:/callback", true},
		{KindPublicClient, "msal0000://auth", true},
		{KindPublicClient, "http://localhost", true},

		{KindWeb, "", false},
		{KindWeb, "/cb", false},
		{KindWeb, "app.example/cb", false},
		{KindWeb, "//app.example/cb", false},
		{KindWeb, "http://app.example/cb", false},
		{KindWeb, "http://127.0.0.2/cb", false},
		{KindWeb, "http://localhost.evil.example/cb", false},
		{KindWeb, "https://app.example/cb#frag", false},
		{KindWeb, "https://*.app.example/cb", false},
		{KindWeb, "https://u:p@app.example/cb", false},
		{KindWeb, "https:///cb", false},
		{KindWeb, "https:app.example", false},
		{KindWeb, "https://app.example/a b", false},
		{KindWeb, "https://app.example/\u00e9", false},
		{KindWeb, "https://app.example/\x00", false},
		{KindWeb, "https://app.example/" + strings.Repeat("a", 237), false},
		{KindWeb, "com.example.app:/callback", false},
		{KindSPA, "com.example.app:/callback", false},
		{KindPublicClient, "javascript:alert(1)", false},
		{KindPublicClient, "JavaScript:alert(1)", false},
		{KindPublicClient, "data:text/html,x", false},
		{KindPublicClient, "file:///etc/passwd", false},
		{KindPublicClient, "com.example.app:", false},
		{KindPublicClient, "1app:/cb", false},
	} {
		err := CheckRedirectURI(tc.kind, tc.uri)
		if (err == nil) != tc.ok {
			t.Errorf("CheckRedirectURI(%s, %q) = %v, want ok %v", tc.kind, tc.uri, err, tc.ok)
		}
		if err != nil && !errors.Is(err, core.ErrInvalid) {
			t.Errorf("CheckRedirectURI(%s, %q): %v is not core.ErrInvalid", tc.kind, tc.uri, err)
		}
		if err != nil && !strings.Contains(err.Error(), tc.kind+".redirectUris") {
			t.Errorf("message %q does not name the property", err)
		}
	}
}

func TestRedirectURIs(t *testing.T) {
	got, err := RedirectURIs(KindWeb, []string{"https://b.example/", "https://a.example/", "https://b.example/"})
	if err != nil || strings.Join(got, " ") != "https://b.example/ https://a.example/" {
		t.Errorf("duplicates: %v %v", got, err)
	}
	if got, err := RedirectURIs(KindSPA, nil); err != nil || got == nil || len(got) != 0 {
		t.Errorf("none: %#v %v", got, err)
	}
	many := make([]string, MaxRedirectURIs+1)
	for i := range many {
		many[i] = "https://app.example/" + strings.Repeat("x", i)[:min(i, 200)] + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	if _, err := RedirectURIs(KindWeb, many); err == nil || !strings.Contains(err.Error(), "at most 256") {
		t.Errorf("257 URIs: %v", err)
	}
	if _, err := RedirectURIs(KindWeb, append(many[:MaxRedirectURIs:MaxRedirectURIs], many[0])); err != nil {
		t.Errorf("256 URIs and a duplicate: %v", err)
	}
}

func TestValidate(t *testing.T) {
	a := core.Application{DisplayName: "  Expenses ", HomePageURL: "https://app.example/#/home",
		WebRedirectURIs: []string{"https://app.example/cb", "https://app.example/cb"}}
	if err := Validate(&a); err != nil || a.DisplayName != "Expenses" || len(a.WebRedirectURIs) != 1 {
		t.Errorf("Validate: %v %+v", err, a)
	}
	for _, bad := range []core.Application{
		{DisplayName: ""},
		{DisplayName: strings.Repeat("é", MaxDisplayName+1)},
		{DisplayName: "a\nb"},
		{DisplayName: "x", HomePageURL: "javascript:alert(1)"},
		{DisplayName: "x", HomePageURL: "https://"},
		{DisplayName: "x", PublicClientRedirectURIs: []string{"http://app.example/"}},
	} {
		if err := Validate(&bad); !errors.Is(err, core.ErrInvalid) {
			t.Errorf("Validate(%+v) = %v, want invalid", bad, err)
		}
	}
}

// FuzzCheckRedirectURI: any string is either refused as invalid or is an
// absolute URI that keeps every rule.
func FuzzCheckRedirectURI(f *testing.F) {
	for _, s := range []string{"https://app.example/cb", "http://localhost:1/", "com.example.app:/cb",
		"javascript:x", "https://a#b", "http://[::1]/", "x:", "https://%zz", "HTTP://127.0.0.1"} {
		f.Add(KindPublicClient, s)
		f.Add(KindWeb, s)
	}
	f.Fuzz(func(t *testing.T, kind, raw string) {
		if kind != KindWeb && kind != KindSPA && kind != KindPublicClient {
			kind = KindWeb
		}
		err := CheckRedirectURI(kind, raw)
		if err != nil {
			if !errors.Is(err, core.ErrInvalid) {
				t.Fatalf("%q: %v is not core.ErrInvalid", raw, err)
			}
			return
		}
		u, perr := url.Parse(raw)
		switch {
		case perr != nil || u.Scheme == "":
			t.Fatalf("accepted %q, which is not an absolute URI", raw)
		case len(raw) > MaxRedirectURILength || strings.ContainsAny(raw, "#* \t\r\n"):
			t.Fatalf("accepted %q", raw)
		case u.Scheme == "http" && !loopback(u.Hostname()):
			t.Fatalf("accepted http to a non-loopback host: %q", raw)
		case kind != KindPublicClient && u.Scheme != "https" && u.Scheme != "http":
			t.Fatalf("accepted scheme %s for %s", u.Scheme, kind)
		}
	})
}
