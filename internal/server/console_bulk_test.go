package server_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	invitesvc "guestlist/internal/invite"
	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

type userList struct {
	Value []struct {
		ID   string `json:"id"`
		Mail string `json:"mail"`
	} `json:"value"`
}

// guestMails are the addresses of tn's users, as Graph lists them.
func guestMails(t *testing.T, s *servertest.Server, tn servertest.Tenant) map[string]string {
	t.Helper()
	var l userList
	wantAPI(t, "list users", s.DoJSON(t, "GET", "/v1.0/users?$top=999", tn.Token, nil, &l), http.StatusOK)
	out := map[string]string{}
	for _, u := range l.Value {
		out[u.Mail] = u.ID
	}
	return out
}

// bulkResult is the result cell of the row of mail on a results page.
func bulkResult(body, mail string) string {
	for _, tr := range strings.Split(body, "<tr>") {
		if strings.Contains(tr, "<td>"+mail+"</td>") {
			return tr
		}
	}
	return ""
}

// TestConsoleBulkInvite: a CSV upload invites each good row through the
// invitation service, refuses each bad one with its reason, applies the
// mail limits per row and keeps going; every invitation is in Graph and
// in the audit log under the administrator's name.
func TestConsoleBulkInvite(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, withConfig(func(c *server.Config) { c.InviteMail = &invitesvc.MailLimits{PerHour: 2} }))
	admin := newConsoleAdmin(t, s, fab, "ivan", guestInv)
	admin.signIn(t)

	form := admin.b.Get(t, admin.prefix+"/invite/bulk")
	wantStatus(t, "bulk page", form, http.StatusOK)
	if !strings.Contains(form.Body, "at most 500 guests and 256 KiB") {
		t.Errorf("the bulk page does not state its limits:\n%.3000s", form.Body)
	}
	tmpl, h := admin.b.Download(t, admin.prefix+"/invite/bulk/template.csv")
	rows, err := csv.NewReader(strings.NewReader(tmpl.Body)).ReadAll()
	if err != nil || len(rows) != 2 || !slices.Equal(rows[0], []string{"email", "displayName", "redirectUrl", "sendInvitation"}) ||
		!strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("template (%v): %q, %q", err, rows, h.Get("Content-Disposition"))
	}

	file := "\ufeffEmail,displayName,redirectUrl,sendInvitation\n" +
		"ann@contoso.example,Ann Lee,,yes\n" +
		"bob@contoso.example,\"Bob, Jr.\",https://app.example/,no\n" +
		"not-an-address,,,no\n" +
		"\n" +
		"cid@contoso.example,,,maybe\n" +
		"dan@contoso.example,,,yes\n" +
		"eve@contoso.example,,,yes\n" +
		"fay@contoso.example,,,no\n"
	token := csrf(t, form)
	done := admin.b.Upload(t, admin.prefix+"/invite/bulk", url.Values{"csrf": {token}}, "file", "guests.csv", []byte(file))
	wantStatus(t, "bulk upload", done, http.StatusOK)
	if !strings.Contains(done.Body, "4 invited, 3 refused, 0 not tried.") {
		t.Errorf("summary:\n%.4000s", done.Body)
	}
	mails := guestMails(t, s, fab)
	for _, m := range []string{"ann@contoso.example", "bob@contoso.example", "dan@contoso.example", "fay@contoso.example"} {
		row := bulkResult(done.Body, m)
		if mails[m] == "" || !strings.Contains(row, `href="`+admin.prefix+`/guests/`+mails[m]+`"`) {
			t.Errorf("%s: in Graph as %q, row %q", m, mails[m], row)
		}
	}
	if row := bulkResult(done.Body, "bob@contoso.example"); !regexp.MustCompile(`/redeem\?`).MatchString(row) {
		t.Errorf("the unmailed invitation's row has no link to pass on: %q", row)
	}
	for m, want := range map[string]string{
		"not-an-address":      "Refused:",
		"cid@contoso.example": "sendInvitation must be yes or no.",
		"eve@contoso.example": "at most 2 invitation mails per hour",
	} {
		if row := bulkResult(done.Body, m); !strings.Contains(row, want) {
			t.Errorf("%s: row %q lacks %q", m, row, want)
		}
		if mails[m] != "" {
			t.Errorf("the refused row %s was invited", m)
		}
	}
	// The name with a comma came through whole, and the mails went out.
	var bob struct {
		DisplayName string `json:"displayName"`
	}
	wantAPI(t, "read Bob", s.DoJSON(t, "GET", "/v1.0/users/"+mails["bob@contoso.example"], fab.Token, nil, &bob), http.StatusOK)
	if bob.DisplayName != "Bob, Jr." {
		t.Errorf("Bob's display name is %q", bob.DisplayName)
	}
	s.WaitMail(t, "ann@contoso.example", 1, "")
	s.WaitMail(t, "dan@contoso.example", 1, "")

	var invited int
	for _, a := range audits(t, s, fab, filter("initiatedBy/user/id eq '"+admin.id+"'")) {
		if a.ActivityDisplayName == "Invite external user" {
			invited++
		}
	}
	if invited != 4 {
		t.Errorf("the audit log has %d invitations by the administrator, want 4", invited)
	}
}

