package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"guestlist/internal/servertest"
)

// graphUser is Graph's user as the admin API returns it, as much as the
// tests read.
type graphUser struct {
	ID                string `json:"id"`
	DisplayName       string `json:"displayName"`
	Mail              string `json:"mail"`
	UserPrincipalName string `json:"userPrincipalName"`
	UserType          string `json:"userType"`
	ExternalUserState string `json:"externalUserState"`
	AccountEnabled    *bool  `json:"accountEnabled"`
	Identities        []struct {
		SignInType       string `json:"signInType"`
		Issuer           string `json:"issuer"`
		IssuerAssignedID string `json:"issuerAssignedId"`
	} `json:"identities"`
	PreferredLanguage *string  `json:"preferredLanguage"`
	GivenName         *string  `json:"givenName"`
	Surname           *string  `json:"surname"`
	JobTitle          *string  `json:"jobTitle"`
	OfficeLocation    *string  `json:"officeLocation"`
	MobilePhone       *string  `json:"mobilePhone"`
	BusinessPhones    []string `json:"businessPhones"`
}

// graphInvitation is the invitation answer, as much as the tests read.
type graphInvitation struct {
	InvitedUserEmailAddress string `json:"invitedUserEmailAddress"`
	InviteRedeemURL         string `json:"inviteRedeemUrl"`
	Status                  string `json:"status"`
	InvitedUser             struct {
		ID string `json:"id"`
	} `json:"invitedUser"`
}

// getUser reads a user as an administrator would.
func getUser(t testing.TB, s *servertest.Server, tn servertest.Tenant, id string) graphUser {
	t.Helper()
	var u graphUser
	wantAPI(t, "GET user "+id, s.DoJSON(t, "GET", "/v1.0/users/"+id+"?"+userProps, tn.Token, nil, &u), http.StatusOK)
	return u
}

// resetTo resets the redemption of user id to the address email.
func resetTo(t testing.TB, s *servertest.Server, tn servertest.Tenant, id, email string, out any) int {
	t.Helper()
	return s.DoJSON(t, "POST", "/v1.0/invitations", tn.Token, map[string]any{
		"invitedUserEmailAddress": email, "inviteRedirectUrl": redirectURL,
		"resetRedemption": true, "invitedUser": map[string]any{"id": id},
	}, out)
}

// acceptConsent accepts on the consent page a code led to.
func acceptConsent(t testing.TB, g *servertest.Guest, p servertest.Page) {
	t.Helper()
	base := servertest.TenantBase(p.Location)
	wantConsentNext(t, p, base)
	landed := g.Post(t, base+"/signin/consent", url.Values{"action": {"accept"}})
	if landed.Status != http.StatusSeeOther || landed.Location != redirectURL {
		t.Fatalf("consent: %d to %q, want the redirect URL", landed.Status, landed.Location)
	}
}

