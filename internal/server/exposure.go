package server

import (
	"net"
	"net/url"
	"strings"
)

// LoopbackOnly reports whether a server listening on addr and reached at
// baseURL can only be reached from this machine. The dev mailbox shows every
// passcode and invitation link to whoever opens it (R50), so it is only served
// on such a server: an address on all interfaces (":8080", "0.0.0.0:8080") or
// a public base URL (a reverse proxy in front of a loopback listener) means
// others can read it.
func LoopbackOnly(addr, baseURL string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !loopbackHost(host) {
		return false
	}
	u, err := url.Parse(baseURL)
	return err == nil && u.Scheme == "http" && loopbackHost(u.Hostname())
}

func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
