package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/mail/smtptest"
	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

// What a guest reads on the pages (internal/i18n/locales/en.json), as
// html/template writes it.
const (
	textWrong     = "That code didn&#39;t work."
	textExpired   = "That code has expired or has been used too many times."
	textMalformed = "Enter the 8-digit code from the email."
	textResent    = "We sent the code again."
	textNewSent   = "We sent you a new code. Earlier codes keep working until they expire."
	textTooMany   = "You have asked for too many codes. Use the latest code we sent you"
	textBadLink   = "This link is not valid."
	textNoFlow    = "Your sign-in took too long or was started in another browser."
	textOTPOff    = "Signing in with a one-time code is turned off for Fabrikam."
	textRedeemed  = "Invitation already accepted"
	redirectURL   = "https://app.example/welcome"
)

// newFabrikam starts a server with the Fabrikam tenant (verified domain
// fabrikam.example).
func newFabrikam(t *testing.T, o servertest.Options) (*servertest.Server, servertest.Tenant) {
	t.Helper()
	s := servertest.New(t, o)
	return s, s.CreateTenant(t, "Fabrikam", "fabrikam.example")
}

// withConfig is Options that change the server configuration.
func withConfig(f func(*server.Config)) servertest.Options {
	return servertest.Options{Config: f}
}

type invitation struct {
	email, link, userID string
}

// invite invites email into tn (no invitation mail, so the only mail the
// address gets are passcodes).
func invite(t *testing.T, s *servertest.Server, tn servertest.Tenant, email string) invitation {
	t.Helper()
	inv := s.Invite(t, tn, email, nil)
	return invitation{
		email:  email,
		link:   inv["inviteRedeemUrl"].(string),
		userID: inv["invitedUser"].(map[string]any)["id"].(string),
	}
}

// openLink opens a redeem link in g, checks that it leads to the Send code
// page and returns the "/{tenant}" base of the guest pages.
func openLink(t testing.TB, g *servertest.Guest, link string) string {
	t.Helper()
	opened := g.Get(t, link)
	if opened.Status != http.StatusSeeOther || !strings.HasSuffix(opened.Location, "/signin/passcode") {
		t.Fatalf("open link: %d to %q, want the Send code page\n%.300s", opened.Status, opened.Location, opened.Body)
	}
	start := g.Follow(t, opened)
	if start.Status != http.StatusOK || !strings.Contains(start.Body, `id="send"`) {
		t.Fatalf("redeem link: expected the Send code page, got %d:\n%.500s", start.Status, start.Body)
	}
	return servertest.TenantBase(opened.Location)
}

// pressSend presses Send code on the start page (resend=false) or "Send a
// new code" on the Enter code page (resend=true).
func pressSend(t testing.TB, g *servertest.Guest, base string, resend bool) servertest.Page {
	t.Helper()
	u := base + "/signin/passcode"
	if resend {
		u += "?from=code"
	}
	return g.Post(t, u, url.Values{})
}

// mustSend presses a Send button that must work and returns the Enter code
// page it leads to.
func mustSend(t testing.TB, g *servertest.Guest, base string, resend bool) servertest.Page {
	t.Helper()
	sent := pressSend(t, g, base, resend)
	if sent.Status != http.StatusSeeOther || !strings.Contains(sent.Location, "/signin/code") {
		t.Fatalf("send code: %d to %q\n%.500s", sent.Status, sent.Location, sent.Body)
	}
	page := g.Follow(t, sent)
	if page.Status != http.StatusOK || !strings.Contains(page.Body, `name="code"`) {
		t.Fatalf("after Send code: %d, want the Enter code page\n%.500s", page.Status, page.Body)
	}
	return page
}

// enter submits code on the Enter code page.
func enter(t testing.TB, g *servertest.Guest, base, code string) servertest.Page {
	t.Helper()
	return g.Post(t, base+"/signin/code", url.Values{"code": {code}})
}

// wantRefused checks that a code was refused with the given message.
func wantRefused(t testing.TB, p servertest.Page, status int, text string) {
	t.Helper()
	if p.Status != status || !strings.Contains(p.Body, text) {
		t.Fatalf("got %d (to %q), want %d with %q\n%.800s", p.Status, p.Location, status, text, p.Body)
	}
}

// wantConsentNext checks that a code was accepted for a first redemption.
func wantConsentNext(t testing.TB, p servertest.Page, base string) {
	t.Helper()
	if p.Status != http.StatusSeeOther || p.Location != base+"/signin/consent" {
		t.Fatalf("code: %d to %q, want it accepted (303 to %s/signin/consent)\n%.500s", p.Status, p.Location, base, p.Body)
	}
}

