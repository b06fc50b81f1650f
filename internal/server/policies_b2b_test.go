package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"guestlist/internal/servertest"
)

const b2bPath = "/v1.0/policies/b2bManagementPolicy"

// b2bDoc is Entra's B2BManagementPolicy document.
type b2bDoc struct {
	B2BManagementPolicy struct {
		PreviewPolicy struct {
			Features []string `json:"Features"`
		} `json:"PreviewPolicy"`
		InvitationsAllowedAndBlockedDomainsPolicy struct {
			AllowedDomains []string `json:"AllowedDomains,omitempty"`
			BlockedDomains []string `json:"BlockedDomains,omitempty"`
		} `json:"InvitationsAllowedAndBlockedDomainsPolicy"`
	} `json:"B2BManagementPolicy"`
}

// b2bResource is the policy resource, the document as its definition.
type b2bResource struct {
	ID         string   `json:"id"`
	Definition []string `json:"definition"`
}

// document reads the resource's one definition string.
func (r b2bResource) document(t *testing.T) b2bDoc {
	t.Helper()
	var d b2bDoc
	if len(r.Definition) != 1 || json.Unmarshal([]byte(r.Definition[0]), &d) != nil {
		t.Fatalf("definition = %q, want one JSON document", r.Definition)
	}
	return d
}

func getB2B(t *testing.T, s *servertest.Server, tn servertest.Tenant) b2bDoc {
	t.Helper()
	var r b2bResource
	if status := s.DoJSON(t, "GET", b2bPath, tn.Token, nil, &r); status != http.StatusOK || r.ID != "b2bManagementPolicy" {
		t.Fatalf("GET b2b policy: %d %+v", status, r)
	}
	return r.document(t)
}

// putB2B puts doc as the definition's one string; raw sends body as is.
func putB2B(t *testing.T, s *servertest.Server, tn servertest.Tenant, doc string) b2bDoc {
	t.Helper()
	var r b2bResource
	if status := s.DoJSON(t, "PUT", b2bPath, tn.Token, map[string]any{"definition": []string{doc}}, &r); status != http.StatusOK {
		t.Fatalf("PUT b2b policy %s: %d", doc, status)
	}
	return r.document(t)
}

// TestB2BPolicyRoundTrip: the document is stored as sent, domains
// normalised, and OneTimePasscode is the email OTP setting itself: its
// removal turns OTP off and ends redeemed OTP guests' access at once, its
// return turns it on (R9, R26, R28). The bare document is taken too.
func TestB2BPolicyRoundTrip(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	d := getB2B(t, s, tn)
	if !slices.Equal(d.B2BManagementPolicy.PreviewPolicy.Features, []string{"OneTimePasscode"}) ||
		len(d.B2BManagementPolicy.InvitationsAllowedAndBlockedDomainsPolicy.BlockedDomains) != 0 ||
		d.B2BManagementPolicy.InvitationsAllowedAndBlockedDomainsPolicy.AllowedDomains != nil {
		t.Fatalf("new tenant's document = %+v", d)
	}
	back := invite(t, s, tn, "rob@contoso.com")
	g := s.NewGuest("en")
	redeemIn(t, s, g, back, 1, true)

	d = putB2B(t, s, tn, `{"B2BManagementPolicy":{"PreviewPolicy":{"Features":[]},
		"InvitationsAllowedAndBlockedDomainsPolicy":{"AllowedDomains":["Contoso.COM","*.Partner.example","bücher.example","contoso.com"]}}}`)
	want := []string{"contoso.com", "*.partner.example", "xn--bcher-kva.example"}
	if got := d.B2BManagementPolicy.InvitationsAllowedAndBlockedDomainsPolicy; !slices.Equal(got.AllowedDomains, want) || got.BlockedDomains != nil {
		t.Errorf("domains after PUT = %+v, want AllowedDomains %q", got, want)
	}
	if d.B2BManagementPolicy.PreviewPolicy.Features == nil || len(d.B2BManagementPolicy.PreviewPolicy.Features) != 0 {
		t.Errorf("Features after removing OneTimePasscode = %q, want []", d.B2BManagementPolicy.PreviewPolicy.Features)
	}
	if got := getB2B(t, s, tn); !slices.Equal(got.B2BManagementPolicy.InvitationsAllowedAndBlockedDomainsPolicy.AllowedDomains, want) {
		t.Errorf("GET after PUT = %+v", got)
	}
	if m := getEmailMethod(t, s, tn); m.Allow != "disabled" || m.Effective.Enabled {
		t.Fatalf("email policy after removing OneTimePasscode = %+v, want disabled", m)
	}
	wantRefused(t, g.Get(t, back.link), http.StatusForbidden, textOTPOff)

	// The bare document; a part left out stays as it is.
	s.Clock.Advance(time.Minute)
	var r b2bResource
	if status := s.DoJSON(t, "PUT", b2bPath, tn.Token,
		`{"B2BManagementPolicy":{"PreviewPolicy":{"Features":["OneTimePasscode"]}}}`, &r); status != http.StatusOK {
		t.Fatalf("PUT bare document: %d", status)
	}
	d = r.document(t)
	if !slices.Equal(d.B2BManagementPolicy.PreviewPolicy.Features, []string{"OneTimePasscode"}) ||
		!slices.Equal(d.B2BManagementPolicy.InvitationsAllowedAndBlockedDomainsPolicy.AllowedDomains, want) {
		t.Errorf("after the bare document: %+v", d)
	}
	if m := getEmailMethod(t, s, tn); m.Allow != "enabled" || m.State != "enabled" || !m.Effective.Enabled {
		t.Fatalf("email policy after OneTimePasscode = %+v, want enabled", m)
	}
	redeemIn(t, s, g, back, 2, false) // a new code: the old session ended
}

