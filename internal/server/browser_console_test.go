package server_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"guestlist/internal/servertest"
)

// axePath is axe-core, installed by `npm ci --prefix tools/axe` (CI does
// it before the tests).
var axePath = filepath.Join("..", "..", "tools", "axe", "node_modules", "axe-core", "axe.min.js")

// consoleStoryTimeout bounds the console's browser story: it walks many
// pages and runs axe-core on each.
const consoleStoryTimeout = 4 * time.Minute

// axeViolation is one accessibility rule a page breaks.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// checkAccessible runs axe-core on the tab's page and fails the test on
// any serious or critical violation (WCAG 2.1 A and AA rules and axe's
// best practices). The script is evaluated through the DevTools protocol,
// which the page's Content-Security-Policy does not govern.
func checkAccessible(t *testing.T, tab context.Context, page string) {
	t.Helper()
	src, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatalf("axe-core is not installed (%v): run `npm ci --prefix tools/axe` first, as CI does", err)
	}
	if _, err := chromedp.Run(tab, chromedp.Evaluate[any](string(src))); err != nil {
		t.Fatalf("%s: load axe-core: %v", page, err)
	}
	out, err := chromedp.Run(tab, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help,
			nodes: v.nodes.map(n => n.target.join(" "))}))))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: run axe-core: %v", page, err)
	}
	var found []axeViolation
	if err := json.Unmarshal([]byte(out), &found); err != nil {
		t.Fatalf("%s: axe-core's answer %q: %v", page, out, err)
	}
	for _, v := range found {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("%s: %s accessibility violation %s (%s) at %s", page, v.Impact, v.ID, v.Help, strings.Join(v.Nodes, ", "))
		}
	}
}