// waitCode waits for the n-th passcode mail to email and returns its code.
// Unlike servertest.WaitCode it counts a message once however often it
// arrives: the outbox delivers at least once (R52), and a test that moves
// the clock past a lease while a send is in flight may see it twice.
func waitCode(t testing.TB, s *servertest.Server, email string, n int) string {
	t.Helper()
	return servertest.CodeIn(waitMail(t, s, email, n))
}

// waitMail waits for the n-th distinct passcode mail to email.
func waitMail(t testing.TB, s *servertest.Server, email string, n int) smtptest.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	seen := map[string]bool{}
	m, err := s.SMTP.WaitFor(ctx, func(m smtptest.Message) bool {
		if !slices.ContainsFunc(m.To, func(to string) bool { return strings.EqualFold(to, email) }) ||
			servertest.CodeIn(m) == "" || seen[m.MessageID()] {
			return false
		}
		seen[m.MessageID()] = true
		return len(seen) == n
	})
	if err != nil {
		t.Fatalf("passcode mail #%d to %s: %v", n, email, err)
	}
	return m
}

// codesMailed counts the passcode mails the server has queued for email
// (sent or not): the outbox is written in the transaction that issues the
// code, so it answers "was anything mailed?" without waiting.
func codesMailed(t testing.TB, s *servertest.Server, email string) int {
	t.Helper()
	msgs, err := s.App.Store.ListMail(t.Context(), 0)
	if err != nil {
		t.Fatalf("outbox: %v", err)
	}
	n := 0
	for _, m := range msgs {
		for _, to := range m.To {
			if m.Kind == core.MailPasscode && strings.EqualFold(to, email) {
				n++
			}
		}
	}
	return n
}

// userProps selects every user property the tests read: GET /users
// without $select answers Graph's default set only (SPEC R41).
const userProps = "$select=id,displayName,mail,userPrincipalName,userType,externalUserState," +
	"externalUserStateChangeDateTime,creationType,createdDateTime,identities,signInActivity,accountEnabled," +
	"preferredLanguage,givenName,surname,jobTitle,officeLocation,mobilePhone,businessPhones"

// user reads the guest's user object as an administrator would.
func user(t testing.TB, s *servertest.Server, tn servertest.Tenant, id string) map[string]any {
	t.Helper()
	status, u := s.Do(t, "GET", "/v1.0/users/"+id+"?"+userProps, tn.Token, nil)
	if status != http.StatusOK {
		t.Fatalf("GET user %s: %d %v", id, status, u)
	}
	return u
}

// wantOneMailIdentity checks that the user redeemed exactly once, with the
// email one-time passcode.
func wantOneMailIdentity(t testing.TB, u map[string]any, email string) {
	t.Helper()
	ids, _ := u["identities"].([]any)
	want := map[string]any{"signInType": "federated", "issuer": "mail", "issuerAssignedId": email}
	if u["externalUserState"] != "Accepted" || len(ids) != 1 || !sameMap(ids[0].(map[string]any), want) {
		t.Fatalf("user %v: state %v, identities %v; want Accepted with exactly [%v]", u["id"], u["externalUserState"], ids, want)
	}
}

// nthWrong is a wrong code: code with digit i%len changed.
func nthWrong(code string, i int) string {
	b := []byte(code)
	j := i % len(b)
	b[j] = '0' + (b[j]-'0'+1)%10
	return string(b)
}

// goroutineTB lets servertest helpers run in a goroutine other than the
// test's: a fatal failure is reported and ends only that goroutine.
type goroutineTB struct{ testing.TB }

func (g goroutineTB) Fatal(args ...any) { g.Error(args...); runtime.Goexit() }
func (g goroutineTB) Fatalf(format string, args ...any) {
	g.Errorf(format, args...)
	runtime.Goexit()
}
func (g goroutineTB) FailNow() { g.Fail(); runtime.Goexit() }

// TestFiveWrongCodesVoidTheCode: after 5 wrong attempts even the right code
// is refused, and "Send a new code" issues a different code that works
// (R23).
func TestFiveWrongCodesVoidTheCode(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	inv := invite(t, s, tn, "bob@contoso.com")
	g := s.NewGuest("en")
	base := openLink(t, g, inv.link)
	mustSend(t, g, base, false)
	code := waitCode(t, s, inv.email, 1)

	for i := range 5 {
		wantRefused(t, enter(t, g, base, nthWrong(code, i)), http.StatusBadRequest, textWrong)
	}
	wantRefused(t, enter(t, g, base, code), http.StatusBadRequest, textExpired)

	s.Clock.Advance(30 * time.Second) // the resend throttle
	page := mustSend(t, g, base, true)
	if !strings.Contains(page.Body, textNewSent) {
		t.Errorf("after Send a new code the page does not say a new code was sent:\n%s", page.Body)
	}
	fresh := waitCode(t, s, inv.email, 2)
	if fresh == code {
		t.Fatalf("Send a new code mailed the void code %s again", code)
	}
	wantRefused(t, enter(t, g, base, code), http.StatusBadRequest, textWrong)
	wantConsentNext(t, enter(t, g, base, fresh), base)
}

