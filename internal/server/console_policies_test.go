package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// The console's guest sign-in policies (R43): each saved through the
// service Graph uses, seen through Graph afterwards, audited under the
// administrator's name.

type emailPolicyView struct {
	Allow     string `json:"allowExternalIdToUseEmailOtp"`
	Effective struct {
		Enabled bool `json:"enabled"`
	} `json:"effectiveForExternalUsers"`
}

type crossTenantView struct {
	IsServiceDefault bool `json:"isServiceDefault"`
	Redemption       struct {
		Primary  []string `json:"primaryIdentityProviderPrecedenceOrder"`
		Fallback string   `json:"fallbackIdentityProvider"`
	} `json:"invitationRedemptionIdentityProviderConfiguration"`
}

type b2bPolicyView struct {
	Definition []string `json:"definition"`
}

type b2bDomainsView struct {
	B2BManagementPolicy struct {
		Domains struct {
			Allowed []string `json:"AllowedDomains"`
			Blocked []string `json:"BlockedDomains"`
		} `json:"InvitationsAllowedAndBlockedDomainsPolicy"`
	} `json:"B2BManagementPolicy"`
}

type authzPolicyView struct {
	AllowInvitesFrom string `json:"allowInvitesFrom"`
}

func readEmailPolicy(t *testing.T, s *servertest.Server, tn servertest.Tenant) emailPolicyView {
	t.Helper()
	var v emailPolicyView
	wantAPI(t, "email policy", s.DoJSON(t, "GET", emailPolicyPath, tn.Token, nil, &v), http.StatusOK)
	return v
}

// post posts a console form with the page's CSRF token.
func (a *consoleAdmin) post(t *testing.T, path, token string, form url.Values) servertest.Page {
	t.Helper()
	f := url.Values{"csrf": {token}}
	for k, v := range form {
		f[k] = v
	}
	return a.b.Post(t, a.prefix+path, f)
}