// TestResetRedemptionToNewAddress (R13, R2): a reset with a new address
// makes it the guest's mail and user principal name; the next code goes
// to the new mailbox, the redeemed identity names it, and the old address
// no longer gets a code. An address another user of the tenant has, in
// any case or spelling of its domain, is refused and changes nothing.
func TestResetRedemptionToNewAddress(t *testing.T) {
	s, tn := newFabrikam(t, servertest.Options{})
	const oldAddr = "alice@contoso.example"
	inv := invite(t, s, tn, oldAddr)
	first := s.NewGuest("en")
	acceptConsent(t, first, first.Redeem(t, inv.link, oldAddr, 1))
	before := getUser(t, s, tn, inv.userID)

	// A sign-in at the old address, begun before the reset.
	early := s.NewGuest("en")
	earlyBase := startByAddress(t, early, tn.ID, oldAddr)

	// An IDN domain, typed in Unicode and mixed case: stored as A-label.
	const newTyped, newAddr = "Alice@Bücher.example", "Alice@xn--bcher-kva.example"
	var reset graphInvitation
	wantAPI(t, "reset to a new address", resetTo(t, s, tn, inv.userID, newTyped, &reset), http.StatusCreated)
	if reset.InvitedUserEmailAddress != newAddr || reset.InvitedUser.ID != inv.userID || reset.Status != "PendingAcceptance" {
		t.Errorf("reset answer: %+v", reset)
	}
	u := getUser(t, s, tn, inv.userID)
	wantUPN := "alice_xn--bcher-kva.example#EXT#@" + strings.SplitN(before.UserPrincipalName, "#EXT#@", 2)[1]
	if u.Mail != newAddr || u.UserPrincipalName != wantUPN || u.ExternalUserState != "PendingAcceptance" {
		t.Errorf("user after the reset: mail %q, upn %q, state %q; want %q, %q, PendingAcceptance",
			u.Mail, u.UserPrincipalName, u.ExternalUserState, newAddr, wantUPN)
	}
	var found struct {
		Value []graphUser `json:"value"`
	}
	q := url.Values{"$filter": {"mail eq 'ALICE@bücher.example'"}}
	wantAPI(t, "filter by the new address", s.DoJSON(t, "GET", "/v1.0/users?"+q.Encode(), tn.Token, nil, &found), http.StatusOK)
	if len(found.Value) != 1 || found.Value[0].ID != inv.userID {
		t.Errorf("users with the new address: %+v", found.Value)
	}

	// The old address gets a note, not a code: in the sign-in begun
	// before the reset, and in one begun after it.
	oldMails := codesMailed(t, s, oldAddr)
	mustSend(t, early, earlyBase, false)
	stranger := s.NewGuest("en")
	mustSend(t, stranger, startByAddress(t, stranger, tn.ID, oldAddr), false)
	for n := 1; n <= 2; n++ {
		if m := s.WaitMail(t, oldAddr, n, "Fabrikam has not invited this address."); servertest.CodeIn(m) != "" {
			t.Errorf("the old address got a code: %q", m.TextBody)
		}
	}
	if n := codesMailed(t, s, oldAddr); n != oldMails+2 {
		t.Fatalf("mails to the old address: %d, want two notes more than %d", n, oldMails)
	}

	// The new link's code goes to the new mailbox, and redeems.
	g := s.NewGuest("en")
	acceptConsent(t, g, g.Redeem(t, reset.InviteRedeemURL, newAddr, 1))
	u = getUser(t, s, tn, inv.userID)
	if u.ExternalUserState != "Accepted" || len(u.Identities) != 1 || u.Identities[0].IssuerAssignedID != newAddr {
		t.Errorf("after redeeming at the new address: %+v", u)
	}

	// Another guest's address, in another case and spelling: refused.
	other := invite(t, s, tn, "bob@bücher.example")
	var e graphError
	wantAPI(t, "reset to another user's address", resetTo(t, s, tn, inv.userID, "BOB@BÜCHER.example", &e), http.StatusConflict)
	if e.Error.Code != "Request_MultipleObjectsWithSameKeyFound" || !strings.Contains(strings.ToLower(e.Error.Message), "bob@xn--bcher-kva.example") {
		t.Errorf("conflict answer: %+v", e)
	}
	if u := getUser(t, s, tn, inv.userID); u.Mail != newAddr || u.ExternalUserState != "Accepted" {
		t.Errorf("the refused reset changed the user: %+v", u)
	}
	if b := getUser(t, s, tn, other.userID); b.Mail != "bob@xn--bcher-kva.example" {
		t.Errorf("the refused reset changed the other user: %+v", b)
	}
}

// TestResetToNewAddressEndsOldSignIns (R13): what was proved at the old
// address before a reset to a new one proves nothing after it — a code
// mailed there does not sign in, and a sign-in that reached consent
// cannot redeem the guest.
func TestResetToNewAddressEndsOldSignIns(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	const oldAddr, newAddr = "carol@contoso.example", "carol@fabrikam-partner.example"
	inv := invite(t, s, tn, oldAddr)

	atConsent := s.NewGuest("en")
	consentBase := openLink(t, atConsent, inv.link)
	mustSend(t, atConsent, consentBase, false)
	wantConsentNext(t, enter(t, atConsent, consentBase, waitCode(t, s, oldAddr, 1)), consentBase)

	s.Clock.Advance(time.Minute) // past the 30 s between codes (R23)
	holdingCode := s.NewGuest("en")
	codeBase := startByAddress(t, holdingCode, tn.ID, oldAddr)
	mustSend(t, holdingCode, codeBase, false)
	code := waitCode(t, s, oldAddr, 2)

	wantAPI(t, "reset to a new address", resetTo(t, s, tn, inv.userID, newAddr, nil), http.StatusCreated)
	wantRefused(t, atConsent.Post(t, consentBase+"/signin/consent", url.Values{"action": {"accept"}}), http.StatusBadRequest, textNoFlow)
	if p := enter(t, holdingCode, codeBase, code); p.Status == http.StatusSeeOther {
		t.Errorf("a code mailed to the old address signed in after the reset: to %q", p.Location)
	}
	if u := getUser(t, s, tn, inv.userID); u.ExternalUserState != "PendingAcceptance" || len(u.Identities) != 1 || u.Identities[0].Issuer == "mail" {
		t.Errorf("the old address redeemed the guest: %+v", u)
	}
}