// TestPasscodeExpiry: a code works until its lifetime is over and not a
// second later; --passcode-ttl sets the lifetime, and the mail and the page
// say how long it is (R22).
func TestPasscodeExpiry(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		ttl   time.Duration // configured; 0 = default
		after time.Duration // time between Send code and entering it
		works bool
	}{
		{"default 29m59s", 0, 30*time.Minute - time.Second, true},
		{"default 30m1s", 0, 30*time.Minute + time.Second, false},
		{"ttl 5m 4m59s", 5 * time.Minute, 5*time.Minute - time.Second, true},
		{"ttl 5m 5m1s", 5 * time.Minute, 5*time.Minute + time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, tn := newFabrikam(t, withConfig(func(c *server.Config) { c.PasscodeTTL = tc.ttl }))
			minutes := 30
			if tc.ttl != 0 {
				minutes = int(tc.ttl.Minutes())
			}
			inv := invite(t, s, tn, "carol@contoso.com")
			g := s.NewGuest("en")
			base := openLink(t, g, inv.link)
			page := mustSend(t, g, base, false)
			if want := fmt.Sprintf("The code is valid for %d minutes.", minutes); !strings.Contains(page.Body, want) {
				t.Errorf("Enter code page does not say %q:\n%s", want, page.Body)
			}
			m := waitMail(t, s, inv.email, 1)
			if want := fmt.Sprintf("valid for %d minutes", minutes); !strings.Contains(m.TextBody, want) {
				t.Errorf("passcode mail does not say %q:\n%s", want, m.TextBody)
			}
			code := servertest.CodeIn(m)

			s.Clock.Advance(tc.after)
			p := enter(t, g, base, code)
			if tc.works {
				wantConsentNext(t, p, base)
			} else {
				wantRefused(t, p, http.StatusBadRequest, textExpired)
			}
		})
	}
}

