package server_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"guestlist/internal/servertest"
)

// The admin console (R43) from the outside: real HTTP against a real
// server, a cookie jar per administrator, every change checked in what
// Graph shows afterwards.

const adminPassword = "xWwvJ]6NMw+bWH-d"

// consoleAdmin is a member of tn holding role, and a browser.
type consoleAdmin struct {
	id, mail string
	s        *servertest.Server
	b        *servertest.Guest
	prefix   string // "/{tenant}/admin"
	// secret is the key of the authenticator app the administrator set
	// up at their first sign-in (their role requires one), recovery the
	// recovery codes they were shown.
	secret   string
	recovery []string
}

// newConsoleAdmin creates the member nick@fabrikam.example with role ("" for
// none) through Graph and returns them with a fresh browser (not signed in).
func newConsoleAdmin(t *testing.T, s *servertest.Server, tn servertest.Tenant, nick, role string) *consoleAdmin {
	t.Helper()
	mail := nick + "@fabrikam.example"
	var u struct {
		ID string `json:"id"`
	}
	wantAPI(t, "create member "+nick, s.DoJSON(t, "POST", "/v1.0/users", tn.Token,
		memberBody(nick, mail, adminPassword, false), &u), http.StatusCreated)
	if role != "" {
		assignRole(t, s, tn, role, u.ID)
	}
	return &consoleAdmin{id: u.ID, mail: mail, s: s, b: s.NewGuest("en"), prefix: "/" + tn.ID + "/admin"}
}

// browser is the same administrator in another browser.
func (a *consoleAdmin) browser() *consoleAdmin {
	b := *a
	b.b = a.s.NewGuest("en")
	return &b
}

var (
	totpKeyRE  = regexp.MustCompile(`<code id="secret">([A-Z2-7]+)</code>`)
	recoveryRE = regexp.MustCompile(`<li>([^<]+)</li>`)
)

