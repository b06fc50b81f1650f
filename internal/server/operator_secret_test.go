package server_test

import (
	"net/http"
	"net/url"
	"testing"

	"guestlist/internal/servertest"
)

// TestOperatorIssuesNewAdminSecret: administrators who lost their admin
// application's secret get a new one from the operator; it works at the
// token endpoint at once, the old one keeps working until removed, and
// only the operator may ask.
func TestOperatorIssuesNewAdminSecret(t *testing.T) {
	t.Parallel()
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam", "fabrikam.example")
	path := "/operator/v1/tenants/" + tn.ID + "/adminApplication/addPassword"

	var issued struct {
		AppID        string `json:"appId"`
		ClientSecret string `json:"clientSecret"`
	}
	if status := s.DoJSON(t, "POST", path, s.OperatorToken, map[string]any{}, &issued); status != http.StatusOK {
		t.Fatalf("addPassword: %d", status)
	}
	if issued.AppID != tn.AppID || issued.ClientSecret == "" || issued.ClientSecret == tn.ClientSecret {
		t.Fatalf("addPassword answered %+v, want a new secret of the admin application %s", issued, tn.AppID)
	}
	renewed := tn
	renewed.ClientSecret = issued.ClientSecret
	if token := s.AdminToken(t, renewed); token == "" {
		t.Fatal("no token with the new secret")
	}
	s.AdminToken(t, tn) // the old secret still works

	// Only the operator: an administrator's token, or none, is refused.
	if status, _ := s.Do(t, "POST", path, tn.Token, map[string]any{}); status != http.StatusUnauthorized {
		t.Errorf("addPassword with a tenant admin's token: %d, want 401", status)
	}
	if status, _ := s.Do(t, "POST", path, "", map[string]any{}); status != http.StatusUnauthorized {
		t.Errorf("addPassword without a token: %d, want 401", status)
	}
	if status, body := s.Do(t, "POST", "/operator/v1/tenants/"+url.PathEscape("00000000-0000-4000-8000-000000000000")+"/adminApplication/addPassword",
		s.OperatorToken, map[string]any{}); status != http.StatusNotFound || body["error"] == nil {
		t.Errorf("addPassword for no tenant: %d %v, want 404 in the error shape", status, body)
	}
}
