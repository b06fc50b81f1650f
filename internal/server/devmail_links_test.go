package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

// TestDevMailboxLinksWork: /dev/mail shows an invitation as a guest would
// read it, and its links work: the HTML body's button opens a tab of its
// own out of a frame that runs no script (the guest page it leads to
// refuses framing, and keeps refusing), and the address in the text is a
// link too. Following either signs the guest in as the invitation does.
func TestDevMailboxLinksWork(t *testing.T) {
	s := servertest.New(t, servertest.Options{Config: func(c *server.Config) { c.SMTP = "" }})
	tn := s.CreateTenant(t, "Fabrikam")
	inv := s.Invite(t, tn, "erin@contoso.example", map[string]any{"sendInvitationMessage": true})
	redeem := inv["inviteRedeemUrl"].(string)

	var msgs []struct {
		ID, Kind string
		To       []string
	}
	if err := json.Unmarshal([]byte(devPage(t, s.URL+"/dev/mail?format=json", nil)), &msgs); err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(msgs, func(m struct {
		ID, Kind string
		To       []string
	}) bool {
		return slices.Equal(m.To, []string{"erin@contoso.example"})
	})
	if i < 0 {
		t.Fatalf("no invitation mail in the dev mailbox: %+v", msgs)
	}
	var header http.Header
	page := devPage(t, s.URL+"/dev/mail/"+msgs[i].ID, &header)
	csp := header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") || strings.Contains(csp, "base-uri") {
		t.Errorf("dev mailbox policy %q: nothing may load or run, and the frame's <base> must apply", csp)
	}
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}

	frame := findNode(doc, func(n *html.Node) bool { return n.Data == "iframe" })
	if frame == nil {
		t.Fatalf("no frame for the HTML body:\n%s", page)
	}
	sandbox := strings.Fields(nodeAttr(frame, "sandbox"))
	for _, need := range []string{"allow-popups", "allow-popups-to-escape-sandbox"} {
		if !slices.Contains(sandbox, need) {
			t.Errorf("sandbox %q lacks %s: the mail's links could not open", sandbox, need)
		}
	}
	for _, never := range []string{"allow-scripts", "allow-same-origin", "allow-top-navigation", "allow-forms"} {
		if slices.Contains(sandbox, never) {
			t.Errorf("sandbox %q allows %s", sandbox, never)
		}
	}
	mailDoc, err := html.Parse(strings.NewReader(nodeAttr(frame, "srcdoc")))
	if err != nil {
		t.Fatal(err)
	}
	base := findNode(mailDoc, func(n *html.Node) bool { return n.Data == "base" })
	if base == nil || nodeAttr(base, "target") != "_blank" || base.Parent == nil || base.Parent.Data != "head" {
		t.Errorf("the framed mail has no <base target=_blank> in its head: links would open inside the frame")
	}
	button := findNode(mailDoc, func(n *html.Node) bool { return n.Data == "a" && nodeAttr(n, "href") == redeem })
	if button == nil {
		t.Fatalf("the framed mail has no link to %s", redeem)
	}
	if target := nodeAttr(button, "target"); target != "" && target != "_blank" {
		t.Errorf("the button's own target %q overrides the frame's", target)
	}

	text := findNode(doc, func(n *html.Node) bool { return n.Data == "pre" && nodeAttr(n, "id") == "text" })
	if text == nil {
		t.Fatalf("no text body:\n%s", page)
	}
	link := findNode(text, func(n *html.Node) bool { return n.Data == "a" })
	if link == nil || nodeAttr(link, "href") != redeem || nodeAttr(link, "target") != "_blank" {
		t.Fatalf("the text's address is not a link to %s:\n%s", redeem, page)
	}

	// The link works: a guest who follows it reaches the sign-in, on a
	// page that still refuses to be framed.
	g := s.NewGuest("en")
	opened := g.Get(t, nodeAttr(link, "href"))
	start := g.Follow(t, opened)
	if start.Status != http.StatusOK || !strings.Contains(start.Body, `id="send"`) {
		t.Fatalf("the mailbox's link: %d, want the Send code page:\n%.300s", start.Status, start.Body)
	}
	resp, err := http.Get(s.URL + servertest.TenantBase(opened.Location) + "/signin/passcode")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Content-Security-Policy"); !strings.Contains(got, "frame-ancestors 'none'") {
		t.Errorf("a guest page's policy %q allows framing", got)
	}
}

// devPage reads a dev mailbox page; header, when given, receives its headers.
func devPage(t *testing.T, u string, header *http.Header) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", u, resp.StatusCode, err)
	}
	if header != nil {
		*header = resp.Header
	}
	return string(b)
}

// findNode is the first element under n (n included) that ok accepts.
func findNode(n *html.Node, ok func(*html.Node) bool) *html.Node {
	if n.Type == html.ElementNode && ok(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findNode(c, ok); f != nil {
			return f
		}
	}
	return nil
}

func nodeAttr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
