package server_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	invites "guestlist/internal/invite"
	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

// lcInvitation is an invitation as GET /v1.0/invitations shows it, with
// guestlist's lifecycle properties (SPEC R8).
type lcInvitation struct {
	ID                 string `json:"id"`
	Status             string `json:"status"`
	InviteRedeemURL    string `json:"inviteRedeemUrl"`
	ExpirationDateTime string `json:"expirationDateTime"`
	RevokedDateTime    string `json:"revokedDateTime"`
	ResentCount        int    `json:"resentCount"`
	LastResentDateTime string `json:"lastResentDateTime"`
	InvitedUser        struct {
		ID string `json:"id"`
	} `json:"invitedUser"`
	MessageDelivery *struct {
		Status       string `json:"status"`
		Attempts     int    `json:"attempts"`
		LastError    string `json:"lastError"`
		SentDateTime string `json:"sentDateTime"`
	} `json:"messageDelivery"`
}

// lcAnswer is an answer that is an invitation or Graph's error.
type lcAnswer struct {
	lcInvitation
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

type lcPage struct {
	Value    []lcInvitation `json:"value"`
	NextLink string         `json:"@odata.nextLink"`
}

// lcInvite invites email and returns the invitation as created.
func lcInvite(t *testing.T, s *servertest.Server, tn servertest.Tenant, email string, extra map[string]any) lcInvitation {
	t.Helper()
	body := map[string]any{"invitedUserEmailAddress": email, "inviteRedirectUrl": redirectURL}
	for k, v := range extra {
		body[k] = v
	}
	var a lcAnswer
	if st := s.DoJSON(t, "POST", "/v1.0/invitations", tn.Token, body, &a); st != http.StatusCreated {
		t.Fatalf("invite %s: %d %+v", email, st, a.Error)
	}
	return a.lcInvitation
}

// lcDo sends one request about an invitation and returns the status and
// the answer.
func lcDo(t *testing.T, s *servertest.Server, tn servertest.Tenant, method, path string) (int, lcAnswer) {
	t.Helper()
	var a lcAnswer
	st := s.DoJSON(t, method, path, tn.Token, nil, &a)
	return st, a
}

// lcMust is lcDo of a request that must answer 200.
func lcMust(t *testing.T, s *servertest.Server, tn servertest.Tenant, method, path string) lcInvitation {
	t.Helper()
	st, a := lcDo(t, s, tn, method, path)
	if st != http.StatusOK {
		t.Fatalf("%s %s: %d %+v", method, path, st, a.Error)
	}
	return a.lcInvitation
}

// lcList walks every page of GET /v1.0/invitations with query and returns
// the ids, sorted (invitations made at one instant list in id order), and
// how many pages it took.
func lcList(t *testing.T, s *servertest.Server, tn servertest.Tenant, query string) ([]string, int) {
	t.Helper()
	var ids []string
	path, pages := "/v1.0/invitations"+query, 0
	for path != "" {
		var p lcPage
		if st := s.DoJSON(t, "GET", path, tn.Token, nil, &p); st != http.StatusOK {
			t.Fatalf("GET %s: %d", path, st)
		}
		for _, inv := range p.Value {
			ids = append(ids, inv.ID)
		}
		pages++
		path = strings.TrimPrefix(p.NextLink, s.URL)
	}
	slices.Sort(ids)
	return ids, pages
}

func statusFilter(status string) string {
	return "?$filter=" + url.QueryEscape("status eq '"+status+"'")
}

// redeemToConsent takes a guest from the link to the consent page.
func redeemToConsent(t *testing.T, g *servertest.Guest, link, email string, n int) string {
	t.Helper()
	p := g.Redeem(t, link, email, n)
	base := servertest.TenantBase(link)
	wantConsentNext(t, p, base)
	return base
}

// accept presses Accept on the consent page.
func accept(t *testing.T, g *servertest.Guest, base string) servertest.Page {
	t.Helper()
	return g.Post(t, base+"/signin/consent", url.Values{"action": {"accept"}})
}

// TestInvitationListByStatus: the list is pending invitations unless
// $filter (or the older ?status=) names Completed, Revoked or Expired; each
// status lists exactly its own, an expired one by the time alone; the
// filtered lists page; an unknown status or property is 400.
func TestInvitationListByStatus(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	pending := lcInvite(t, s, tn, "pending@contoso.example", nil)
	expiring := lcInvite(t, s, tn, "expiring@contoso.example", map[string]any{
		"expirationDateTime": s.Clock.Now().Add(time.Hour).Format(time.RFC3339)})
	done := lcInvite(t, s, tn, "done@contoso.example", nil)
	g := s.NewGuest("en")
	if p := accept(t, g, redeemToConsent(t, g, done.InviteRedeemURL, "done@contoso.example", 1)); p.Status != http.StatusSeeOther {
		t.Fatalf("consent: %d %.300s", p.Status, p.Body)
	}
	var revoked []string
	for _, addr := range []string{"r1@contoso.example", "r2@contoso.example", "r3@contoso.example"} {
		inv := lcInvite(t, s, tn, addr, nil)
		lcMust(t, s, tn, "POST", "/v1.0/invitations/"+inv.ID+"/revoke")
		revoked = append(revoked, inv.ID)
	}

	before, _ := lcList(t, s, tn, "")
	if want := slices.Sorted(slices.Values([]string{pending.ID, expiring.ID})); !slices.Equal(before, want) {
		t.Errorf("pending before the expiry: %v, want %v", before, want)
	}
	slices.Sort(revoked)
	s.Clock.Advance(time.Hour)
	for _, tc := range []struct {
		query string
		want  []string
		pages int
	}{
		{"", []string{pending.ID}, 1},
		{statusFilter("PendingAcceptance"), []string{pending.ID}, 1},
		{statusFilter("Expired"), []string{expiring.ID}, 1},
		{statusFilter("Completed"), []string{done.ID}, 1},
		{statusFilter("Revoked"), revoked, 1},
		{statusFilter("Revoked") + "&$top=2", revoked, 2},
		{"?status=Revoked&$top=1", revoked, 3},
	} {
		got, pages := lcList(t, s, tn, tc.query)
		if !slices.Equal(got, tc.want) || pages != tc.pages {
			t.Errorf("GET /v1.0/invitations%s: %v in %d pages, want %v in %d", tc.query, got, pages, tc.want, tc.pages)
		}
	}
	if got := lcMust(t, s, tn, "GET", "/v1.0/invitations/"+expiring.ID); got.Status != "Expired" {
		t.Errorf("expired invitation reads %q", got.Status)
	}
	for _, q := range []string{statusFilter("Everything"), "?$filter=" + url.QueryEscape("email eq 'a@b.example'"), "?$orderby=id"} {
		if st, a := lcDo(t, s, tn, "GET", "/v1.0/invitations"+q); st != http.StatusBadRequest || a.Error.Code == "" {
			t.Errorf("GET /v1.0/invitations%s: %d %+v, want 400", q, st, a.Error)
		}
	}
}

// TestInvitationDeliveryStates: each invitation shows its mail as sent
// (with the time), queued while the relay defers it, or failed with a
// reason that names the refused address as the cause but no host, port or
// relay text.
func TestInvitationDeliveryStates(t *testing.T) {
	t.Parallel()
	s, ev := mailServer(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam")
	mailed := map[string]any{"sendInvitationMessage": true}

	sent := lcInvite(t, s, tn, "ann@contoso.example", mailed)
	d := waitDelivery(t, s, ev, tn, sent.ID, "sent", func(d delivery) bool { return d.Status == "sent" })
	if d.Sent == "" {
		t.Errorf("sent mail without sentDateTime: %+v", d)
	}

	s.SMTP.SetFailure(451)
	deferred := lcInvite(t, s, tn, "bob@contoso.example", mailed)
	waitDelivery(t, s, ev, tn, deferred.ID, "a deferred attempt", retried)

	s.SMTP.SetFailure(550)
	refused := lcInvite(t, s, tn, "nobody@contoso.example", mailed)
	d = waitDelivery(t, s, ev, tn, refused.ID, "failed", func(d delivery) bool { return d.Status == "failed" })
	u, _ := url.Parse(s.SMTP.URL())
	if !strings.Contains(d.LastError, "refused the recipient's address") ||
		strings.Contains(d.LastError, u.Hostname()) || strings.Contains(d.LastError, u.Port()) || strings.Contains(d.LastError, "smtptest") {
		t.Errorf("lastError %q: want the refused address named as the cause, and no relay text or address", d.LastError)
	}

	var p lcPage
	if st := s.DoJSON(t, "GET", "/v1.0/invitations", tn.Token, nil, &p); st != http.StatusOK || len(p.Value) != 3 {
		t.Fatalf("list: %d, %d invitations", st, len(p.Value))
	}
	want := map[string]string{sent.ID: "sent", deferred.ID: "queued", refused.ID: "failed"}
	for _, inv := range p.Value {
		if inv.MessageDelivery == nil || inv.MessageDelivery.Status != want[inv.ID] {
			t.Errorf("listed invitation %s: delivery %+v, want %s", inv.ID, inv.MessageDelivery, want[inv.ID])
		}
	}
}

// TestInvitationResend: a resend mails the same link again as a new
// message (another Message-ID) and counts; it is held to the invitation
// mail limits (429 with Retry-After); an invitation made without a mail,
// a redeemed one and a revoked one cannot be resent, and say why.
func TestInvitationResend(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, withConfig(func(c *server.Config) {
		c.InviteMail = &invites.MailLimits{PerHour: 100, PerRecipientDay: 2}
	}))
	const email = "ann@contoso.example"
	inv := lcInvite(t, s, tn, email, map[string]any{"sendInvitationMessage": true})
	first := s.WaitMail(t, email, 1, inv.InviteRedeemURL)

	got := lcMust(t, s, tn, "POST", "/v1.0/invitations/"+inv.ID+"/resend")
	if got.Status != "PendingAcceptance" || got.ResentCount != 1 || got.LastResentDateTime == "" || got.MessageDelivery == nil {
		t.Errorf("after a resend: %+v", got)
	}
	second := s.WaitMail(t, email, 2, inv.InviteRedeemURL)
	if first.MessageID() == "" || first.MessageID() == second.MessageID() {
		t.Errorf("Message-IDs %q and %q: want two different messages", first.MessageID(), second.MessageID())
	}
	if second.Subject != first.Subject {
		t.Errorf("resent subject %q, first %q", second.Subject, first.Subject)
	}

	r := send(t, s, "POST", "/v1.0/invitations/"+inv.ID+"/resend", map[string]string{"Authorization": "Bearer " + tn.Token}, "")
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || !strings.Contains(string(r.Body), "TooManyRequests") {
		t.Errorf("third mail in a day: %d (Retry-After %q) %s, want 429", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	if got := lcMust(t, s, tn, "GET", "/v1.0/invitations/"+inv.ID); got.ResentCount != 1 {
		t.Errorf("a refused resend was counted: %d", got.ResentCount)
	}

	quiet := lcInvite(t, s, tn, "quiet@contoso.example", nil)
	g := s.NewGuest("en")
	if p := accept(t, g, redeemToConsent(t, g, inv.InviteRedeemURL, email, 1)); p.Status != http.StatusSeeOther {
		t.Fatalf("consent: %d", p.Status)
	}
	revoked := lcInvite(t, s, tn, "gone@contoso.example", nil)
	lcMust(t, s, tn, "POST", "/v1.0/invitations/"+revoked.ID+"/revoke")
	for _, tc := range []struct{ name, id, why string }{
		{"without a mail", quiet.ID, "sendInvitationMessage"},
		{"redeemed", inv.ID, "redeemed"},
		{"revoked", revoked.ID, "revoked"},
	} {
		st, a := lcDo(t, s, tn, "POST", "/v1.0/invitations/"+tc.id+"/resend")
		if st != http.StatusBadRequest || !strings.Contains(a.Error.Message, tc.why) {
			t.Errorf("resend %s: %d %+v, want 400 saying %q", tc.name, st, a.Error, tc.why)
		}
	}
	if st, _ := lcDo(t, s, tn, "POST", "/v1.0/invitations/no-such-id/resend"); st != http.StatusNotFound {
		t.Errorf("resend of an unknown invitation: %d", st)
	}
}