// TestConsolePolicies: a Global Administrator sets each policy from the
// console; Graph shows it, and the audit log names the administrator.
func TestConsolePolicies(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	admin := newConsoleAdmin(t, s, fab, "ada", globalAdmin)
	admin.signIn(t)

	page := admin.b.Get(t, admin.prefix+"/policies")
	wantStatus(t, "policies page", page, http.StatusOK)
	for _, want := range []string{`value="default" checked`, "Guests can use an email one-time passcode now.",
		"Why: the setting is Default", "The default order applies", `<option value="everyone" selected>`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("policies page lacks %q", want)
		}
	}
	token := csrf(t, page)

	// Who may invite.
	wantStatus(t, "invites", admin.post(t, "/policies/invites", token, url.Values{"allow": {"adminsAndGuestInviters"}}), http.StatusSeeOther)
	var authz authzPolicyView
	wantAPI(t, "authorization policy", s.DoJSON(t, "GET", "/v1.0/policies/authorizationPolicy", fab.Token, nil, &authz), http.StatusOK)
	if authz.AllowInvitesFrom != "adminsAndGuestInviters" {
		t.Errorf("allowInvitesFrom = %q", authz.AllowInvitesFrom)
	}

	// The redemption order: Google first, then the home tenant, no
	// federation; the passcode only as fallback.
	order := admin.post(t, "/policies/order", token, url.Values{"primary": {"google", "home", ""}, "fallback": {"otp"}})
	wantStatus(t, "order", order, http.StatusSeeOther)
	if order.Location != admin.prefix+"/policies?done=order" {
		t.Errorf("order: to %q", order.Location)
	}
	var ct crossTenantView
	wantAPI(t, "cross-tenant default", s.DoJSON(t, "GET", "/v1.0/policies/crossTenantAccessPolicy/default", fab.Token, nil, &ct), http.StatusOK)
	if ct.IsServiceDefault || !slices.Equal(ct.Redemption.Primary, []string{"socialIdentityProviders", "azureActiveDirectory"}) ||
		ct.Redemption.Fallback != "emailOneTimePasscode" {
		t.Errorf("after saving the order Graph shows %+v", ct)
	}
	saved := admin.b.Get(t, admin.prefix+"/policies?done=order")
	if !strings.Contains(saved.Body, "The redemption order is saved.") || !strings.Contains(saved.Body, `<option value="otp" selected>`) {
		t.Errorf("the page after saving the order:\n%.3000s", saved.Body)
	}

	// The domain list.
	wantStatus(t, "domains", admin.post(t, "/policies/domains", token, url.Values{"kind": {"blocked"},
		"domains": {"spam.example\r\n*.bad.example"}}), http.StatusSeeOther)
	var b2b b2bPolicyView
	wantAPI(t, "b2b policy", s.DoJSON(t, "GET", "/v1.0/policies/b2bManagementPolicy", fab.Token, nil, &b2b), http.StatusOK)
	var doc b2bDomainsView
	if len(b2b.Definition) != 1 || json.Unmarshal([]byte(b2b.Definition[0]), &doc) != nil {
		t.Fatalf("b2b policy definition %q", b2b.Definition)
	}
	if got := doc.B2BManagementPolicy.Domains.Blocked; !slices.Equal(got, []string{"spam.example", "*.bad.example"}) {
		t.Errorf("BlockedDomains = %q", got)
	}

	// Refusals: the service's reason after a translated lead-in, a 400,
	// and nothing changed.
	for name, c := range map[string]struct {
		path string
		form url.Values
		want string
	}{
		"no primary":   {"/policies/order", url.Values{"primary": {"", "", ""}, "fallback": {"default"}}, "primary providers"},
		"no fallback":  {"/policies/order", url.Values{"primary": {"home"}, "fallback": {"nonsense"}}, "fallback"},
		"repeated":     {"/policies/order", url.Values{"primary": {"home", "home"}, "fallback": {"otp"}}, "named twice"},
		"bad domain":   {"/policies/domains", url.Values{"kind": {"allowed"}, "domains": {"not a domain!"}}, "AllowedDomains"},
		"bad kind":     {"/policies/domains", url.Values{"kind": {"maybe"}, "domains": {"x.example"}}, "unknown domain list kind"},
		"bad invites":  {"/policies/invites", url.Values{"allow": {"robots"}}, "allowInvitesFrom"},
		"bad passcode": {"/policies/otp", url.Values{"allow": {"sometimes"}}, "allowExternalIdToUseEmailOtp"},
	} {
		p := admin.post(t, c.path, token, c.form)
		wantStatus(t, name, p, http.StatusBadRequest)
		if !strings.Contains(p.Body, "Nothing was changed:") || !strings.Contains(p.Body, c.want) {
			t.Errorf("%s: refusal page lacks %q:\n%.1500s", name, c.want, p.Body)
		}
	}
	wantAPI(t, "cross-tenant default", s.DoJSON(t, "GET", "/v1.0/policies/crossTenantAccessPolicy/default", fab.Token, nil, &ct), http.StatusOK)
	if ct.Redemption.Fallback != "emailOneTimePasscode" || len(ct.Redemption.Primary) != 2 {
		t.Errorf("a refused order changed it: %+v", ct)
	}

	// Back to the default order.
	wantStatus(t, "reset order", admin.post(t, "/policies/order", token, url.Values{"reset": {"1"}}), http.StatusSeeOther)
	wantAPI(t, "cross-tenant default", s.DoJSON(t, "GET", "/v1.0/policies/crossTenantAccessPolicy/default", fab.Token, nil, &ct), http.StatusOK)
	if !ct.IsServiceDefault {
		t.Errorf("after restoring the default Graph shows %+v", ct)
	}

	var mine []string
	for _, a := range audits(t, s, fab, filter("initiatedBy/user/id eq '"+admin.id+"'")) {
		mine = append(mine, a.ActivityDisplayName)
	}
	for _, want := range []string{"Update authorization policy", "Update the company default cross-tenant access setting", "Update B2B management policy"} {
		if !slices.Contains(mine, want) {
			t.Errorf("audit log by the administrator: %q lacks %q", mine, want)
		}
	}
}

