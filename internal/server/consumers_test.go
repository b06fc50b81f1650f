package server_test

import (
	"errors"
	"net/http"
	"testing"

	"guestlist/internal/core"
	"guestlist/internal/policy"
	"guestlist/internal/server"
	"guestlist/internal/servertest"
)

// The consumers tenant (SPEC R10 steps 4 and 6, R40, R42): the public
// profile has it from the start, the operator cannot reach it, and no
// token of another tenant reads its members.

// operatorTenant is a tenant as the operator API lists it.
type operatorTenant struct {
	ID            string `json:"id"`
	InitialDomain string `json:"initialDomain"`
}

func TestConsumersTenantIsNobodys(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	st := s.App.Store
	if _, err := st.GetTenant(t.Context(), core.ConsumersTenantID); err != nil {
		t.Fatalf("the public profile started without the consumers tenant: %v", err)
	}

	var list struct {
		Value []operatorTenant `json:"value"`
	}
	wantAPI(t, "operator list", s.DoJSON(t, "GET", "/operator/v1/tenants", s.OperatorToken, nil, &list), http.StatusOK)
	if len(list.Value) != 1 || list.Value[0].ID != tn.ID {
		t.Errorf("operator list: %+v, want only Fabrikam", list.Value)
	}
	path := "/operator/v1/tenants/" + core.ConsumersTenantID
	r := call(t, s, "GET", path, s.OperatorToken, "", nil)
	wantGraphError(t, r, http.StatusNotFound, "")
	r = call(t, s, "DELETE", path, s.OperatorToken, "", nil)
	wantGraphError(t, r, http.StatusNotFound, "")
	var c operatorTenant
	wantAPI(t, "create Consumers", s.DoJSON(t, "POST", "/operator/v1/tenants", s.OperatorToken,
		map[string]any{"displayName": "Consumers", "domains": []string{}}, &c), http.StatusCreated)
	if c.ID == core.ConsumersTenantID || c.InitialDomain == "consumers.guestlist.localhost" {
		t.Errorf("a tenant named Consumers collides with the consumers tenant: %+v", c)
	}

	// A personal account, as sign-up will make it; Fabrikam's token does
	// not reach it.
	member := &core.User{TenantID: core.ConsumersTenantID, ID: "0b9c2f54-7a51-4c86-9d1e-3f0a6d2c8e11",
		DisplayName: "Pat", Mail: "pat@outlook.example", MailKey: "pat@outlook.example",
		UserPrincipalName: "pat@outlook.example", UserType: core.UserTypeMember, Method: core.MethodPassword,
		CreatedAt: s.Clock.Now()}
	if err := st.CreateUser(t.Context(), member); err != nil {
		t.Fatal(err)
	}
	r = call(t, s, "GET", "/v1.0/users/"+member.ID, tn.Token, "", nil)
	wantGraphError(t, r, http.StatusNotFound, "Request_ResourceNotFound")
	for _, u := range listUsers(t, s, tn.Token, nil) {
		if u["id"] == member.ID {
			t.Errorf("Fabrikam's user list shows a personal account: %v", u)
		}
	}
	if _, err := st.GetUser(t.Context(), core.ConsumersTenantID, member.ID); err != nil {
		t.Errorf("the personal account: %v", err)
	}
}

// TestNoConsumersTenantOnGovernment: the government profile offers no
// personal accounts (R40), so it has no consumers tenant.
func TestNoConsumersTenantOnGovernment(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, withConfig(func(c *server.Config) { c.Profile = policy.ProfileGovernment }))
	if _, err := s.App.Store.GetTenant(t.Context(), core.ConsumersTenantID); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("the government profile has a consumers tenant: %v", err)
	}
	if _, err := s.App.Tenants.Resolve(t.Context(), "consumers"); !errors.Is(err, core.ErrNotFound) {
		t.Errorf("Resolve(consumers) on government: %v, want not found", err)
	}
}
