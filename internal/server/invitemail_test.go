package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	invites "guestlist/internal/invite"
	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

type listJSON struct {
	Value []struct {
		ID string `json:"id"`
	} `json:"value"`
}

// inviteRaw posts an invitation with a mail and returns the status, the
// Retry-After header and Graph's error code.
func inviteRaw(t *testing.T, s *servertest.Server, tn servertest.Tenant, email, body string) (int, string, string) {
	t.Helper()
	raw, _ := json.Marshal(map[string]any{"invitedUserEmailAddress": email, "inviteRedirectUrl": "https://app.example/",
		"sendInvitationMessage": true, "invitedUserMessageInfo": map[string]any{"customizedMessageBody": body}})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+"/v1.0/invitations", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tn.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ge graphError
	if resp.StatusCode != http.StatusCreated {
		if err := json.NewDecoder(resp.Body).Decode(&ge); err != nil {
			t.Fatalf("%d without Graph's error JSON: %v", resp.StatusCode, err)
		}
	}
	return resp.StatusCode, resp.Header.Get("Retry-After"), ge.Error.Code
}

func count(t *testing.T, s *servertest.Server, tn servertest.Tenant, path string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+tn.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var l listJSON
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&l) != nil {
		t.Fatalf("GET %s: %d", path, resp.StatusCode)
	}
	return len(l.Value)
}

// TestInvitationMailIsLimited: an admin who mails the same outside address
// again and again, or many addresses, is stopped with 429 TooManyRequests
// and Retry-After; the refused invitation leaves no guest and no
// invitation behind; the limits free up as the clock moves on; another
// tenant is not affected.
func TestInvitationMailIsLimited(t *testing.T) {
	s := servertest.New(t, servertest.Options{Config: func(c *server.Config) {
		c.InviteMail = &invites.MailLimits{PerHour: 4, PerRecipientDay: 2}
	}})
	tn := s.CreateTenant(t, "Fabrikam")
	spam := strings.Repeat("Buy now! ", 1000)

	for i := range 2 {
		if st, _, code := inviteRaw(t, s, tn, "target@outside.example", spam); st != http.StatusCreated {
			t.Fatalf("mail %d to one address: %d %s", i+1, st, code)
		}
	}
	st, retry, code := inviteRaw(t, s, tn, "target@outside.example", spam)
	if st != http.StatusTooManyRequests || code != "TooManyRequests" {
		t.Fatalf("third mail to one address in a day: %d %s, want 429 TooManyRequests", st, code)
	}
	if n, err := strconv.Atoi(retry); err != nil || n <= 0 {
		t.Errorf("Retry-After %q, want seconds", retry)
	}
	if n := count(t, s, tn, "/v1.0/invitations"); n != 2 {
		t.Errorf("%d invitations after the refusal, want 2", n)
	}

	for i := range 2 {
		if st, _, code := inviteRaw(t, s, tn, fmt.Sprintf("other%d@outside.example", i), "hi"); st != http.StatusCreated {
			t.Fatalf("mail to another address: %d %s", st, code)
		}
	}
	if st, _, code := inviteRaw(t, s, tn, "fresh@outside.example", "hi"); st != http.StatusTooManyRequests || code != "TooManyRequests" {
		t.Fatalf("fifth mail in an hour: %d %s, want 429", st, code)
	}
	filter := "/v1.0/users?" + url.Values{"$filter": {"mail eq 'fresh@outside.example'"}}.Encode()
	if n := count(t, s, tn, filter); n != 0 {
		t.Errorf("the refused invitation left %d users behind", n)
	}
	if n := count(t, s, tn, "/v1.0/invitations"); n != 4 {
		t.Errorf("%d invitations, want 4", n)
	}

	other := s.CreateTenant(t, "Contoso")
	if st, _, code := inviteRaw(t, s, other, "target@outside.example", "hi"); st != http.StatusCreated {
		t.Errorf("another tenant is limited too: %d %s", st, code)
	}

	s.Clock.Advance(time.Hour + time.Second)
	if st, _, code := inviteRaw(t, s, tn, "fresh@outside.example", "hi"); st != http.StatusCreated {
		t.Errorf("an hour later: %d %s, want 201", st, code)
	}
	if st, _, _ := inviteRaw(t, s, tn, "target@outside.example", "hi"); st != http.StatusTooManyRequests {
		t.Errorf("an hour later the same address: %d, want 429 until a day has passed", st)
	}
	s.Clock.Advance(24 * time.Hour)
	tn.Token = s.AdminToken(t, tn) // the old one expired
	if st, _, code := inviteRaw(t, s, tn, "target@outside.example", "hi"); st != http.StatusCreated {
		t.Errorf("a day later the same address: %d %s, want 201", st, code)
	}
}
