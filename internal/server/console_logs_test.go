package server_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// TestConsoleLogs: the audit and sign-in logs in the console hold what
// Graph's auditLogs answer, filter by user and result, and export as CSV
// with a formula in a value neutralised.
func TestConsoleLogs(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	admin := newConsoleAdmin(t, s, fab, "ada", globalAdmin)
	admin.signIn(t)

	// A change by the admin application, whose name is a formula.
	const formula = `=HYPERLINK("https://evil.example/","open me")`
	var app struct {
		AppID string `json:"appId"`
	}
	wantAPI(t, "create application", s.DoJSON(t, "POST", "/v1.0/applications", fab.Token,
		map[string]any{"displayName": formula}, &app), http.StatusCreated)
	// A change by the console's administrator.
	page := admin.b.Get(t, admin.prefix+"/invite")
	wantStatus(t, "invite", admin.b.Post(t, admin.prefix+"/invite", url.Values{"csrf": {csrf(t, page)},
		"email": {"greta@contoso.example"}, "redirect": {"https://app.example/"}}), http.StatusOK)
	// The guest redeems, first mistyping the code: a failure, then a success.
	inv := s.Invite(t, fab, "greta@contoso.example", nil)
	g := s.NewGuest("en")
	base := openLink(t, g, inv["inviteRedeemUrl"].(string))
	mustSend(t, g, base, false)
	code := waitCode(t, s, "greta@contoso.example", 1)
	wrong := code[:len(code)-1] + string(rune('0'+(code[len(code)-1]-'0'+1)%10))
	enter(t, g, base, wrong)
	wantConsentNext(t, enter(t, g, base, code), base)

	// The audit log: newest first, as Graph has it; by the administrator.
	graphAudits := audits(t, s, fab, "")
	if len(graphAudits) == 0 {
		t.Fatal("Graph's audit log is empty")
	}
	auditPage := admin.b.Get(t, admin.prefix+"/logs/audit")
	wantStatus(t, "audit log", auditPage, http.StatusOK)
	first := strings.Index(auditPage.Body, "<td>"+graphAudits[0].ActivityDisplayName+"</td>")
	if first < 0 || strings.Index(auditPage.Body, "<td>Add application</td>") < first {
		t.Errorf("the audit page does not list %q first:\n%.4000s", graphAudits[0].ActivityDisplayName, auditPage.Body)
	}
	mine := admin.b.Get(t, admin.prefix+"/logs/audit?user="+url.QueryEscape(admin.mail))
	if !strings.Contains(mine.Body, "<td>Invite external user</td>") || strings.Contains(mine.Body, "Add application") {
		t.Errorf("the audit log filtered by the administrator:\n%.4000s", mine.Body)
	}

	// The sign-in log: the guest's failure and success, filtered by result.
	graphSignIns := signIns(t, s, fab, filter("status/errorCode ne 0"))
	if len(graphSignIns) == 0 {
		t.Fatal("Graph's sign-in log has no failure")
	}
	failures := admin.b.Get(t, admin.prefix+"/logs/signins?result=failure&user=greta%40contoso.example")
	wantStatus(t, "sign-in failures", failures, http.StatusOK)
	if got := strings.Count(failures.Body, ">Failure</span>"); got != len(graphSignIns) || strings.Contains(failures.Body, "<td>Success</td>") {
		t.Errorf("the failures page shows %d failures, Graph %d:\n%.4000s", got, len(graphSignIns), failures.Body)
	}
	if ok := admin.b.Get(t, admin.prefix+"/logs/signins?result=success"); !strings.Contains(ok.Body, "greta_contoso.example#EXT#") || strings.Contains(ok.Body, ">Failure</span>") {
		t.Errorf("the successes page:\n%.4000s", ok.Body)
	}
	if none := admin.b.Get(t, admin.prefix+"/logs/signins?to=2000-01-01"); !strings.Contains(none.Body, "No records match these filters.") {
		t.Error("a window before any sign-in still lists sign-ins")
	}
	for _, q := range []string{"from=yesterday", "result=maybe", "user=not%40an%40address"} {
		wantStatus(t, q, admin.b.Get(t, admin.prefix+"/logs/signins?"+q), http.StatusBadRequest)
	}

	// The audit log as CSV.
	file, h := admin.b.Download(t, admin.prefix+"/logs/audit.csv")
	wantStatus(t, "audit CSV", file, http.StatusOK)
	if cd := h.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="audit-`) || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		t.Errorf("audit CSV headers: %q, %q", h.Get("Content-Type"), cd)
	}
	rows, err := csv.NewReader(strings.NewReader(file.Body)).ReadAll()
	if err != nil {
		t.Fatalf("the audit CSV does not parse: %v\n%s", err, file.Body)
	}
	if len(rows) != len(graphAudits)+1 || !slices.Equal(rows[0][:4], []string{"activityDateTime", "activityDisplayName", "category", "result"}) {
		t.Fatalf("audit CSV: %d rows (Graph has %d), header %q", len(rows), len(graphAudits), rows[0])
	}
	var added []string
	for _, r := range rows[1:] {
		if r[1] == "Add application" {
			added = r
		}
	}
	if added == nil || added[6] != "'"+formula || added[3] != "success" || !strings.HasPrefix(added[0], "20") {
		t.Errorf("the application's row is %q: want the target %q neutralised", added, formula)
	}

	// The sign-in log as CSV, filtered like the page.
	file, _ = admin.b.Download(t, admin.prefix+"/logs/signins.csv?result=failure")
	rows, err = csv.NewReader(strings.NewReader(file.Body)).ReadAll()
	if err != nil || len(rows) != len(graphSignIns)+1 || rows[0][2] != "userPrincipalName" {
		t.Fatalf("sign-in CSV (%v): %q", err, rows)
	}
	if r := rows[1]; r[8] != "failure" || r[9] == "0" || !strings.Contains(r[2], "greta") {
		t.Errorf("a failed sign-in's row is %q", r)
	}
}

// TestConsoleLogRoles: reading the logs takes a role that may read them.
func TestConsoleLogRoles(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	inviter := newConsoleAdmin(t, s, fab, "ivan", guestInv)
	list := inviter.signIn(t)
	if strings.Contains(list.Body, "/logs/") {
		t.Error("the Guest Inviter's navigation offers the logs")
	}
	for _, path := range []string{"/logs/audit", "/logs/signins", "/logs/audit.csv", "/logs/signins.csv?result=failure"} {
		p, h := inviter.b.Download(t, inviter.prefix+path)
		wantStatus(t, "Guest Inviter opens "+path, p, http.StatusForbidden)
		if h.Get("Content-Disposition") != "" || strings.Contains(p.Body, "activityDateTime") {
			t.Errorf("the Guest Inviter got a file from %s", path)
		}
	}
}