// TestResendTooSoon: a second Send within 30 s is refused with a page that
// says how long to wait, and nothing is mailed; once the wait is over the
// send goes through (R23).
func TestResendTooSoon(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		resend bool   // from the Enter code page, else from the start page
		page   string // what identifies the page the refusal is shown on
	}{
		{"from the start page", false, `id="send"`},
		{"from the Enter code page", true, `name="code"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, tn := newFabrikam(t, servertest.Options{})
			inv := invite(t, s, tn, "dave@contoso.com")
			g := s.NewGuest("en")
			base := openLink(t, g, inv.link)
			mustSend(t, g, base, false)

			s.Clock.Advance(10 * time.Second)
			p := pressSend(t, g, base, tc.resend)
			wantRefused(t, p, http.StatusTooManyRequests, "Please wait 20 seconds before asking for another code.")
			if !strings.Contains(p.Body, tc.page) {
				t.Errorf("the refusal is not shown on the page it came from (%s):\n%s", tc.page, p.Body)
			}
			if n := codesMailed(t, s, inv.email); n != 1 {
				t.Fatalf("%d passcode mails after a refused send, want 1", n)
			}

			s.Clock.Advance(20 * time.Second)
			mustSend(t, g, base, tc.resend)
			if n := codesMailed(t, s, inv.email); n != 2 {
				t.Fatalf("%d passcode mails after the wait, want 2", n)
			}
		})
	}
}

// TestResendSameOrNewCode: a resend while the code has at least 10 minutes
// left mails the same code; later it mails a new one and the old one keeps
// working until it expires (R23). A used code ends the flow, so each code
// is tried in a flow of its own.
func TestResendSameOrNewCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		after  time.Duration // from the first send to the resend
		same   bool
		useOld bool // enter the first code (else the second)
	}{
		{"30s later same code", 30 * time.Second, true, false},
		{"10m left same code", 20 * time.Minute, true, false},
		{"under 10m left new code works", 20*time.Minute + time.Second, false, false},
		{"under 10m left old code still works", 20*time.Minute + time.Second, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, tn := newFabrikam(t, servertest.Options{})
			inv := invite(t, s, tn, "erin@contoso.com")
			g := s.NewGuest("en")
			base := openLink(t, g, inv.link)
			mustSend(t, g, base, false)
			first := waitCode(t, s, inv.email, 1)

			s.Clock.Advance(tc.after)
			page := mustSend(t, g, base, true)
			second := waitCode(t, s, inv.email, 2)
			notice := textNewSent
			if tc.same {
				notice = textResent
			}
			if !strings.Contains(page.Body, notice) {
				t.Errorf("Enter code page after the resend does not say %q:\n%s", notice, page.Body)
			}
			if got := second == first; got != tc.same {
				t.Fatalf("second mail's code %s, first %s: same = %v, want %v", second, first, got, tc.same)
			}
			use := second
			if tc.useOld {
				use = first
			}
			wantConsentNext(t, enter(t, g, base, use), base)
		})
	}
}

// TestResendHourlyLimit: one client gets 5 mails an hour for an address,
// in any of its browsers; the 6th send is refused, says to use the latest
// code or wait, and mails nothing, while the code already mailed still
// works; an hour later codes flow again (R23).
func TestResendHourlyLimit(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	inv := invite(t, s, tn, "frank@contoso.com")
	g := s.NewGuest("en")
	base := openLink(t, g, inv.link)
	mustSend(t, g, base, false)
	for range 4 {
		s.Clock.Advance(31 * time.Second)
		mustSend(t, g, base, true)
	}
	code := waitCode(t, s, inv.email, 5)

	s.Clock.Advance(31 * time.Second)
	p := pressSend(t, g, base, true)
	wantRefused(t, p, http.StatusTooManyRequests, textTooMany)
	if !strings.Contains(p.Body, "try again in 58 minutes") {
		t.Errorf("the refusal does not say how long to wait (the first send leaves the window in 58 minutes):\n%s", p.Body)
	}
	other := s.NewGuest("en") // a fresh browser of the same client: the limit is per client, not per flow
	wantRefused(t, pressSend(t, other, openLink(t, other, inv.link), false), http.StatusTooManyRequests, textTooMany)
	if n := codesMailed(t, s, inv.email); n != 5 {
		t.Fatalf("%d passcode mails, want 5", n)
	}
	wantConsentNext(t, enter(t, g, base, code), base)

	s.Clock.Advance(time.Hour)
	later := s.NewGuest("en")
	lb := openLink(t, later, inv.link)
	mustSend(t, later, lb, false)
	wantConsentNext(t, enter(t, later, lb, waitCode(t, s, inv.email, 6)), lb)
}

// TestResendKeepsAttemptBudget: 3 wrong attempts, a resend of the same code
// and 2 more wrong attempts void the code (R23: resends never reset the
// attempt budget).
func TestResendKeepsAttemptBudget(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	inv := invite(t, s, tn, "grace@contoso.com")
	g := s.NewGuest("en")
	base := openLink(t, g, inv.link)
	mustSend(t, g, base, false)
	code := waitCode(t, s, inv.email, 1)
	for i := range 3 {
		wantRefused(t, enter(t, g, base, nthWrong(code, i)), http.StatusBadRequest, textWrong)
	}
	s.Clock.Advance(30 * time.Second)
	mustSend(t, g, base, true)
	if again := waitCode(t, s, inv.email, 2); again != code {
		t.Fatalf("resend with 29m left mailed %s, want the same code %s", again, code)
	}
	for i := 3; i < 5; i++ {
		wantRefused(t, enter(t, g, base, nthWrong(code, i)), http.StatusBadRequest, textWrong)
	}
	wantRefused(t, enter(t, g, base, code), http.StatusBadRequest, textExpired)
}

// TestCodeBoundToItsBrowser: a code works only in the sign-in flow that
// asked for it, not in another browser's flow for the same invitation
// (R22).
func TestCodeBoundToItsBrowser(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	inv := invite(t, s, tn, "heidi@contoso.com")
	a, b := s.NewGuest("en"), s.NewGuest("en")
	baseA := openLink(t, a, inv.link)
	baseB := openLink(t, b, inv.link)
	mustSend(t, a, baseA, false)
	codeA := waitCode(t, s, inv.email, 1)
	s.Clock.Advance(30 * time.Second)
	mustSend(t, b, baseB, false)
	codeB := waitCode(t, s, inv.email, 2)
	if codeA == codeB {
		t.Fatalf("both browsers were mailed code %s", codeA)
	}

	wantRefused(t, enter(t, b, baseB, codeA), http.StatusBadRequest, textWrong)
	wantConsentNext(t, enter(t, a, baseA, codeA), baseA)
	wantConsentNext(t, enter(t, b, baseB, codeB), baseB)
}
