package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"guestlist/internal/servertest"
)

// The browser tests drive a real headless Chromium through the guest pages,
// so what is checked is what a guest's browser does with them: redirects,
// cookies, forms, the Content-Security-Policy and the stylesheet. CI
// installs Debian's chromium package; without it the tests fail rather than
// skip, so a broken CI image cannot turn them off silently.

// browserTimeout bounds a whole browser run, so a page that never shows
// what a step waits for fails the test instead of hanging it.
const browserTimeout = 60 * time.Second

// portalWelcome is what the relying application shows a signed-in guest.
const portalWelcome = "Welcome to the Fabrikam project portal"

// chromiumPath finds the browser or fails the test with what to install.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "/usr/bin/chromium"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium is not installed: the browser tests need Debian's chromium package " +
		"(apt-get install -y chromium chromium-driver); they fail rather than skip so CI cannot lose them")
	return ""
}

// newBrowser starts a headless Chromium for one test and returns a tab
// context whose every request carries acceptLanguage ("" for the browser's
// own). The browser stops at the end of the test, and at browserTimeout at
// the latest.
func newBrowser(t *testing.T, acceptLanguage string) context.Context {
	t.Helper()
	return newBrowserWithin(t, acceptLanguage, browserTimeout)
}

// newBrowserWithin is newBrowser for a run that may take up to limit (a
// long story through many pages).
func newBrowserWithin(t *testing.T, acceptLanguage string, limit time.Duration) context.Context {
	t.Helper()
	exe := chromiumPath(t)
	ctx, cancelTimeout := context.WithTimeout(context.Background(), limit)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.WindowSize(960, 720),
		chromedp.UserDataDir(t.TempDir()),
	)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	// Registered after servertest.New, so this runs first: the browser
	// goes before the server it talks to.
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelTimeout()
	})
	// A fixed viewport: the window size alone leaves the page whatever
	// room the headless window's frame does not take.
	if err := chromedp.Do(tab, chromedp.EmulateViewport(960, 720)); err != nil {
		t.Fatalf("start chromium %s: %v", exe, err)
	}
	if acceptLanguage != "" {
		_, err := chromedp.Call(tab, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"Accept-Language": acceptLanguage},
		})
		if err != nil {
			t.Fatalf("set Accept-Language: %v", err)
		}
	}
	return tab
}

