package platform

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientIPs finds the address of the client behind a request. Without
// trusted proxies it is the TCP peer (RemoteAddr): forwarding headers are
// set by whoever sends the request, so believing them from anyone would let
// a stranger pick the address their throttles count against. With
// --trusted-proxies, a request whose peer is a trusted proxy has its client
// taken from Forwarded (RFC 7239) or, without it, X-Forwarded-For, read
// right to left: the first address that is not itself a trusted proxy is
// the client, since only the hops our own proxies appended can be believed.
type ClientIPs struct {
	trusted []netip.Prefix
}

// maxHops bounds how many forwarding entries are read: a header is the
// client's to pad, and the right-most ones are the only ones that count.
const maxHops = 20

// NewClientIPs parses the trusted proxies: CIDR prefixes or single
// addresses ("10.0.0.0/8", "192.0.2.7", "2001:db8::/32").
func NewClientIPs(trusted []string) (*ClientIPs, error) {
	c := &ClientIPs{}
	for _, s := range trusted {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return nil, fmt.Errorf("trusted proxy %q is neither an address nor a CIDR prefix", s)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		c.trusted = append(c.trusted, p.Masked())
	}
	return c, nil
}

func (c *ClientIPs) isTrusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range c.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Of returns the client address of r.
func (c *ClientIPs) Of(r *http.Request) netip.Addr {
	peer, ok := parseHost(r.RemoteAddr)
	if !ok || len(c.trusted) == 0 || !c.isTrusted(peer) {
		return peer
	}
	hops := forwardedFor(r.Header.Values("Forwarded"))
	if hops == nil {
		hops = xForwardedFor(r.Header.Values("X-Forwarded-For"))
	}
	client := peer
	for i := len(hops) - 1; i >= 0 && i >= len(hops)-maxHops; i-- {
		a, ok := parseHost(hops[i])
		if !ok {
			break // a garbled hop: the last good address is all we know
		}
		client = a
		if !c.isTrusted(a) {
			break
		}
	}
	return client
}

// Handler puts the client address of every request into its context,
// where ClientIP reads it.
func (c *ClientIPs) Handler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientIPKey{}, c.Of(r))))
	})
}

type clientIPKey struct{}

// ClientIP is the client address of r as found by ClientIPs.Handler, or
// its TCP peer when no handler ran (tests of one surface). Empty only when
// RemoteAddr is not an address.
func ClientIP(r *http.Request) string {
	a, ok := r.Context().Value(clientIPKey{}).(netip.Addr)
	if !ok {
		a, _ = parseHost(r.RemoteAddr)
	}
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// ThrottleKey is the part of a client address that per-client throttles
// count against: the address for IPv4, its /64 for IPv6, since one
// subscriber usually holds a whole /64 and could otherwise rotate through
// it freely.
func ThrottleKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.WithZone("").Prefix(64)
	return p.String()
}

// parseHost reads "addr", "addr:port", "[v6]:port" or "[v6]".
func parseHost(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// xForwardedFor lists the hops of X-Forwarded-For headers in order (several
// headers join as one comma-separated list).
func xForwardedFor(values []string) []string {
	var hops []string
	for _, v := range values {
		for _, h := range strings.Split(v, ",") {
			hops = append(hops, strings.TrimSpace(h))
		}
	}
	return hops
}

// forwardedFor lists the for= parameters of Forwarded headers (RFC 7239
// section 4) in order; nil when there is none. An element without for=
// (or with an obfuscated node) counts as a hop that cannot be parsed.
func forwardedFor(values []string) []string {
	var hops []string
	for _, v := range values {
		for _, elem := range strings.Split(v, ",") {
			var node string
			for _, pair := range strings.Split(elem, ";") {
				k, val, ok := strings.Cut(strings.TrimSpace(pair), "=")
				if ok && strings.EqualFold(k, "for") {
					node = strings.Trim(strings.TrimSpace(val), `"`)
				}
			}
			hops = append(hops, node)
		}
	}
	return hops
}
