package servertest

import (
	"net/http"
	"net/url"
)

// Cookies are the cookies g would send to the server.
func (g *Guest) Cookies() []*http.Cookie {
	u, _ := url.Parse(g.s.URL + "/")
	return g.client.Jar.Cookies(u)
}

// PlantCookies puts a copy of from's cookies into g's jar, as an attacker
// who planted or stole them would hold them.
func (g *Guest) PlantCookies(from *Guest) {
	u, _ := url.Parse(g.s.URL + "/")
	var planted []*http.Cookie
	for _, c := range from.Cookies() {
		planted = append(planted, &http.Cookie{Name: c.Name, Value: c.Value, Path: "/"})
	}
	g.client.Jar.SetCookies(u, planted)
}
