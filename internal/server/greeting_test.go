package server_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"guestlist/internal/mail/smtptest"

	"guestlist/internal/servertest"
)

// TestInviteMailGreetsNeutrallyWithoutName: a guest invited without
// invitedUserDisplayName keeps Entra's displayName (the start of the
// address) on the Graph object, but the invitation mail greets "Hello," and
// the consent page says the name was not given, instead of greeting
// "Hello greta,"; a name the inviter gave is used as before.
func TestInviteMailGreetsNeutrallyWithoutName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang, neutral, named, consentNoName, consentNamed string
	}{
		{"en", "Hello,\n", "Hello Greta Berg,\n", "Your name: not given yet", "Your name: Greta Berg"},
		{"de", "Hallo,\n", "Hallo Greta Berg,\n", "Ihr Name: noch nicht angegeben", "Ihr Name: Greta Berg"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			t.Parallel()
			s := servertest.New(t, servertest.Options{})
			tn := createTenant(t, s, "Fabrikam", tc.lang)

			email := "greta@contoso.com"
			inv := s.Invite(t, tn, email, map[string]any{"sendInvitationMessage": true})
			id := inv["invitedUser"].(map[string]any)["id"].(string)
			if got := user(t, s, tn, id)["displayName"]; got != "greta" {
				t.Errorf("Graph displayName %v, want Entra's default %q", got, "greta")
			}
			m := waitInvitationMail(t, s, email)
			if !strings.HasPrefix(m.TextBody, tc.neutral) || strings.Contains(m.TextBody, "greta,") ||
				strings.Contains(m.HTMLBody, "greta,") {
				t.Errorf("invitation without a name should open %q, not greet by the address:\n%s\n%s", tc.neutral, m.TextBody, m.HTMLBody)
			}
			g := s.NewGuest(tc.lang)
			base := openLink(t, g, inv["inviteRedeemUrl"].(string))
			mustSend(t, g, base, false)
			wantConsentNext(t, enter(t, g, base, waitCode(t, s, email, 1)), base)
			if p := g.Get(t, base+"/signin/consent"); p.Status != http.StatusOK ||
				!strings.Contains(p.Body, tc.consentNoName) || strings.Contains(p.Body, tc.consentNamed[:len(tc.consentNamed)-len("Greta Berg")]+"greta") {
				t.Errorf("consent page without a name: %d, want %q\n%s", p.Status, tc.consentNoName, p.Body)
			}

			named := "lena@contoso.com"
			inv = s.Invite(t, tn, named, map[string]any{"sendInvitationMessage": true, "invitedUserDisplayName": "Greta Berg"})
			if m := waitInvitationMail(t, s, named); !strings.HasPrefix(m.TextBody, tc.named) {
				t.Errorf("invitation with a name should open %q:\n%s", tc.named, m.TextBody)
			}
			g = s.NewGuest(tc.lang)
			base = openLink(t, g, inv["inviteRedeemUrl"].(string))
			mustSend(t, g, base, false)
			wantConsentNext(t, enter(t, g, base, waitCode(t, s, named, 1)), base)
			if p := g.Get(t, base+"/signin/consent"); !strings.Contains(p.Body, tc.consentNamed) {
				t.Errorf("consent page with a name: want %q\n%s", tc.consentNamed, p.Body)
			}
		})
	}
}

// waitInvitationMail waits for the invitation mail to email: the one that
// carries a redeem link.
func waitInvitationMail(t testing.TB, s *servertest.Server, email string) smtptest.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	m, err := s.SMTP.WaitFor(ctx, func(m smtptest.Message) bool {
		return slices.Contains(m.To, email) && strings.Contains(m.TextBody, "/redeem?t=")
	})
	if err != nil {
		t.Fatalf("invitation mail to %s: %v", email, err)
	}
	return m
}