// newPortal starts the relying application an invitation leads to.
func newPortal(t *testing.T) *httptest.Server {
	t.Helper()
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Fabrikam portal</title></head>`+
			`<body><h1 id="welcome">%s</h1></body></html>`, portalWelcome)
	}))
	t.Cleanup(app.Close)
	return app
}

var mailedLinkRE = regexp.MustCompile(`https?://\S+/redeem\?\S+`)

// shownPage is one step as the guest sees it.
type shownPage struct {
	Lang string // the <html lang> attribute
	Text string // the visible text of the body
}

func readShown(t *testing.T, tab context.Context, step string) shownPage {
	t.Helper()
	text, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatalf("%s: read the page: %v", step, err)
	}
	lang, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.documentElement.lang`))
	if err != nil {
		t.Fatalf("%s: read the page language: %v", step, err)
	}
	return shownPage{Lang: lang, Text: text}
}

// browse runs browser steps, failing the test with what the page showed.
func browse(t *testing.T, tab context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(tab, actions...); err != nil {
		loc, _ := chromedp.Run(tab, chromedp.Location())
		text, _ := chromedp.Run(tab, chromedp.Text(chromedp.CSS("body")))
		t.Fatalf("%s: %v\nthe browser is at %s showing:\n%.600s", step, err, loc, text)
	}
}

// screenshotsOn saves full-page PNGs of the guest pages to docs/screens at
// the repository root, only when GUESTLIST_SCREENSHOTS=1, so ordinary test
// runs never rewrite the committed images.
type screenshotsOn bool

func (s screenshotsOn) save(t *testing.T, tab context.Context, name string) {
	t.Helper()
	if !s {
		return
	}
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "..", "docs", "screens")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// guestWords are the words of each guest page a test expects in one
// language: written out here, not taken from the catalogs, so a wrong or
// missing translation shows.
type guestWords struct {
	acceptLanguage string
	lang           string
	start          []string
	code           []string
	wrong          string
	consent        []string
	codeSubject    string // the passcode mail's subject (R22: the guest's language)
}

var englishGuest = guestWords{
	acceptLanguage: "en-US,en;q=0.9",
	lang:           "en",
	start:          []string{"Verify your email", "Send code", "Nothing is sent until you press Send code."},
	code:           []string{"Enter code", "We sent a code to", "valid for 30 minutes"},
	wrong:          "That code didn't work.",
	consent:        []string{"Review permissions", "will be able to see", "Accept"},
	codeSubject:    "Your Fabrikam verification code",
}

var dutchGuest = guestWords{
	acceptLanguage: "nl-NL,nl;q=0.9,en;q=0.5",
	lang:           "nl",
	start:          []string{"Uw e-mailadres verifiëren", "Code verzenden"},
	code:           []string{"Code invoeren", "De code is 30 minuten geldig."},
	wrong:          "Die code werkt niet.",
	consent:        []string{"Machtigingen controleren", "kan Fabrikam het volgende zien", "Accepteren"},
	codeSubject:    "Uw verificatiecode voor Fabrikam",
}

// TestBrowserRedeemsInvitation: an invited guest follows the link in the
// invitation mail in a real browser, presses Send code, mistypes the code
// once, enters the mailed code, accepts on the consent page and lands in
// the application the invitation points to (SPEC R5, R21–R24), in English
// and in Dutch (R53).
func TestBrowserRedeemsInvitation(t *testing.T) {
	t.Run("en", func(t *testing.T) {
		redeemInBrowser(t, englishGuest, screenshotsOn(os.Getenv("GUESTLIST_SCREENSHOTS") == "1"))
	})
	t.Run("nl", func(t *testing.T) {
		redeemInBrowser(t, dutchGuest, false)
	})
}

func redeemInBrowser(t *testing.T, words guestWords, shots screenshotsOn) {
	const email = "alice@contoso.com"
	chromiumPath(t) // before anything else, so a missing browser is the first thing said
	app := newPortal(t)
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	inv := s.Invite(t, tn, email, map[string]any{
		"inviteRedirectUrl":      app.URL + "/projects",
		"sendInvitationMessage":  true,
		"invitedUserDisplayName": "Alice Adams",
		"invitedUserMessageInfo": map[string]any{"customizedMessageBody": "Welcome to the project."},
	})
	invitation := s.WaitMail(t, email, 1, "Welcome to the project.")
	link := mailedLinkRE.FindString(invitation.TextBody)
	if link == "" {
		t.Fatalf("no redeem link in the invitation mail:\n%s", invitation.TextBody)
	}
	tab := newBrowser(t, words.acceptLanguage)

	browse(t, tab, "open the invitation link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("send")))
	start := readShown(t, tab, "start page")
	wantShown(t, "start page", start, words.lang, append(words.start, email, "Fabrikam"))
	// The page's own Content-Security-Policy must still let its stylesheet in.
	card, err := chromedp.Run(tab, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".card")).backgroundColor`))
	if err != nil || card != "rgb(255, 255, 255)" {
		t.Errorf("start page: the card's background is %q (%v): the stylesheet did not apply", card, err)
	}
	if n := len(s.SMTP.Messages()); n != 1 {
		t.Fatalf("%d mails before Send code was pressed, want only the invitation (R21)", n)
	}
	shots.save(t, tab, "start")

	browse(t, tab, "press Send code", chromedp.Click(chromedp.ID("send")), chromedp.WaitVisible(chromedp.ID("code")))
	wantShown(t, "Enter code page", readShown(t, tab, "Enter code page"), words.lang, append(words.code, email))
	code := s.WaitCode(t, email, 1)
	if m := s.WaitMail(t, email, 1, code); m.Subject != words.codeSubject {
		t.Errorf("passcode mail subject %q, want %q", m.Subject, words.codeSubject)
	}
	shots.save(t, tab, "code")

	browse(t, tab, "enter a wrong code",
		chromedp.SendKeys(chromedp.ID("code"), wrongCode(code)),
		chromedp.Click(chromedp.ID("verify")),
		chromedp.WaitVisible(chromedp.ID("error")))
	alert, err := chromedp.Run(tab, chromedp.Text(chromedp.ID("error")))
	if err != nil || !strings.Contains(alert, words.wrong) {
		t.Fatalf("wrong code: the error says %q (%v), want %q", alert, err, words.wrong)
	}
	shots.save(t, tab, "code-wrong")

	browse(t, tab, "enter the mailed code",
		chromedp.SendKeys(chromedp.ID("code"), code),
		chromedp.Click(chromedp.ID("verify")),
		chromedp.WaitVisible(chromedp.ID("accept")))
	wantShown(t, "consent page", readShown(t, tab, "consent page"), words.lang,
		append(words.consent, "Fabrikam", "Alice Adams", email))
	shots.save(t, tab, "consent")

	browse(t, tab, "accept", chromedp.Click(chromedp.ID("accept")), chromedp.WaitVisible(chromedp.ID("welcome")))
	landed := readShown(t, tab, "application")
	if !strings.Contains(landed.Text, portalWelcome) {
		t.Fatalf("after consent the browser shows %q, want the application's welcome page", landed.Text)
	}
	if loc, _ := chromedp.Run(tab, chromedp.Location()); loc != app.URL+"/projects" {
		t.Errorf("after consent the browser is at %s, want the inviteRedirectUrl %s/projects", loc, app.URL)
	}
	id := inv["invitedUser"].(map[string]any)["id"].(string)
	if status, u := s.Do(t, "GET", "/v1.0/users/"+id+"?$select=externalUserState", tn.Token, nil); status != http.StatusOK || u["externalUserState"] != "Accepted" {
		t.Errorf("guest after redeeming in the browser: %d %v, want Accepted", status, u)
	}
}

// wantShown checks the page's language and that it shows every one of want.
func wantShown(t *testing.T, step string, p shownPage, lang string, want []string) {
	t.Helper()
	if p.Lang != lang {
		t.Errorf("%s: <html lang=%q>, want %q", step, p.Lang, lang)
	}
	for _, w := range want {
		if !strings.Contains(p.Text, w) {
			t.Errorf("%s does not show %q:\n%s", step, w, p.Text)
		}
	}
}