// code is the administrator's authenticator app's code now. The clock
// moves to the next 30-second step first: a code is accepted once (RFC
// 6238 section 5.2), and a test signs in more often than that.
func (a *consoleAdmin) code(t *testing.T) string {
	t.Helper()
	a.s.Clock.Advance(30 * time.Second)
	code, err := totp.GenerateCode(a.secret, a.s.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// secondFactor completes a sign-in that asks for the second factor:
// enrolling the app at the first sign-in (the role requires it), or
// entering its code.
func (a *consoleAdmin) secondFactor(t *testing.T, p servertest.Page) servertest.Page {
	t.Helper()
	step := a.b.Follow(t, p)
	if step.Status == http.StatusSeeOther && strings.Contains(step.Location, "/signin/enrol") {
		enrol := a.b.Follow(t, step)
		m := totpKeyRE.FindStringSubmatch(enrol.Body)
		if enrol.Status != http.StatusOK || m == nil {
			t.Fatalf("enrol page: %d\n%.800s", enrol.Status, enrol.Body)
		}
		a.secret = m[1]
		code, err := totp.GenerateCode(a.secret, a.s.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		next := regexp.MustCompile(`name="next" value="([^"]*)"`).FindStringSubmatch(enrol.Body)[1]
		done := a.b.Post(t, a.prefix+"/signin/enrol", url.Values{"csrf": {csrf(t, enrol)}, "code": {code},
			"next": {html.UnescapeString(next)}})
		if done.Status != http.StatusOK || !strings.Contains(done.Body, `id="recovery-codes"`) {
			t.Fatalf("enrol: %d\n%.800s", done.Status, done.Body)
		}
		a.recovery = nil
		for _, m := range recoveryRE.FindAllStringSubmatch(done.Body, -1) {
			if !regexp.MustCompile(`^[A-Z2-7]{5}-[A-Z2-7]{5}$`).MatchString(m[1]) {
				t.Fatalf("recovery code shown as %q", m[1])
			}
			a.recovery = append(a.recovery, m[1])
		}
		cont := regexp.MustCompile(`id="continue" href="([^"]+)"`).FindStringSubmatch(done.Body)
		return a.b.Get(t, html.UnescapeString(cont[1]))
	}
	if step.Status != http.StatusOK || !strings.Contains(step.Body, `id="verify"`) {
		t.Fatalf("second factor: %d to %q\n%.800s", step.Status, step.Location, step.Body)
	}
	next := regexp.MustCompile(`name="next" value="([^"]*)"`).FindStringSubmatch(step.Body)[1]
	done := a.b.Post(t, a.prefix+"/signin/verify", url.Values{"csrf": {csrf(t, step)}, "code": {a.code(t)},
		"next": {html.UnescapeString(next)}})
	if done.Status != http.StatusSeeOther {
		t.Fatalf("verify: %d\n%.800s", done.Status, done.Body)
	}
	return a.b.Follow(t, done)
}

// signIn signs the administrator in and returns the page they land on.
func (a *consoleAdmin) signIn(t *testing.T) servertest.Page {
	t.Helper()
	p := a.b.Post(t, a.prefix+"/signin", url.Values{"email": {a.mail}, "password": {adminPassword}})
	if p.Status != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d\n%.500s", a.mail, p.Status, p.Body)
	}
	if strings.Contains(p.Location, "/signin/verify") {
		return a.secondFactor(t, p)
	}
	return a.b.Follow(t, p)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the CSRF token of a console page.
func csrf(t *testing.T, p servertest.Page) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no CSRF token on the page (%d)\n%.500s", p.Status, p.Body)
	}
	return m[1]
}

// act confirms action on the guest's page as the administrator would:
// open the confirmation, then post its form.
func (a *consoleAdmin) act(t *testing.T, guestID, action string, extra url.Values) servertest.Page {
	t.Helper()
	confirm := a.b.Get(t, a.prefix+"/guests/"+guestID+"/"+action)
	if confirm.Status != http.StatusOK {
		t.Fatalf("confirm %s: %d\n%.500s", action, confirm.Status, confirm.Body)
	}
	form := url.Values{"csrf": {csrf(t, confirm)}}
	for k, v := range extra {
		form[k] = v
	}
	return a.b.Post(t, a.prefix+"/guests/"+guestID+"/"+action, form)
}

// guestRow is the list row of the guest with mail, "" if not listed.
func guestRow(body, mail string) string {
	for _, tr := range strings.Split(body, "<tr>") {
		if strings.Contains(tr, "<td>"+mail+"</td>") {
			return tr
		}
	}
	return ""
}

func wantStatus(t *testing.T, what string, p servertest.Page, status int) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: %d, want %d (to %q)\n%.800s", what, p.Status, status, p.Location, p.Body)
	}
}