// TestConsoleBulkRefusesWholeFile: a file too large, with too many rows,
// or with an unknown column is refused with a clear message, and nobody
// is invited.
func TestConsoleBulkRefusesWholeFile(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	admin := newConsoleAdmin(t, s, fab, "ada", globalAdmin)
	admin.signIn(t)
	token := csrf(t, admin.b.Get(t, admin.prefix+"/invite/bulk"))
	before := len(guestMails(t, s, fab))

	rowsOf := func(n int, pad int) []byte {
		var b strings.Builder
		b.WriteString("email,displayName\n")
		for i := range n {
			fmt.Fprintf(&b, "guest%d@contoso.example,%s\n", i, strings.Repeat("x", pad))
		}
		return []byte(b.String())
	}
	for name, tc := range map[string]struct {
		file   []byte
		status int
		want   string
	}{
		"over 256 KiB":       {rowsOf(400, 700), http.StatusRequestEntityTooLarge, "The file is too large: the limit is 256 KiB."},
		"far over the limit": {rowsOf(2000, 700), http.StatusRequestEntityTooLarge, "The file is too large: the limit is 256 KiB."},
		"501 rows":           {rowsOf(501, 0), http.StatusRequestEntityTooLarge, "The file has more than 500 guests."},
		"an unknown column":  {[]byte("email,role\nann@contoso.example,admin\n"), http.StatusBadRequest, "The header row must name the columns"},
		"a broken quote":     {[]byte("email,displayName\nann@contoso.example,\"Ann\nbob@contoso.example,Bob\n"), http.StatusBadRequest, "not valid CSV"},
		"only the header":    {[]byte("email\n"), http.StatusBadRequest, "The file has no guests"},
	} {
		p := admin.b.Upload(t, admin.prefix+"/invite/bulk", url.Values{"csrf": {token}}, "file", "guests.csv", tc.file)
		if p.Status != tc.status || !strings.Contains(p.Body, tc.want) {
			t.Errorf("%s: %d, want %d with %q\n%.2000s", name, p.Status, tc.status, tc.want, p.Body)
		}
	}
	if after := len(guestMails(t, s, fab)); after != before {
		t.Errorf("refused files invited %d users", after-before)
	}
	// Without the session's token the upload is refused like any form.
	p := admin.b.Upload(t, admin.prefix+"/invite/bulk", url.Values{}, "file", "guests.csv", rowsOf(1, 0))
	wantStatus(t, "upload without a token", p, http.StatusForbidden)
	if after := len(guestMails(t, s, fab)); after != before {
		t.Error("an upload without a CSRF token invited")
	}
}
