package server_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// exchange is one answer as an onlooker compares it: status, where it
// leads, the cookies it sets (names and attributes, not values), and the
// body with the typed address taken out.
type exchange struct {
	Status   int
	Location string
	Cookies  string
	Body     string
}

// prober is a browser that records every answer it gets.
type prober struct {
	s     *servertest.Server
	c     *http.Client
	email string
}

func newProber(s *servertest.Server, email string) *prober {
	jar, _ := cookiejar.New(nil)
	return &prober{s: s, email: email, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var cookieValueRE = regexp.MustCompile(`=[^;]*`)

func (p *prober) do(t *testing.T, method, path string, form url.Values) exchange {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, p.s.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept-Language", "en")
	resp, err := p.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var cookies []string
	for _, c := range resp.Header.Values("Set-Cookie") {
		cookies = append(cookies, cookieValueRE.ReplaceAllString(c, "=…"))
	}
	sort.Strings(cookies)
	return exchange{Status: resp.StatusCode, Location: resp.Header.Get("Location"),
		Cookies: strings.Join(cookies, "\n"), Body: withoutAddress(string(raw), p.email)}
}

// withoutAddress is body with the typed address taken out, as the page
// writes it in text and in a link's query.
func withoutAddress(body, email string) string {
	return strings.ReplaceAll(strings.ReplaceAll(body, email, "ADDRESS"), url.QueryEscape(email), "ADDRESS")
}

// story is everything a person who types an address sees without access
// to its mailbox: the email-entry step, the Send code page, Send code,
// the Enter code page and a made-up code. form gives the entry step's
// target fields, in the prober's own browser (a sign-in request is bound
// to the browser that opened it).
func story(t *testing.T, s *servertest.Server, tenantID, email string, form func(*prober) url.Values) []exchange {
	t.Helper()
	p := newProber(s, email)
	f := url.Values{"email": {email}}
	for k, v := range form(p) {
		f[k] = v
	}
	base := "/" + tenantID
	return []exchange{
		p.do(t, "POST", base+"/signin", f),
		p.do(t, "GET", base+"/signin/passcode", nil),
		p.do(t, "POST", base+"/signin/passcode", url.Values{}),
		p.do(t, "GET", base+"/signin/code", nil),
		p.do(t, "POST", base+"/signin/code", url.Values{"code": {"12345678"}}),
	}
}

// signinRequest opens an application's authorization request in the
// prober's browser, as an application would send it there, and returns
// the sign-in page's hidden request field.
func (p *prober) signinRequest(t *testing.T, authorizeURL string) url.Values {
	t.Helper()
	u := authorizeURL
	for range 5 {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := p.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); loc != "" {
			next, err := resp.Request.URL.Parse(loc)
			if err != nil {
				t.Fatal(err)
			}
			u = next.String()
			continue
		}
		m := hiddenRE.FindAllStringSubmatch(string(raw), -1)
		if len(m) == 0 {
			t.Fatalf("sign-in page without the request field:\n%.500s", raw)
		}
		return url.Values{m[0][1]: {m[0][2]}}
	}
	t.Fatal("too many redirects before the sign-in page")
	return nil
}

// TestInvitedAddressesCannotBeDiscovered: on a direct application link and
// on an application's sign-in request, an invited address and one nobody
// invited get the same answers at every step short of reading the mail —
// status, redirects, cookies and pages — with email OTP on and off (R7,
// R25). Only the mailbox learns the difference: a code for the guest, a
// note to create a personal account from the invitation when code sign-in
// is off, or a note that the organization has not invited the address.
func TestInvitedAddressesCannotBeDiscovered(t *testing.T) {
	for _, otp := range []string{"enabled", "disabled"} {
		t.Run("otp "+otp, func(t *testing.T) {
			s, tn := newFabrikam(t, servertest.Options{})
			const guest, nobody = "alice@contoso.example", "mallory@contoso.example"
			rp := newRelyingParty(t, s, tn, registerApp(t, s, tn, appRedirect, guest))
			setEmailOTP(t, s, tn, otp)

			for name, form := range map[string]func(*prober) url.Values{
				"direct link":  func(*prober) url.Values { return url.Values{"app": {rp.clientID}} },
				"sign-in page": func(p *prober) url.Values { return p.signinRequest(t, rp.attempt().url) },
			} {
				t.Run(name, func(t *testing.T) {
					a := story(t, s, tn.ID, guest, form)
					b := story(t, s, tn.ID, nobody, form)
					if a[0].Status != http.StatusSeeOther {
						t.Errorf("email-entry step: %d, want 303 to the Send code page", a[0].Status)
					}
					for i := range a {
						if a[i] != b[i] {
							t.Errorf("step %d differs:\ninvited   %+v\nuninvited %+v", i, a[i], b[i])
						}
					}
				})
				s.Clock.Advance(31 * 1e9)
			}

			wantGuest := "Use this code to sign in to Fabrikam"
			if otp == "disabled" { // R26: a pending guest falls to R10 step 6
				wantGuest = "Fabrikam signs you in with a personal account, which this address doesn't have yet."
			}
			for i := 1; i <= 2; i++ {
				s.WaitMail(t, guest, i, wantGuest)
				s.WaitMail(t, nobody, i, "Fabrikam has not invited this address.")
			}
			for _, m := range s.SMTP.Messages() {
				if strings.EqualFold(m.To[0], nobody) && servertest.CodeIn(m) != "" {
					t.Errorf("a code was mailed to an address nobody invited:\n%s", m.TextBody)
				}
				if otp == "disabled" && servertest.CodeIn(m) != "" {
					t.Errorf("a code was mailed with OTP off:\n%s", m.TextBody)
				}
			}
		})
	}
}