// TestConsoleStory: an administrator invites a guest from the console,
// sees them arrive with Source OTP, blocks them, resets their redemption
// and finds each step in the audit log under their own name.
func TestConsoleStory(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	admin := newConsoleAdmin(t, s, fab, "ada", globalAdmin)

	// Not signed in: the console sends the browser to its sign-in page and
	// back to where it was going.
	first := admin.b.Get(t, admin.prefix+"/guests?state=pending")
	wantStatus(t, "signed out", first, http.StatusSeeOther)
	if want := admin.prefix + "/signin?next=" + url.QueryEscape(admin.prefix+"/guests?state=pending"); first.Location != want {
		t.Fatalf("signed out: to %q, want %q", first.Location, want)
	}
	form := admin.b.Follow(t, first)
	wantStatus(t, "sign-in page", form, http.StatusOK)
	in := admin.b.Post(t, admin.prefix+"/signin", url.Values{"email": {admin.mail}, "password": {adminPassword},
		"next": {admin.prefix + "/guests?state=pending"}})
	if in.Status != http.StatusSeeOther || !strings.HasPrefix(in.Location, admin.prefix+"/signin/verify?") {
		t.Fatalf("sign in: %d to %q, want the second factor", in.Status, in.Location)
	}
	// A Global Administrator must set up an authenticator app first; no
	// console page opens before.
	wantStatus(t, "before the second factor", admin.b.Get(t, admin.prefix+"/guests"), http.StatusSeeOther)
	if landed := admin.secondFactor(t, in); !strings.Contains(landed.Body, `id="q"`) {
		t.Fatalf("after the second factor: %d\n%.500s", landed.Status, landed.Body)
	}
	if len(admin.recovery) != 10 {
		t.Errorf("%d recovery codes shown, want 10", len(admin.recovery))
	}

	// Invite, after asking which method the address would get.
	page := admin.b.Get(t, admin.prefix+"/invite")
	wantStatus(t, "invite page", page, http.StatusOK)
	token := csrf(t, page)
	check := admin.b.Post(t, admin.prefix+"/invite", url.Values{"csrf": {token}, "check": {"1"},
		"email": {"greta@contoso.example"}})
	wantStatus(t, "explainer", check, http.StatusOK)
	if !strings.Contains(check.Body, "greta@contoso.example would sign in with: an email one-time passcode.") {
		t.Fatalf("explainer:\n%.2000s", check.Body)
	}
	sent := admin.b.Post(t, admin.prefix+"/invite", url.Values{"csrf": {token}, "email": {"greta@contoso.example"},
		"name": {"Greta Garbo"}, "redirect": {"https://app.example/"}, "send": {"1"}, "message": {"Welcome aboard"}})
	wantStatus(t, "invite", sent, http.StatusOK)
	if !strings.Contains(sent.Body, "The invitation is on its way to greta@contoso.example.") {
		t.Fatalf("invite:\n%.1500s", sent.Body)
	}
	mail := s.WaitMail(t, "greta@contoso.example", 1, "")
	link := regexp.MustCompile(`http://[^\s"<>]+/redeem\?[^\s"<>]+`).FindString(mail.TextBody)
	if link == "" || !strings.Contains(mail.TextBody, "Welcome aboard") {
		t.Fatalf("invitation mail:\n%s", mail.TextBody)
	}
	list := admin.b.Get(t, admin.prefix+"/guests")
	row := guestRow(list.Body, "greta@contoso.example")
	if !strings.Contains(row, "Invited user") || !strings.Contains(row, "Pending acceptance") {
		t.Fatalf("before redemption the row is %q", row)
	}
	guestID := regexp.MustCompile(`/guests/([0-9a-f-]{36})"`).FindStringSubmatch(row)[1]

	// The guest redeems in their own browser.
	g := s.NewGuest("en")
	base := openLink(t, g, html.UnescapeString(link))
	mustSend(t, g, base, false)
	wantConsentNext(t, enter(t, g, base, waitCode(t, s, "greta@contoso.example", 1)), base)
	accepted := g.Post(t, base+"/signin/consent", url.Values{"action": {"accept"}})
	wantStatus(t, "consent", accepted, http.StatusSeeOther)

	otp := admin.b.Get(t, admin.prefix+"/guests?source=otp")
	if row := guestRow(otp.Body, "greta@contoso.example"); !strings.Contains(row, "<td>OTP</td>") || !strings.Contains(row, "Accepted") {
		t.Fatalf("after redemption, filtered by OTP, the row is %q", row)
	}
	if guestRow(admin.b.Get(t, admin.prefix+"/guests?source=invited").Body, "greta@contoso.example") != "" {
		t.Error("a redeemed guest is listed as an invited user")
	}
	detail := admin.b.Get(t, admin.prefix+"/guests/"+guestID)
	for _, want := range []string{"Greta Garbo", "<td class=\"mono\">mail</td>", "delivered to the mail server", "Reset redemption status", "Block sign-in"} {
		if !strings.Contains(detail.Body, want) {
			t.Errorf("guest page lacks %q", want)
		}
	}

	// Block: Graph shows accountEnabled false, the list shows it.
	blocked := admin.act(t, guestID, "block", nil)
	if blocked.Status != http.StatusSeeOther || blocked.Location != admin.prefix+"/guests/"+guestID+"?done=block" {
		t.Fatalf("block: %d to %q", blocked.Status, blocked.Location)
	}
	var u struct {
		AccountEnabled    bool   `json:"accountEnabled"`
		ExternalUserState string `json:"externalUserState"`
		Mail              string `json:"mail"`
	}
	wantAPI(t, "read guest", s.DoJSON(t, "GET", "/v1.0/users/"+guestID+"?$select=accountEnabled,externalUserState,mail", fab.Token, nil, &u), http.StatusOK)
	if u.AccountEnabled {
		t.Error("after Block sign-in, Graph shows accountEnabled true")
	}
	if row := guestRow(admin.b.Get(t, admin.prefix+"/guests?state=blocked").Body, "greta@contoso.example"); !strings.Contains(row, "Sign-in blocked") {
		t.Errorf("blocked filter row %q", row)
	}

	// Reset redemption to a new address, mailed.
	reset := admin.act(t, guestID, "reset", url.Values{"email": {"greta@newco.example"}, "send": {"1"}})
	wantStatus(t, "reset", reset, http.StatusSeeOther)
	wantAPI(t, "read guest", s.DoJSON(t, "GET", "/v1.0/users/"+guestID+"?$select=accountEnabled,externalUserState,mail", fab.Token, nil, &u), http.StatusOK)
	if u.ExternalUserState != "PendingAcceptance" || u.Mail != "greta@newco.example" {
		t.Errorf("after reset Graph shows %+v", u)
	}
	s.WaitMail(t, "greta@newco.example", 1, "")

	// Every step is in the audit log, initiated by the administrator.
	var mine []string
	for _, a := range audits(t, s, fab, filter("initiatedBy/user/id eq '"+admin.id+"'")) {
		mine = append(mine, a.ActivityDisplayName)
	}
	for _, want := range []string{"Invite external user", "Disable account", "Reset user redemption"} {
		if !slices.Contains(mine, want) {
			t.Errorf("audit log by the administrator: %q lacks %q", mine, want)
		}
	}
}