// TestB2BPolicyInvalid: a document with both lists, unknown keys or
// features, or an entry that is no domain is a Graph 400 naming what is
// wrong, and changes nothing.
func TestB2BPolicyInvalid(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	putB2B(t, s, tn, `{"B2BManagementPolicy":{"InvitationsAllowedAndBlockedDomainsPolicy":{"BlockedDomains":["spam.example"]}}}`)
	for _, c := range []struct{ body, want string }{
		{`{"definition":["{\"B2BManagementPolicy\":{\"InvitationsAllowedAndBlockedDomainsPolicy\":{\"AllowedDomains\":[\"a.example\"],\"BlockedDomains\":[\"b.example\"]}}}"]}`, "not both"},
		{`{"definition":["{\"B2BManagementPolicy\":{\"AutoRedeemPolicy\":{}}}"]}`, "AutoRedeemPolicy"},
		{`{"definition":["{\"B2BManagementPolicy\":{\"PreviewPolicy\":{\"Features\":[\"Teleport\"]}}}"]}`, "Teleport"},
		{`{"definition":["{\"B2BManagementPolicy\":{\"InvitationsAllowedAndBlockedDomainsPolicy\":{\"BlockedDomains\":[\"not a domain\"]}}}"]}`, "not a domain"},
		{`{"definition":["{\"B2BManagementPolicy\":{\"InvitationsAllowedAndBlockedDomainsPolicy\":{\"AllowedDomains\":[\"*.*.example\"]}}}"]}`, "*.*.example"},
		{`{"definition":["{}","{}"]}`, "exactly one"},
		{`{"B2BManagementPolicy":{"InvitationsAllowedAndBlockedDomainsPolicy":{"BlockedList":[]}}}`, "BlockedList"},
		{`{"definition":["{\"B2BManagementPolicy\":{}}"],"B2BManagementPolicy":{}}`, "not both"},
	} {
		var e graphError
		if status := s.DoJSON(t, "PUT", b2bPath, tn.Token, c.body, &e); status != http.StatusBadRequest ||
			e.Error.Code != "Request_BadRequest" || !strings.Contains(e.Error.Message, c.want) {
			t.Errorf("PUT %s: %d %+v, want 400 naming %q", c.body, status, e, c.want)
		}
	}
	d := getB2B(t, s, tn)
	if got := d.B2BManagementPolicy.InvitationsAllowedAndBlockedDomainsPolicy; !slices.Equal(got.BlockedDomains, []string{"spam.example"}) {
		t.Errorf("refused PUTs changed the list: %+v", got)
	}
}

// wantInviteRefused checks that inviting email is a Graph error naming
// every one of words.
func wantInviteRefused(t *testing.T, s *servertest.Server, tn servertest.Tenant, email string, status int, code string, words ...string) {
	t.Helper()
	var e graphError
	got := s.DoJSON(t, "POST", "/v1.0/invitations", tn.Token,
		map[string]any{"invitedUserEmailAddress": email, "inviteRedirectUrl": redirectURL}, &e)
	if got != status || e.Error.Code != code {
		t.Fatalf("invite %s: %d %+v, want %d %s", email, got, e, status, code)
	}
	for _, w := range words {
		if !strings.Contains(e.Error.Message, w) {
			t.Errorf("invite %s: message %q does not name %q", email, e.Error.Message, w)
		}
	}
}