// TestConsolePoliciesOTPOff: turning the passcode off first says how many
// guests who redeemed with it will lose their sign-in, saves only once
// confirmed, and turning it on again needs no confirmation (R26, R27).
func TestConsolePoliciesOTPOff(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	admin := newConsoleAdmin(t, s, fab, "ada", globalAdmin)
	admin.signIn(t)

	// Two guests redeem with a passcode, a third is still pending.
	for _, mail := range []string{"greta@contoso.example", "hugo@contoso.example"} {
		redeemIn(t, s, s.NewGuest("en"), invite(t, s, fab, mail), 1, true)
	}
	invite(t, s, fab, "ines@contoso.example")

	token := csrf(t, admin.b.Get(t, admin.prefix+"/policies"))
	ask := admin.post(t, "/policies/otp", token, url.Values{"allow": {"disabled"}})
	wantStatus(t, "turn off", ask, http.StatusOK)
	if !strings.Contains(ask.Body, "Guests who redeemed with a one-time passcode: 2.") || !strings.Contains(ask.Body, `name="confirm"`) {
		t.Fatalf("confirmation:\n%.2000s", ask.Body)
	}
	if got := readEmailPolicy(t, s, fab); got.Allow != "default" || !got.Effective.Enabled {
		t.Fatalf("before confirming Graph shows %+v", got)
	}

	done := admin.post(t, "/policies/otp", token, url.Values{"allow": {"disabled"}, "confirm": {"1"}})
	if done.Status != http.StatusSeeOther || done.Location != admin.prefix+"/policies?done=otp" {
		t.Fatalf("confirmed: %d to %q\n%.500s", done.Status, done.Location, done.Body)
	}
	if got := readEmailPolicy(t, s, fab); got.Allow != "disabled" || got.Effective.Enabled {
		t.Errorf("after confirming Graph shows %+v", got)
	}
	page := admin.b.Get(t, admin.prefix+"/policies?done=otp")
	for _, want := range []string{`value="disabled" checked`, "Guests cannot use an email one-time passcode now.", "Why: the setting is Disabled."} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("policies page after turning off lacks %q", want)
		}
	}

	// Default is on on this deployment: no confirmation, saved at once.
	on := admin.post(t, "/policies/otp", token, url.Values{"allow": {"default"}})
	wantStatus(t, "turn on", on, http.StatusSeeOther)
	if got := readEmailPolicy(t, s, fab); got.Allow != "default" || !got.Effective.Enabled {
		t.Errorf("after turning on Graph shows %+v", got)
	}

	var n int
	for _, a := range audits(t, s, fab, filter("initiatedBy/user/id eq '"+admin.id+"'")) {
		if a.ActivityDisplayName == "Authentication Methods Policy Update" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d email policy updates by the administrator in the audit log, want 2", n)
	}
}

// TestConsolePoliciesRoles: a Guest Inviter and a User Administrator
// cannot open the policies or change them by posting directly.
func TestConsolePoliciesRoles(t *testing.T) {
	t.Parallel()
	s, fab := newFabrikam(t, servertest.Options{})
	for _, c := range []struct{ nick, role string }{{"ivan", guestInv}, {"ulla", userAdmin}} {
		a := newConsoleAdmin(t, s, fab, c.nick, c.role)
		list := a.signIn(t)
		if strings.Contains(list.Body, "/policies\"") {
			t.Errorf("%s: the navigation offers the policies", c.nick)
		}
		token := csrf(t, list)
		wantStatus(t, c.nick+" opens the policies", a.b.Get(t, a.prefix+"/policies"), http.StatusForbidden)
		for path, form := range map[string]url.Values{
			"/policies/otp":     {"allow": {"disabled"}, "confirm": {"1"}},
			"/policies/order":   {"primary": {"google"}, "fallback": {"otp"}},
			"/policies/domains": {"kind": {"blocked"}, "domains": {"contoso.example"}},
			"/policies/invites": {"allow": {"none"}},
		} {
			wantStatus(t, c.nick+" posts "+path, a.post(t, path, token, form), http.StatusForbidden)
		}
	}
	if got := readEmailPolicy(t, s, fab); got.Allow != "default" {
		t.Errorf("refused posts changed the email policy: %+v", got)
	}
	var ct crossTenantView
	wantAPI(t, "cross-tenant default", s.DoJSON(t, "GET", "/v1.0/policies/crossTenantAccessPolicy/default", fab.Token, nil, &ct), http.StatusOK)
	var authz authzPolicyView
	wantAPI(t, "authorization policy", s.DoJSON(t, "GET", "/v1.0/policies/authorizationPolicy", fab.Token, nil, &authz), http.StatusOK)
	var b2b b2bPolicyView
	wantAPI(t, "b2b policy", s.DoJSON(t, "GET", "/v1.0/policies/b2bManagementPolicy", fab.Token, nil, &b2b), http.StatusOK)
	if !ct.IsServiceDefault || authz.AllowInvitesFrom != "everyone" || strings.Contains(strings.Join(b2b.Definition, ""), "contoso") {
		t.Errorf("refused posts changed a policy: %+v %+v %q", ct, authz, b2b.Definition)
	}
}