// TestConsoleRoles: each page and action checks the role on the server,
// whatever buttons a page shows.
func TestConsoleRoles(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	inviter := newConsoleAdmin(t, s, fab, "ivan", guestInv)
	users := newConsoleAdmin(t, s, fab, "ulla", userAdmin)
	nobody := newConsoleAdmin(t, s, fab, "nora", "")
	guest := invite(t, s, fab, "greta@contoso.example")

	// A member without a role gets nothing, with a reason.
	in := nobody.b.Post(t, nobody.prefix+"/signin", url.Values{"email": {nobody.mail}, "password": {adminPassword}})
	wantStatus(t, "member without a role", in, http.StatusForbidden)
	if !strings.Contains(in.Body, "don&#39;t hold an administrator role") {
		t.Errorf("no-role page:\n%.500s", in.Body)
	}
	if p := nobody.b.Get(t, nobody.prefix+"/guests"); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "/signin") {
		t.Errorf("member without a role reaches the list: %d to %q", p.Status, p.Location)
	}

	// The Guest Inviter sees and invites guests, and nothing more: the
	// block and delete actions are refused when posted directly.
	list := inviter.signIn(t)
	wantStatus(t, "inviter's list", list, http.StatusOK)
	if !strings.Contains(list.Body, "greta@contoso.example") {
		t.Error("the Guest Inviter does not see the guest")
	}
	token := csrf(t, list)
	for _, action := range []string{"block", "delete", "reset"} {
		p := inviter.b.Post(t, inviter.prefix+"/guests/"+guest.userID+"/"+action, url.Values{"csrf": {token}})
		wantStatus(t, "Guest Inviter posts "+action, p, http.StatusForbidden)
		if g := inviter.b.Get(t, inviter.prefix+"/guests/"+guest.userID+"/"+action); g.Status != http.StatusForbidden {
			t.Errorf("Guest Inviter opens %s: %d", action, g.Status)
		}
	}
	detail := inviter.b.Get(t, inviter.prefix+"/guests/"+guest.userID)
	if strings.Contains(detail.Body, "Delete guest") || strings.Contains(detail.Body, "Block sign-in") || !strings.Contains(detail.Body, "Revoke invitation") {
		t.Errorf("the Guest Inviter's guest page offers the wrong actions:\n%.3000s", detail.Body)
	}
	var u struct {
		AccountEnabled bool `json:"accountEnabled"`
	}
	wantAPI(t, "guest still there", s.DoJSON(t, "GET", "/v1.0/users/"+guest.userID+"?$select=accountEnabled", fab.Token, nil, &u), http.StatusOK)
	if !u.AccountEnabled {
		t.Error("the Guest Inviter's refused block blocked the guest")
	}

	// The User Administrator may block and delete.
	users.signIn(t)
	wantStatus(t, "User Administrator blocks", users.act(t, guest.userID, "block", nil), http.StatusSeeOther)
	wantStatus(t, "User Administrator deletes", users.act(t, guest.userID, "delete", nil), http.StatusSeeOther)
	wantAPI(t, "deleted guest", s.DoJSON(t, "GET", "/v1.0/users/"+guest.userID, fab.Token, nil, nil), http.StatusNotFound)

	// Losing the role ends the console for the member at once.
	var ra roleAssignmentPage
	wantAPI(t, "inviter's assignment", s.DoJSON(t, "GET", roleAssignmentsURL+"?$filter="+url.QueryEscape("principalId eq '"+inviter.id+"'"), fab.Token, nil, &ra), http.StatusOK)
	wantAPI(t, "remove the role", s.DoJSON(t, "DELETE", roleAssignmentsURL+"/"+ra.Value[0].ID, fab.Token, nil, nil), http.StatusNoContent)
	wantStatus(t, "after losing the role", inviter.b.Get(t, inviter.prefix+"/guests"), http.StatusForbidden)
}

