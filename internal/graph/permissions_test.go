package graph

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"guestlist/internal/core"
)

// TestRequires: a route that names permissions runs only for a token
// holding one of them; others get 403 Authorization_RequestDenied. (Every
// admin application's token holds IdentityProvider.ReadWrite.All, so the
// refusal cannot be reached over HTTP yet.)
func TestRequires(t *testing.T) {
	ran := false
	h := requires(func(http.ResponseWriter, *http.Request, *core.Tenant) error { ran = true; return nil }, idpRead, idpReadWrite)
	cases := []struct {
		name  string
		roles []string
		ok    bool
	}{
		{"none", nil, false},
		{"other permissions", []string{"Directory.ReadWrite.All", "User.Invite.All"}, false},
		{"read", []string{idpRead}, true},
		{"read and write", []string{"User.Invite.All", idpReadWrite}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ran = false
			r := httptest.NewRequestWithContext(withRoles(context.Background(), c.roles), "GET", "/v1.0/identity/identityProviders", nil)
			err := h(httptest.NewRecorder(), r, &core.Tenant{ID: "t"})
			if c.ok != (err == nil) || ran != c.ok {
				t.Fatalf("roles %v: err %v, ran %v", c.roles, err, ran)
			}
			if !c.ok {
				pub, _ := core.PublicError(err)
				if !errors.Is(err, core.ErrForbidden) || pub.Code != "Authorization_RequestDenied" {
					t.Errorf("refusal %v, want ErrForbidden with Authorization_RequestDenied", err)
				}
			}
		})
	}
}

// TestRoleRoutesRequire: reading roles takes RoleManagement.Read.Directory
// or .ReadWrite.Directory; assigning and removing take ReadWrite.
func TestRoleRoutesRequire(t *testing.T) {
	a := &API{}
	for _, rt := range a.roleRoutes() {
		for _, c := range []struct {
			roles []string
			ok    bool
		}{
			{nil, false},
			{[]string{"Directory.ReadWrite.All", idpReadWrite}, false},
			{[]string{roleRead}, rt.method == "GET"},
		} {
			if c.ok {
				continue // the handler would run, and needs the services
			}
			r := httptest.NewRequestWithContext(withRoles(context.Background(), c.roles), rt.method, "/v1.0"+rt.path, nil)
			err := rt.h(httptest.NewRecorder(), r, &core.Tenant{ID: "t"})
			if !errors.Is(err, core.ErrForbidden) {
				t.Errorf("%s %s with %v: %v, want ErrForbidden", rt.method, rt.path, c.roles, err)
			}
		}
	}
}
