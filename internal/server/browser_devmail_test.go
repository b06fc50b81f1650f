package server_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

// TestBrowserDevMailboxOpensLinks: in a real browser, the invitation in
// /dev/mail is read as a guest would read it: pressing its Accept
// invitation button, inside the mail's frame, opens the guest's Send code
// page in a tab of its own (inside the frame it would be refused, since
// guest pages forbid framing), and so does the address in the mail's text.
func TestBrowserDevMailboxOpensLinks(t *testing.T) {
	chromiumPath(t)
	s := servertest.New(t, servertest.Options{Config: func(c *server.Config) { c.SMTP = "" }})
	tn := s.CreateTenant(t, "Fabrikam")
	s.Invite(t, tn, "erin@contoso.example", map[string]any{"sendInvitationMessage": true})
	var msgs []struct{ ID string }
	if err := json.Unmarshal([]byte(devPage(t, s.URL+"/dev/mail?format=json", nil)), &msgs); err != nil || len(msgs) != 1 {
		t.Fatalf("dev mailbox: %v %+v, want the invitation", err, msgs)
	}
	tab := newBrowser(t, "en")
	browse(t, tab, "open the mail", chromedp.Navigate(s.URL+"/dev/mail/"+msgs[0].ID), chromedp.WaitVisible(chromedp.CSS("iframe")))

	// The frame runs no script and has an origin of its own; the browser
	// may run it as a target of its own. Press its first link (the
	// button) there, or in the page when the frame shares its process.
	targets, err := chromedp.Targets(tab)
	if err != nil {
		t.Fatal(err)
	}
	var frameID target.ID
	for _, ti := range targets {
		if ti.Type == "iframe" {
			frameID = ti.TargetID
		}
	}
	if frameID == "" {
		t.Fatalf("the mail's frame is not a target: %+v", targets)
	}
	frameTab, cancel := chromedp.NewContext(tab, chromedp.WithTargetID(frameID))
	defer cancel()
	wantSendCodeTab(t, tab, "press Accept invitation in the mail", chromedp.Func(func(context.Context, *chromedp.Target) error {
		return chromedp.Do(frameTab, chromedp.Click(chromedp.CSS("a")))
	}))
	wantSendCodeTab(t, tab, "follow the address in the mail's text",
		chromedp.Click(chromedp.CSS("#text a")))
}

// wantSendCodeTab runs click in tab and wants it to open a new tab that
// shows the guest's Send code page.
func wantSendCodeTab(t *testing.T, tab context.Context, step string, click chromedp.Action[chromedp.Void]) {
	t.Helper()
	opened := chromedp.WaitNewTarget(tab, func(i *target.Info) bool { return i.Type == "page" })
	browse(t, tab, step, click)
	var id target.ID
	select {
	case id = <-opened:
	case <-tab.Done():
		t.Fatalf("%s: no tab opened", step)
	}
	newTab, cancel := chromedp.NewContext(tab, chromedp.WithTargetID(id))
	defer cancel()
	browse(t, newTab, step+": the new tab shows Send code", chromedp.WaitVisible(chromedp.ID("send")))
}
