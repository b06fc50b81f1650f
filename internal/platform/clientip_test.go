package platform

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestClientIP(t *testing.T) {
	proxies := []string{"10.0.0.0/8", "2001:db8:ffff::1"}
	tests := []struct {
		name    string
		trusted []string
		remote  string
		headers map[string][]string
		want    string
	}{
		{"no proxies: the peer, whatever the headers say", nil, "203.0.113.9:4711",
			map[string][]string{"X-Forwarded-For": {"198.51.100.1"}}, "203.0.113.9"},
		{"untrusted peer's headers are ignored", proxies, "203.0.113.9:4711",
			map[string][]string{"X-Forwarded-For": {"198.51.100.1"}}, "203.0.113.9"},
		{"trusted proxy: the hop it appended", proxies, "10.1.2.3:80",
			map[string][]string{"X-Forwarded-For": {"198.51.100.1"}}, "198.51.100.1"},
		{"a client-forged left part does not count", proxies, "10.1.2.3:80",
			map[string][]string{"X-Forwarded-For": {"1.1.1.1, 198.51.100.1"}}, "198.51.100.1"},
		{"chained trusted proxies are skipped right to left", proxies, "10.1.2.3:80",
			map[string][]string{"X-Forwarded-For": {"1.1.1.1, 198.51.100.1, 10.9.9.9"}}, "198.51.100.1"},
		{"several headers form one list", proxies, "10.1.2.3:80",
			map[string][]string{"X-Forwarded-For": {"1.1.1.1", "198.51.100.1"}}, "198.51.100.1"},
		{"Forwarded wins over X-Forwarded-For", proxies, "10.1.2.3:80",
			map[string][]string{"Forwarded": {`for=192.0.2.60;proto=https, for="[2001:db8:cafe::17]:4711"`},
				"X-Forwarded-For": {"198.51.100.1"}}, "2001:db8:cafe::17"},
		{"garbled hop: the last good address", proxies, "10.1.2.3:80",
			map[string][]string{"X-Forwarded-For": {"198.51.100.1, not-an-ip"}}, "10.1.2.3"},
		{"trusted single IPv6 proxy", proxies, "[2001:db8:ffff::1]:443",
			map[string][]string{"X-Forwarded-For": {"2001:db8:1:2::5"}}, "2001:db8:1:2::5"},
		{"trusted proxy, no header: the proxy", proxies, "10.1.2.3:80", nil, "10.1.2.3"},
		{"IPv4-mapped peer", proxies, "[::ffff:10.1.2.3]:80",
			map[string][]string{"X-Forwarded-For": {"198.51.100.1"}}, "198.51.100.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClientIPs(tt.trusted)
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tt.remote
			for k, vs := range tt.headers {
				for _, v := range vs {
					r.Header.Add(k, v)
				}
			}
			var got string
			c.Handler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = ClientIP(r) })).
				ServeHTTP(httptest.NewRecorder(), r)
			if got != tt.want {
				t.Errorf("client IP = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewClientIPsRefusesGarbage(t *testing.T) {
	if _, err := NewClientIPs([]string{"10.0.0.0/8", "proxy.example"}); err == nil {
		t.Fatal("a host name was accepted as a trusted proxy")
	}
}

func TestThrottleKey(t *testing.T) {
	for in, want := range map[string]string{
		"198.51.100.7":            "198.51.100.7",
		"::ffff:198.51.100.7":     "198.51.100.7",
		"2001:db8:1:2:aaaa::1":    "2001:db8:1:2::/64",
		"2001:db8:1:2:bbbb::9999": "2001:db8:1:2::/64",
		"fe80::1%eth0":            "fe80::/64",
		"":                        "",
	} {
		if got := ThrottleKey(in); got != want {
			t.Errorf("ThrottleKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzClientIP(f *testing.F) {
	f.Add("10.1.2.3:80", "1.1.1.1, 198.51.100.1", `for="[2001:db8::1]:80";by=x`)
	f.Add("[::1]:1", "", "for=unknown")
	c, err := NewClientIPs([]string{"10.0.0.0/8", "::1"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, remote, xff, fwd string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		if fwd != "" {
			r.Header.Set("Forwarded", fwd)
		}
		a := c.Of(r)
		peer, ok := parseHost(remote)
		if !ok && a.IsValid() {
			t.Fatalf("an address %v from an unparsable peer %q", a, remote)
		}
		if ok && !c.isTrusted(peer) && a != peer {
			t.Fatalf("untrusted peer %v, but client %v", peer, a)
		}
		_ = ThrottleKey(a.String())
	})
}
