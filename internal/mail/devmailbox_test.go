package mail

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"guestlist/internal/core"
)

func devGet(t *testing.T, h http.Handler, path string) (int, http.Header, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	body, _ := io.ReadAll(rec.Body)
	return rec.Code, rec.Header(), string(body)
}

func devStore(t *testing.T) *fakeStore {
	st, c := newFakeStore(), newClock()
	hostile := &core.OutboxMessage{
		ID: "m-1", TenantID: "t1", Kind: core.MailInvitation,
		To: []string{"guest@example.org"}, CC: []string{"boss@example.org"},
		Subject:   `<script>alert("s")</script> invited`,
		TextBody:  "Open </pre><script>alert(1)</script> https://example.org/r?a=1&b=2",
		HTMLBody:  `<p>Hi <b>you</b></p><script>alert("h")</script>`,
		MessageID: "m-1@guestlist.test", CreatedAt: c.Now(),
	}
	if err := st.EnqueueMail(t.Context(), hostile); err != nil {
		t.Fatal(err)
	}
	st.MarkMailRetry(t.Context(), "m-1", c.Now().Add(time.Minute), "451 4.3.0 <try> later")
	enqueue(t, st, c, "m-2")
	return st
}

func TestDevMailboxList(t *testing.T) {
	h := DevMailboxHandler(devStore(t), testLogger(t))
	code, hdr, body := devGet(t, h, "/dev/mail")
	if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /dev/mail: %d %s", code, hdr.Get("Content-Type"))
	}
	if hdr.Get("Content-Security-Policy") == "" || hdr.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", hdr)
	}
	for _, want := range []string{
		`href="/dev/mail/m-1"`, `href="/dev/mail/m-2"`, "guest@example.org",
		"&lt;script&gt;alert(&#34;s&#34;)&lt;/script&gt; invited", "Your code m-2", "pending",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("list lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>") {
		t.Error("list contains an unescaped script tag")
	}
	// Newest first.
	if strings.Index(body, "/dev/mail/m-2") > strings.Index(body, "/dev/mail/m-1") {
		t.Error("older message listed first")
	}
}

func TestDevMailboxListJSON(t *testing.T) {
	h := DevMailboxHandler(devStore(t), testLogger(t))
	code, hdr, body := devGet(t, h, "/dev/mail?format=json")
	if code != http.StatusOK || hdr.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s", code, hdr.Get("Content-Type"))
	}
	var list []struct {
		ID, Subject, Text, Status string
		To                        []string
		CreatedAt                 time.Time
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != "m-2" || list[0].Text != "code for m-2" || list[0].To[0] != "m-2@example.com" ||
		list[0].Status != core.MailPending || list[0].CreatedAt.IsZero() {
		t.Errorf("list %+v", list)
	}
}

func TestDevMailboxListIsBounded(t *testing.T) {
	st, c := newFakeStore(), newClock()
	for i := range devMailboxLimit + 5 {
		enqueue(t, st, c, fmt.Sprintf("m%03d", i))
	}
	_, _, body := devGet(t, DevMailboxHandler(st, testLogger(t)), "/dev/mail?format=json")
	var list []map[string]any
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != devMailboxLimit {
		t.Errorf("%d messages listed, want %d", len(list), devMailboxLimit)
	}
}

func TestDevMailboxMessage(t *testing.T) {
	h := DevMailboxHandler(devStore(t), testLogger(t))
	code, _, body := devGet(t, h, "/dev/mail/m-1")
	if code != http.StatusOK {
		t.Fatalf("GET /dev/mail/m-1: %d", code)
	}
	for _, want := range []string{
		`<pre id="text">Open &lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt; <a href="https://example.org/r?a=1&amp;b=2" target="_blank">https://example.org/r?a=1&amp;b=2</a></pre>`,
		"boss@example.org", "m-1@guestlist.test", "451 4.3.0 &lt;try&gt; later",
		`<iframe sandbox="allow-popups allow-popups-to-escape-sandbox" srcdoc="&lt;base target=&#34;_blank&#34;&gt;&lt;p&gt;Hi &lt;b&gt;you&lt;/b&gt;&lt;/p&gt;&lt;script&gt;`,
		`href="/dev/mail/m-1?format=json"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("message page lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>") {
		t.Error("message page contains an unescaped script tag")
	}
}

func TestDevMailboxMessageJSON(t *testing.T) {
	h := DevMailboxHandler(devStore(t), testLogger(t))
	_, _, body := devGet(t, h, "/dev/mail/m-1?format=json")
	var m devMessageJSON
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	if m.ID != "m-1" || m.LastError != "451 4.3.0 <try> later" || m.HTML == "" || m.Attempts != 0 {
		t.Errorf("message %+v", m)
	}
}

func TestDevMailboxNotFound(t *testing.T) {
	h := DevMailboxHandler(devStore(t), testLogger(t))
	for _, path := range []string{"/dev/mail/nope", "/dev/mail/", "/dev/mail/nope?format=json"} {
		if code, _, _ := devGet(t, h, path); code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, code)
		}
	}
}

// TestLinkify: the addresses in a mail's text become links, without the
// punctuation that ends their sentence; nothing else does.
func TestLinkify(t *testing.T) {
	for _, c := range []struct {
		text string
		want []textPart
	}{
		{"", nil},
		{"no links here", []textPart{{Text: "no links here"}}},
		{"Open https://a.example/r?t=x&y=1.", []textPart{{Text: "Open "},
			{Text: "https://a.example/r?t=x&y=1", URL: "https://a.example/r?t=x&y=1"}, {Text: "."}}},
		{"(http://a.example/) and\nhttps://b.example/p", []textPart{{Text: "("},
			{Text: "http://a.example/", URL: "http://a.example/"}, {Text: ") and\n"},
			{Text: "https://b.example/p", URL: "https://b.example/p"}}},
		{"javascript:alert(1) ftp://a.example/", []textPart{{Text: "javascript:alert(1) ftp://a.example/"}}},
		{`https://a.example/"><script>`, []textPart{{Text: "https://a.example/", URL: "https://a.example/"}, {Text: `"><script>`}}},
	} {
		if got := linkify(c.text); !slices.Equal(got, c.want) {
			t.Errorf("linkify(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// TestFramedHTML: the frame's links open in a tab of their own: the
// <base> goes first into the mail's head, or first of all without one.
func TestFramedHTML(t *testing.T) {
	for in, want := range map[string]string{
		`<html><HEAD lang="en"><title>x</title></HEAD><body><a href="u">a</a></body></html>`: `<html><HEAD lang="en"><base target="_blank"><title>x</title></HEAD><body><a href="u">a</a></body></html>`,
		`<!DOCTYPE html><html><head><meta charset="utf-8"></head></html>`:                    `<!DOCTYPE html><html><head><base target="_blank"><meta charset="utf-8"></head></html>`,
		`<p><a href="u">a</a></p>`:    `<base target="_blank"><p><a href="u">a</a></p>`,
		`<header>not a head</header>`: `<base target="_blank"><header>not a head</header>`,
	} {
		if got := framedHTML(in); got != want {
			t.Errorf("framedHTML(%q) = %q, want %q", in, got, want)
		}
	}
}