// TestConsoleTenantsApart: an administrator of one tenant sees nothing of
// another, neither with their cookie nor by naming the other's guests.
func TestConsoleTenantsApart(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	contoso := s.CreateTenant(t, "Contoso", "contoso.example")
	admin := newConsoleAdmin(t, s, fab, "ada", globalAdmin)
	other := invite(t, s, contoso, "otto@example.org")
	admin.signIn(t)

	p := admin.b.Get(t, "/"+contoso.ID+"/admin/guests")
	if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/"+contoso.ID+"/admin/signin") {
		t.Errorf("Fabrikam's admin at Contoso's console: %d to %q", p.Status, p.Location)
	}
	// The cookie named for Contoso, carrying Fabrikam's session, is no
	// session there either.
	var token string
	for _, c := range admin.b.Cookies() {
		if c.Name == "gl-admin-"+fab.ID {
			token = c.Value
		}
	}
	forged := s.NewGuest("en")
	forged.Header.Set("Cookie", "gl-admin-"+contoso.ID+"="+token)
	if p := forged.Get(t, "/"+contoso.ID+"/admin/guests"); p.Status != http.StatusSeeOther {
		t.Errorf("Fabrikam's session under Contoso's cookie name: %d", p.Status)
	}
	// Contoso's guest under Fabrikam's console is not found.
	wantStatus(t, "other tenant's guest", admin.b.Get(t, admin.prefix+"/guests/"+other.userID), http.StatusNotFound)
	page := admin.b.Get(t, admin.prefix+"/guests")
	wantStatus(t, "delete other tenant's guest", admin.b.Post(t, admin.prefix+"/guests/"+other.userID+"/delete",
		url.Values{"csrf": {csrf(t, page)}}), http.StatusNotFound)
	wantAPI(t, "Contoso's guest", s.DoJSON(t, "GET", "/v1.0/users/"+other.userID, contoso.Token, nil, nil), http.StatusOK)
}

// TestConsoleCSRF: a change needs the session's own token and this
// origin; a forged form from another site changes nothing.
func TestConsoleCSRF(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	admin := newConsoleAdmin(t, s, fab, "ada", globalAdmin)
	other := newConsoleAdmin(t, s, fab, "otto", globalAdmin)
	guest := invite(t, s, fab, "greta@contoso.example")
	list := admin.signIn(t)
	otherToken := csrf(t, other.signIn(t))

	for name, form := range map[string]url.Values{
		"no token":                 {},
		"wrong token":              {"csrf": {"x" + csrf(t, list)}},
		"another session's token":  {"csrf": {otherToken}},
		"token in the query, only": nil,
	} {
		path := admin.prefix + "/guests/" + guest.userID + "/block"
		if form == nil {
			path += "?csrf=" + url.QueryEscape(csrf(t, list))
			form = url.Values{}
		}
		wantStatus(t, name, admin.b.Post(t, path, form), http.StatusForbidden)
	}
	// A cross-site form post, as a browser marks it, with the right token.
	admin.b.Header.Set("Sec-Fetch-Site", "cross-site")
	wantStatus(t, "cross-site", admin.b.Post(t, admin.prefix+"/guests/"+guest.userID+"/block",
		url.Values{"csrf": {csrf(t, list)}}), http.StatusForbidden)
	admin.b.Header.Del("Sec-Fetch-Site")
	var u struct {
		AccountEnabled bool `json:"accountEnabled"`
	}
	wantAPI(t, "guest", s.DoJSON(t, "GET", "/v1.0/users/"+guest.userID+"?$select=accountEnabled", fab.Token, nil, &u), http.StatusOK)
	if !u.AccountEnabled {
		t.Error("a forged request blocked the guest")
	}
}