// TestGuestDomainsAtInvitation: a block list refuses its domains, an
// allow list every other one (a *. entry covers subdomains); an address
// in the tenant's own domains is a member's and is never invited (R9).
func TestGuestDomainsAtInvitation(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	putB2B(t, s, tn, `{"B2BManagementPolicy":{"InvitationsAllowedAndBlockedDomainsPolicy":{"BlockedDomains":["contoso.com"]}}}`)
	wantInviteRefused(t, s, tn, "ann@Contoso.com", http.StatusBadRequest, "Request_BadRequest", "contoso.com", "BlockedDomains")
	invite(t, s, tn, "ann@eu.contoso.com") // a plain entry is that domain only

	putB2B(t, s, tn, `{"B2BManagementPolicy":{"InvitationsAllowedAndBlockedDomainsPolicy":{"AllowedDomains":["*.contoso.com","partner.example"]}}}`)
	wantInviteRefused(t, s, tn, "bob@other.example", http.StatusBadRequest, "Request_BadRequest", "other.example", "AllowedDomains")
	wantInviteRefused(t, s, tn, "bob@contoso.com", http.StatusBadRequest, "Request_BadRequest", "contoso.com", "AllowedDomains")
	invite(t, s, tn, "bob@us.contoso.com")
	invite(t, s, tn, "bob@partner.example")

	putB2B(t, s, tn, `{"B2BManagementPolicy":{"InvitationsAllowedAndBlockedDomainsPolicy":{"BlockedDomains":[]}}}`)
	wantInviteRefused(t, s, tn, "cy@fabrikam.example", http.StatusBadRequest, "Request_BadRequest", "fabrikam.example", "POST /v1.0/users")
	var org struct {
		Domain string `json:"userPrincipalName"`
	}
	s.DoJSON(t, "GET", "/v1.0/users/"+invite(t, s, tn, "dee@other.example").userID, tn.Token, nil, &org)
	initial := org.Domain[strings.LastIndex(org.Domain, "@")+1:]
	wantInviteRefused(t, s, tn, "cy@"+initial, http.StatusBadRequest, "Request_BadRequest", initial)
}

const textDomainDE = "Fabrikam akzeptiert keine Gäste mit einer E-Mail-Adresse Ihrer Domäne"
const textDomainEN = "Fabrikam does not accept guests with an email address in your domain"

// TestGuestDomainsAtRedemption: a list changed after the invitation
// stops pending guests at their link (in their language), at consent
// when they had already proved the address, and after a typed sign-in;
// a guest who already redeemed keeps signing in (R9, R25).
func TestGuestDomainsAtRedemption(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	pending := invite(t, s, tn, "pat@contoso.com")
	proving := invite(t, s, tn, "quinn@contoso.com")
	typed := invite(t, s, tn, "sam@contoso.com")
	done := invite(t, s, tn, "rob@contoso.com")
	redeemIn(t, s, s.NewGuest("en"), done, 1, true)
	gProving := s.NewGuest("en")
	base := openLink(t, gProving, proving.link)
	mustSend(t, gProving, base, false)
	wantConsentNext(t, enter(t, gProving, base, waitCode(t, s, proving.email, 1)), base)
	gTyped := s.NewGuest("en")
	typedBase := startByAddress(t, gTyped, tn.ID, typed.email)

	putB2B(t, s, tn, `{"B2BManagementPolicy":{"InvitationsAllowedAndBlockedDomainsPolicy":{"AllowedDomains":["partner.example"]}}}`)
	wantRefused(t, s.NewGuest("de").Get(t, pending.link), http.StatusForbidden, textDomainDE)
	wantRefused(t, gProving.Post(t, base+"/signin/consent", url.Values{"action": {"accept"}}), http.StatusForbidden, textDomainEN)
	mustSend(t, gTyped, typedBase, false)
	wantConsentNext(t, enter(t, gTyped, typedBase, waitCode(t, s, typed.email, 1)), typedBase)
	wantRefused(t, gTyped.Post(t, typedBase+"/signin/consent", url.Values{"action": {"accept"}}), http.StatusForbidden, textDomainEN)
	redeemIn(t, s, s.NewGuest("en"), done, 2, false)

	var u struct {
		State string `json:"externalUserState"`
	}
	for _, inv := range []invitation{pending, proving, typed} {
		if s.DoJSON(t, "GET", "/v1.0/users/"+inv.userID+"?$select=id,externalUserState", tn.Token, nil, &u); u.State != "PendingAcceptance" {
			t.Errorf("%s: externalUserState %q, want PendingAcceptance", inv.email, u.State)
		}
	}
}