// TestBrowserConsole: an administrator runs their guests in a real
// browser: the operator creates the tenant naming them; they choose a
// password from the mailed link, sign in and set up an authenticator
// app, invite a guest; the guest redeems in a second browser; the
// administrator sees the guest arrive with Source OTP, blocks them and
// resets their redemption, and the audit log has each step under their
// name. Every console page passes
// axe-core without a serious or critical violation, and with
// GUESTLIST_SCREENSHOTS=1 each is saved to docs/screens.
func TestBrowserConsole(t *testing.T) {
	chromiumPath(t)
	shots := screenshotsOn(os.Getenv("GUESTLIST_SCREENSHOTS") == "1")
	app := newPortal(t)
	s := servertest.New(t, servertest.Options{})
	fab, ada := createWithAdmin(t, s, "Fabrikam", "fabrikam.example", "ada@fabrikam.example")
	prefix := "/" + fab.ID + "/admin"
	tab := newBrowserWithin(t, "en-US,en;q=0.9", consoleStoryTimeout)

	browse(t, tab, "open the mailed link", chromedp.Navigate(adminLink(t, s, "ada@fabrikam.example", 1)),
		chromedp.WaitVisible(chromedp.ID("set")))
	browse(t, tab, "choose a password",
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Click(chromedp.ID("set")),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/admin/signin"]`)))
	checkAccessible(t, tab, "sign-in page")
	shots.save(t, tab, "console-signin")
	browse(t, tab, "sign in",
		chromedp.SendKeys(chromedp.ID("email"), "ada@fabrikam.example"),
		chromedp.SendKeys(chromedp.ID("password"), adminPassword),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("secret")))
	// A Global Administrator sets up an authenticator app at the first
	// sign-in.
	checkAccessible(t, tab, "authenticator app set-up")
	shots.save(t, tab, "console-enrol")
	secret, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("secret")))
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCode(secret, s.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	browse(t, tab, "enter the app's first code",
		chromedp.SendKeys(chromedp.ID("code"), code),
		chromedp.Click(chromedp.ID("enrol")),
		chromedp.WaitVisible(chromedp.CSS("#recovery-codes, #error")))
	if shown := readShown(t, tab, "after the first code"); !strings.Contains(shown.Text, "Save your recovery codes") {
		t.Fatalf("after the first code (%s at %v) the page shows:\n%s", code, s.Clock.Now(), shown.Text)
	}
	checkAccessible(t, tab, "recovery codes")
	browse(t, tab, "continue", chromedp.Click(chromedp.ID("continue")), chromedp.WaitVisible(chromedp.ID("q")))
	wantShown(t, "guest list", readShown(t, tab, "guest list"), "en", []string{"Users from other organizations", "No guests match."})

	browse(t, tab, "open the invite page", chromedp.Click(chromedp.CSS(`nav a[href$="/invite"]`)), chromedp.WaitVisible(chromedp.ID("redirect")))
	checkAccessible(t, tab, "invite page")
	browse(t, tab, "ask which method",
		chromedp.SendKeys(chromedp.ID("email"), "greta@contoso.example"),
		chromedp.Click(chromedp.CSS(`button[name="check"]`)),
		chromedp.WaitVisible(chromedp.CSS(`div.notice table`)))
	wantShown(t, "explainer", readShown(t, tab, "explainer"), "en", []string{"greta@contoso.example would sign in with: an email one-time passcode."})
	checkAccessible(t, tab, "invite page with the explainer")
	shots.save(t, tab, "console-invite")
	browse(t, tab, "invite",
		chromedp.SetValue(chromedp.ID("redirect"), app.URL+"/projects"),
		chromedp.SendKeys(chromedp.ID("name"), "Greta Garbo"),
		chromedp.Click(chromedp.ID("invite")),
		chromedp.WaitVisible(chromedp.CSS(`p.notice`)))
	wantShown(t, "invited", readShown(t, tab, "invited"), "en", []string{"The invitation is on its way to greta@contoso.example."})

	// The guest, in a browser of their own.
	invitation := s.WaitMail(t, "greta@contoso.example", 1, "")
	link := mailedLinkRE.FindString(invitation.TextBody)
	guest := newBrowserWithin(t, "en", consoleStoryTimeout)
	browse(t, guest, "guest opens the link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("send")))
	browse(t, guest, "guest sends a code", chromedp.Click(chromedp.ID("send")), chromedp.WaitVisible(chromedp.ID("code")))
	browse(t, guest, "guest enters the code",
		chromedp.SendKeys(chromedp.ID("code"), s.WaitCode(t, "greta@contoso.example", 1)),
		chromedp.Click(chromedp.ID("verify")),
		chromedp.WaitVisible(chromedp.ID("accept")))
	browse(t, guest, "guest accepts", chromedp.Click(chromedp.ID("accept")), chromedp.WaitVisible(chromedp.ID("welcome")))

	browse(t, tab, "list OTP guests", chromedp.Navigate(s.URL+prefix+"/guests?source=otp"), chromedp.WaitVisible(chromedp.CSS("table")))
	list := readShown(t, tab, "OTP guests")
	wantShown(t, "OTP guests", list, "en", []string{"Greta Garbo", "greta@contoso.example", "OTP", "Accepted"})
	checkAccessible(t, tab, "guest list")
	shots.save(t, tab, "console-guests")

	// Turning the passcode off asks first, counting the guests it locks
	// out; the list then says the guest cannot sign in.
	browse(t, tab, "open the sign-in policies", chromedp.Navigate(s.URL+prefix+"/policies"), chromedp.WaitVisible(chromedp.ID("otp-disabled")))
	checkAccessible(t, tab, "sign-in policies page")
	shots.save(t, tab, "console-policies")
	browse(t, tab, "choose Disabled", chromedp.Click(chromedp.ID("otp-disabled")),
		chromedp.Click(chromedp.CSS(`form[action$="/policies/otp"] button`)), chromedp.WaitVisible(chromedp.ID("otp-guests")))
	wantShown(t, "passcode confirmation", readShown(t, tab, "passcode confirmation"), "en", []string{"Guests who redeemed with a one-time passcode: 1."})
	checkAccessible(t, tab, "passcode confirmation")
	browse(t, tab, "turn the passcode off", chromedp.Click(chromedp.CSS(`button.danger`)), chromedp.WaitVisible(chromedp.ID("otp-disabled")))
	browse(t, tab, "list guests", chromedp.Navigate(s.URL+prefix+"/guests"), chromedp.WaitVisible(chromedp.CSS("table")))
	wantShown(t, "guests after the passcode is off", readShown(t, tab, "guests"), "en", []string{"can't sign in: the email one-time passcode is off"})

	browse(t, tab, "open the guest", chromedp.Click(chromedp.CSS(`td a`)), chromedp.WaitVisible(chromedp.CSS(`dl.facts`)))
	checkAccessible(t, tab, "guest page")
	shots.save(t, tab, "console-guest")
	browse(t, tab, "ask to block", chromedp.Click(chromedp.CSS(`a[href$="/block"]`)), chromedp.WaitVisible(chromedp.CSS(`button.danger`)))
	checkAccessible(t, tab, "confirmation page")
	shots.save(t, tab, "console-confirm")
	browse(t, tab, "block", chromedp.Click(chromedp.CSS(`button.danger`)), chromedp.WaitVisible(chromedp.CSS(`p.notice`)))
	wantShown(t, "blocked", readShown(t, tab, "blocked"), "en", []string{"Sign-in is blocked.", "Sign-in blocked"})

	browse(t, tab, "ask to reset", chromedp.Click(chromedp.CSS(`a[href$="/reset"]`)), chromedp.WaitVisible(chromedp.ID("email")))
	browse(t, tab, "reset", chromedp.Click(chromedp.CSS(`button.danger`)), chromedp.WaitVisible(chromedp.CSS(`p.notice`)))
	wantShown(t, "reset", readShown(t, tab, "reset"), "en", []string{"The redemption status was reset.", "Pending acceptance"})

	browse(t, tab, "own account", chromedp.Click(chromedp.CSS(`nav a[href$="/account"]`)), chromedp.WaitVisible(chromedp.CSS(`dl.facts`)))
	wantShown(t, "account", readShown(t, tab, "account"), "en", []string{"Global Administrator", "Sign out everywhere"})
	checkAccessible(t, tab, "account page")
	shots.save(t, tab, "console-account")

	// Every other page, each checked with axe-core; the audit log shows
	// the administrator's steps.
	for _, pg := range []struct{ path, name, shows string }{
		{"/logs/audit", "console-audit", "Reset user redemption"},
		{"/logs/signins", "console-signins", "Greta Garbo"},
		{"/apps", "console-apps", ""},
		{"/idps", "console-idps", ""},
		{"/branding", "console-branding", ""},
		{"/security", "console-security", ""},
		{"/invite/bulk", "console-bulk", ""},
	} {
		browse(t, tab, "open "+pg.path, chromedp.Navigate(s.URL+prefix+pg.path), chromedp.WaitVisible(chromedp.ID("main")))
		if pg.shows != "" {
			wantShown(t, pg.path, readShown(t, tab, pg.path), "en", []string{pg.shows})
		}
		checkAccessible(t, tab, pg.path)
		shots.save(t, tab, pg.name)
	}

	var mine []string
	for _, a := range audits(t, s, fab, filter("initiatedBy/user/id eq '"+ada.ID+"'")) {
		mine = append(mine, a.ActivityDisplayName)
	}
	for _, want := range []string{"User registered security info", "Invite external user", "Disable account", "Reset user redemption"} {
		if !slices.Contains(mine, want) {
			t.Errorf("the audit log under the administrator, %q, lacks %q", mine, want)
		}
	}
}