// TestConsoleSessions: wrong passwords are one answer and throttled like
// any member sign-in; a session ends after an hour unused, and sign-out
// everywhere ends the member's other browsers too.
func TestConsoleSessions(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	admin := newConsoleAdmin(t, s, fab, "ada", globalAdmin)
	wrong := admin.b.Post(t, admin.prefix+"/signin", url.Values{"email": {admin.mail}, "password": {"not it"}})
	unknown := admin.b.Post(t, admin.prefix+"/signin", url.Values{"email": {"nobody@fabrikam.example"}, "password": {"not it"}})
	wantStatus(t, "wrong password", wrong, http.StatusUnauthorized)
	wantStatus(t, "unknown address", unknown, http.StatusUnauthorized)
	if msg := "That email address or password is not right."; !strings.Contains(wrong.Body, msg) || !strings.Contains(unknown.Body, msg) {
		t.Error("wrong password and unknown address read differently")
	}

	admin.signIn(t)
	s.Clock.Advance(59 * time.Minute)
	wantStatus(t, "after 59 minutes", admin.b.Get(t, admin.prefix+"/guests"), http.StatusOK)
	s.Clock.Advance(61 * time.Minute)
	wantStatus(t, "after an hour unused", admin.b.Get(t, admin.prefix+"/guests"), http.StatusSeeOther)

	laptop := admin.signIn(t)
	phone := admin.browser()
	phone.signIn(t)
	account := admin.b.Get(t, admin.prefix+"/account")
	wantStatus(t, "account page", account, http.StatusOK)
	out := admin.b.Post(t, admin.prefix+"/signout/everywhere", url.Values{"csrf": {csrf(t, laptop)}})
	if out.Status != http.StatusSeeOther || !strings.Contains(out.Location, "/signin?signedout=1") {
		t.Fatalf("sign out everywhere: %d to %q", out.Status, out.Location)
	}
	for name, b := range map[string]*servertest.Guest{"laptop": admin.b, "phone": phone.b} {
		if p := b.Get(t, admin.prefix+"/guests"); p.Status != http.StatusSeeOther {
			t.Errorf("%s after sign-out everywhere: %d", name, p.Status)
		}
	}
}

// TestConsoleLanguage: the console speaks the administrator's chosen
// language, and the list's filters refuse what they do not know.
func TestConsoleLanguage(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	admin := newConsoleAdmin(t, s, fab, "ada", globalAdmin)
	admin.signIn(t)
	p := admin.b.Get(t, admin.prefix+"/language?lang=de&return="+url.QueryEscape(admin.prefix+"/guests"))
	if p.Status != http.StatusSeeOther || p.Location != admin.prefix+"/guests" {
		t.Fatalf("choose German: %d to %q", p.Status, p.Location)
	}
	de := admin.b.Follow(t, p)
	if !strings.Contains(de.Body, `<html lang="de">`) {
		t.Errorf("after choosing German the page is not German:\n%.300s", de.Body)
	}
	if p := admin.b.Get(t, admin.prefix+"/language?lang=de&return=https://evil.example/"); p.Location != admin.prefix+"/guests" {
		t.Errorf("language switch sends the browser to %q", p.Location)
	}
	for _, q := range []string{"source=nope", "state=nope", "after=garbage", "q=" + strings.Repeat("a+", 20)} {
		wantStatus(t, q, admin.b.Get(t, admin.prefix+"/guests?"+q), http.StatusBadRequest)
	}
}

