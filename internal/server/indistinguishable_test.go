package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"guestlist/internal/servertest"
)

// R25: before a person proves an address, nothing they see depends on
// whether it is invited, has a personal account, or is a member of the
// organization its domain belongs to. Only the domain, which is public,
// may choose the page.

// sameStories reports every step at which story b differs from story a.
func sameStories(t *testing.T, what string, a, b []exchange) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: %d steps against %d", what, len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("%s: step %d differs:\n%+v\n%+v", what, i, a[i], b[i])
		}
	}
}

// passwordStory types addr on the tenant's direct application link,
// opens the password page the domain leads to and submits password.
func passwordStory(t *testing.T, s *servertest.Server, tenantID, appID, addr, password string) []exchange {
	t.Helper()
	p := newProber(s, addr)
	typed := p.do(t, "POST", "/"+tenantID+"/signin", url.Values{"email": {addr}, "app": {appID}})
	return []exchange{typed, p.do(t, "GET", typed.Location, nil),
		p.do(t, "POST", typed.Location, url.Values{"email": {addr}, "password": {password}})}
}

func TestAddressesIndistinguishableBeforeProof(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	fab := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	contoso := s.CreateTenant(t, "Contoso", "contoso.example")
	app := registerApp(t, s, fab, appRedirect)

	const (
		guest        = "gail@example.net" // invited
		nobody       = "nico@example.net" // nothing
		holder       = "hugo@example.net" // a personal account, not invited
		invitedOwner = "ivy@example.net"  // a personal account, invited
	)
	for _, addr := range []string{guest, invitedOwner} {
		assign(t, s, fab, invite(t, s, fab, addr).userID, app.clientID)
	}
	signUp(t, s, holder, goodPassword)
	signUp(t, s, invitedOwner, goodPassword)
	s.Clock.Advance(31 * time.Second) // past the sign-ups' resend wait

	// The direct application link: the address, the Send code page (with
	// its offer of a password instead), Send code, the Enter code page, a
	// made-up code; then the personal-account password page the offer
	// leads to and a wrong password.
	tell := func(addr string) []exchange {
		return story(t, s, fab.ID, addr, func(*prober) url.Values { return url.Values{"app": {app.clientID}} })
	}
	stories := map[string][]exchange{}
	for _, addr := range []string{guest, nobody, holder, invitedOwner} {
		stories[addr] = tell(addr)
	}
	if first := stories[nobody][0]; first.Status != http.StatusSeeOther || !strings.HasSuffix(first.Location, "/signin/passcode") {
		t.Errorf("a typed address of example.net: %d to %q, want the Send code page", first.Status, first.Location)
	}
	for _, addr := range []string{guest, holder, invitedOwner} {
		sameStories(t, "direct link, "+addr+" against an unknown address", stories[nobody], stories[addr])
	}
	personal := func(addr string) []exchange {
		p := newProber(s, addr)
		typed := p.do(t, "POST", "/"+fab.ID+"/signin", url.Values{"email": {addr}, "app": {app.clientID}})
		pw := strings.TrimSuffix(typed.Location, "/signin/passcode") + "/signin/password?as=personal"
		return []exchange{p.do(t, "GET", pw, nil), p.do(t, "POST", pw, url.Values{"email": {addr}, "password": {"not " + goodPassword}})}
	}
	unknown := personal(nobody)
	if unknown[1].Status != http.StatusUnauthorized || !strings.Contains(unknown[1].Body, textWrongPassword) {
		t.Errorf("a password for an address with no personal account: %+v", unknown[1])
	}
	for _, addr := range []string{guest, holder, invitedOwner} {
		sameStories(t, "personal password, "+addr+" against an unknown address", unknown, personal(addr))
	}

	// Only the mailboxes learn the difference.
	s.WaitMail(t, nobody, 1, "Fabrikam has not invited this address.")
	s.WaitMail(t, holder, 1, "Fabrikam has not invited this address.")
	s.WaitMail(t, invitedOwner, 1, "you sign in to Fabrikam with a password")
	waitCode(t, s, guest, 1)

	// Contoso's verified domain leads everyone to Contoso's password
	// page; a member's wrong password and any password of an address
	// that is no member answer alike.
	createMember(t, s, contoso, memberBody("Carol", "carol@contoso.example", bobPassword, false))
	member := passwordStory(t, s, fab.ID, app.clientID, "carol@contoso.example", "not "+bobPassword)
	stranger := passwordStory(t, s, fab.ID, app.clientID, "dan@contoso.example", bobPassword)
	if member[0].Status != http.StatusSeeOther || !strings.HasSuffix(member[0].Location, "/signin/password?as=home") ||
		member[2].Status != http.StatusUnauthorized {
		t.Errorf("a Contoso address: %+v then %d, want Contoso's password page and 401", member[0], member[2].Status)
	}
	sameStories(t, "Contoso member against a non-member", member, stranger)

	// The sign-up form and Contoso's reset form: an address with an
	// account and one without see the same pages.
	s.Clock.Advance(31 * time.Second)
	sameStories(t, "sign-up", newPasswordStory(t, s, "/consumers/signup", holder),
		newPasswordStory(t, s, "/consumers/signup", "new@example.net"))
	sameStories(t, "reset", newPasswordStory(t, s, "/"+contoso.ID+"/password/reset", "carol@contoso.example"),
		newPasswordStory(t, s, "/"+contoso.ID+"/password/reset", "dan@contoso.example"))
	s.WaitMail(t, holder, 1, textAccountExists)
	s.WaitMail(t, "dan@contoso.example", 1, textNoAccount)
	waitCode(t, s, "new@example.net", 1)
	waitCode(t, s, "carol@contoso.example", 1)
}