// TestConsoleSecondFactor: with an authenticator app, the password alone
// opens nothing; a code works once; a recovery code works once; a member
// whose role does not require an app may add one, and from then on is
// asked for it.
func TestConsoleSecondFactor(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	admin := newConsoleAdmin(t, s, fab, "ada", globalAdmin)
	admin.signIn(t) // enrols

	// An attacker with the password only: the session waits for the code.
	thief := admin.browser()
	in := thief.b.Post(t, thief.prefix+"/signin", url.Values{"email": {admin.mail}, "password": {adminPassword}})
	if in.Status != http.StatusSeeOther || !strings.Contains(in.Location, "/signin/verify") {
		t.Fatalf("password only: %d to %q", in.Status, in.Location)
	}
	verify := thief.b.Follow(t, in)
	token := csrf(t, verify)
	for _, path := range []string{"/guests", "/account", "/invite"} {
		if p := thief.b.Get(t, thief.prefix+path); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "/signin/verify") {
			t.Errorf("password only, %s: %d to %q", path, p.Status, p.Location)
		}
	}
	wantStatus(t, "wrong code", thief.b.Post(t, thief.prefix+"/signin/verify", url.Values{"csrf": {token}, "code": {"000000"}}), http.StatusUnauthorized)

	// The owner's code works once: the same code again is refused.
	code := admin.code(t)
	owner := admin.browser()
	in = owner.b.Post(t, owner.prefix+"/signin", url.Values{"email": {admin.mail}, "password": {adminPassword}})
	ownerVerify := owner.b.Follow(t, in)
	wantStatus(t, "owner's code", owner.b.Post(t, owner.prefix+"/signin/verify", url.Values{"csrf": {csrf(t, ownerVerify)}, "code": {code}}), http.StatusSeeOther)
	wantStatus(t, "the same code replayed", thief.b.Post(t, thief.prefix+"/signin/verify", url.Values{"csrf": {token}, "code": {code}}), http.StatusUnauthorized)

	// A recovery code works once.
	rc := admin.recovery[0]
	wantStatus(t, "recovery code", thief.b.Post(t, thief.prefix+"/signin/verify", url.Values{"csrf": {token}, "code": {rc}}), http.StatusSeeOther)
	again := admin.browser()
	in = again.b.Post(t, again.prefix+"/signin", url.Values{"email": {admin.mail}, "password": {adminPassword}})
	againVerify := again.b.Follow(t, in)
	wantStatus(t, "recovery code reused", again.b.Post(t, again.prefix+"/signin/verify", url.Values{"csrf": {csrf(t, againVerify)}, "code": {rc}}), http.StatusUnauthorized)

	// A User Administrator need not have an app, may add one, and is then
	// asked for its code.
	ulla := newConsoleAdmin(t, s, fab, "ulla", userAdmin)
	ulla.signIn(t)
	setup := ulla.b.Get(t, ulla.prefix+"/account/mfa")
	m := totpKeyRE.FindStringSubmatch(setup.Body)
	if setup.Status != http.StatusOK || m == nil {
		t.Fatalf("set up an app: %d\n%.500s", setup.Status, setup.Body)
	}
	// Opened again, the page shows the same secret: the one being added.
	if again := totpKeyRE.FindStringSubmatch(ulla.b.Get(t, ulla.prefix+"/account/mfa").Body); again == nil || again[1] != m[1] {
		t.Errorf("the set-up page opened twice shows %q, then %q", m[1], again)
	}
	ulla.secret = m[1]
	wantStatus(t, "wrong first code", ulla.b.Post(t, ulla.prefix+"/account/mfa", url.Values{"csrf": {csrf(t, setup)}, "code": {"123456"},
		"secret": {ulla.secret}}), http.StatusUnauthorized)
	first, err := totp.GenerateCode(ulla.secret, s.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "first code", ulla.b.Post(t, ulla.prefix+"/account/mfa", url.Values{"csrf": {csrf(t, setup)}, "code": {first}}), http.StatusOK)
	later := ulla.browser()
	in = later.b.Post(t, later.prefix+"/signin", url.Values{"email": {ulla.mail}, "password": {adminPassword}})
	if !strings.Contains(in.Location, "/signin/verify") {
		t.Fatalf("after adding an app the sign-in goes to %q, want the code", in.Location)
	}
	later.secondFactor(t, in)

	// Removing it needs a current code.
	account := ulla.b.Get(t, ulla.prefix+"/account")
	wantStatus(t, "remove without a code", ulla.b.Post(t, ulla.prefix+"/account/mfa/remove", url.Values{"csrf": {csrf(t, account)}, "code": {"000000"}}), http.StatusUnauthorized)
	removed := ulla.b.Post(t, ulla.prefix+"/account/mfa/remove", url.Values{"csrf": {csrf(t, account)}, "code": {ulla.code(t)}})
	if removed.Status != http.StatusSeeOther || !strings.Contains(removed.Location, "done=removed") {
		t.Fatalf("remove: %d to %q", removed.Status, removed.Location)
	}
	in = ulla.browser().b.Post(t, ulla.prefix+"/signin", url.Values{"email": {ulla.mail}, "password": {adminPassword}})
	if in.Status != http.StatusSeeOther || strings.Contains(in.Location, "/signin/verify") {
		t.Errorf("after removing the app the sign-in goes to %q", in.Location)
	}
}

// TestConsoleSecuritySetting: a Global Administrator can require an
// authenticator app of every administrator; a User Administrator then
// sets one up at their next sign-in, and cannot change the setting.
func TestConsoleSecuritySetting(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	admin := newConsoleAdmin(t, s, fab, "ada", globalAdmin)
	ulla := newConsoleAdmin(t, s, fab, "ulla", userAdmin)
	page := ulla.signIn(t)
	wantStatus(t, "User Administrator changes the setting", ulla.b.Post(t, ulla.prefix+"/security",
		url.Values{"csrf": {csrf(t, page)}, "mfa": {"off"}}), http.StatusForbidden)

	admin.signIn(t)
	form := admin.b.Get(t, admin.prefix+"/security")
	wantStatus(t, "security page", form, http.StatusOK)
	wantStatus(t, "unknown value", admin.b.Post(t, admin.prefix+"/security",
		url.Values{"csrf": {csrf(t, form)}, "mfa": {"sometimes"}}), http.StatusBadRequest)
	wantStatus(t, "every role", admin.b.Post(t, admin.prefix+"/security",
		url.Values{"csrf": {csrf(t, form)}, "mfa": {"allAdministrators"}}), http.StatusSeeOther)

	in := ulla.browser().b.Post(t, ulla.prefix+"/signin", url.Values{"email": {ulla.mail}, "password": {adminPassword}})
	if in.Status != http.StatusSeeOther || !strings.Contains(in.Location, "/signin/verify") {
		t.Fatalf("User Administrator after the change: %d to %q, want the second factor", in.Status, in.Location)
	}
	var mine []string
	for _, a := range audits(t, s, fab, filter("initiatedBy/user/id eq '"+admin.id+"'")) {
		mine = append(mine, a.ActivityDisplayName)
	}
	if len(mine) == 0 {
		t.Error("the change is not in the audit log under the administrator")
	}
}

// TestConsoleInviteRefusals: the invite page refuses what the invitation
// service refuses, says why, and invites nobody.
func TestConsoleInviteRefusals(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	ivan := newConsoleAdmin(t, s, fab, "ivan", guestInv)
	page := ivan.signIn(t)
	for name, form := range map[string]url.Values{
		"two copies":   {"email": {"greta@contoso.example"}, "cc": {"a@example.com, b@example.com"}, "redirect": {"https://app.example/"}},
		"no address":   {"email": {"not-an-address"}, "redirect": {"https://app.example/"}},
		"bad redirect": {"email": {"greta@contoso.example"}, "redirect": {"javascript:alert(1)"}},
	} {
		form.Set("csrf", csrf(t, page))
		p := ivan.b.Post(t, ivan.prefix+"/invite", form)
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "Nothing was changed:") {
			t.Errorf("%s: %d\n%.600s", name, p.Status, p.Body)
		}
	}
	var list struct {
		Value []struct {
			Mail string `json:"mail"`
		} `json:"value"`
	}
	wantAPI(t, "users", s.DoJSON(t, "GET", "/v1.0/users?$filter="+url.QueryEscape("userType eq 'Guest'"), fab.Token, nil, &list), http.StatusOK)
	if len(list.Value) != 0 {
		t.Errorf("refused invitations made guests: %+v", list.Value)
	}
}
