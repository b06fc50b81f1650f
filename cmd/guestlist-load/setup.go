package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
)

// tenant is one organization the driver prepared, with the application
// its guests sign in to.
type tenant struct {
	id, adminToken   string
	clientID, secret string
	servicePrincipal string
	redirect         string
}

// guest is one invited address.
type guest struct {
	t     *tenant
	email string
	link  string // the invitation's redeem link
	ip    string // the client address it comes from (X-Forwarded-For)
}

// api is the operator's and the tenant admins' side: plain JSON calls.
type api struct {
	base, operatorToken string
	hc                  *http.Client
}

func (a *api) call(ctx context.Context, method, path, token string, body, out any) error {
	var rd *bytes.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(raw)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		var e map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return fmt.Errorf("%s %s: %d %v", method, path, resp.StatusCode, e)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

const appRedirect = "https://app.example/callback"

// newTenant creates a tenant through the operator API, a token for its
// admin application (client credentials), and a web application with a
// secret through the Graph API.
func (a *api) newTenant(ctx context.Context, i int) (*tenant, error) {
	var created struct {
		ID               string `json:"id"`
		AdminApplication struct {
			AppID        string `json:"appId"`
			ClientSecret string `json:"clientSecret"`
		} `json:"adminApplication"`
	}
	if err := a.call(ctx, "POST", "/operator/v1/tenants", a.operatorToken,
		map[string]any{"displayName": fmt.Sprintf("Load %d", i), "domains": []string{fmt.Sprintf("load%d.example", i)}}, &created); err != nil {
		return nil, err
	}
	t := &tenant{id: created.ID, redirect: appRedirect}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {created.AdminApplication.AppID},
		"client_secret": {created.AdminApplication.ClientSecret}, "scope": {"https://graph.microsoft.com/.default"}}
	resp, err := a.hc.PostForm(a.base+"/"+t.id+"/oauth2/v2.0/token", form)
	if err != nil {
		return nil, err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		return nil, fmt.Errorf("admin token: %d %v", resp.StatusCode, err)
	}
	t.adminToken = tok.AccessToken
	var app struct {
		ID    string `json:"id"`
		AppID string `json:"appId"`
	}
	if err := a.call(ctx, "POST", "/v1.0/applications", t.adminToken,
		map[string]any{"displayName": "Portal", "web": map[string]any{"redirectUris": []string{t.redirect}}}, &app); err != nil {
		return nil, err
	}
	var pw struct {
		SecretText string `json:"secretText"`
	}
	if err := a.call(ctx, "POST", "/v1.0/applications/"+app.ID+"/addPassword", t.adminToken, map[string]any{}, &pw); err != nil {
		return nil, err
	}
	t.clientID, t.secret = app.AppID, pw.SecretText
	var sps struct {
		Value []struct {
			ID string `json:"id"`
		} `json:"value"`
	}
	if err := a.call(ctx, "GET", "/v1.0/servicePrincipals?$filter="+url.QueryEscape("appId eq '"+t.clientID+"'"), t.adminToken, nil, &sps); err != nil {
		return nil, err
	}
	if len(sps.Value) != 1 {
		return nil, fmt.Errorf("%d service principals for the application", len(sps.Value))
	}
	t.servicePrincipal = sps.Value[0].ID
	return t, nil
}

// invite invites g without mail (the driver opens the link itself) and
// assigns it to the tenant's application.
func (a *api) invite(ctx context.Context, g *guest) error {
	var inv struct {
		InviteRedeemURL string `json:"inviteRedeemUrl"`
		InvitedUser     struct {
			ID string `json:"id"`
		} `json:"invitedUser"`
	}
	if err := a.call(ctx, "POST", "/v1.0/invitations", g.t.adminToken, map[string]any{
		"invitedUserEmailAddress": g.email, "inviteRedirectUrl": "https://app.example/welcome",
		"sendInvitationMessage": false}, &inv); err != nil {
		return err
	}
	if inv.InviteRedeemURL == "" {
		return fmt.Errorf("invitation of %s without a redeem link", g.email)
	}
	g.link = inv.InviteRedeemURL
	return a.call(ctx, "POST", "/v1.0/users/"+inv.InvitedUser.ID+"/appRoleAssignments", g.t.adminToken,
		map[string]any{"principalId": inv.InvitedUser.ID, "resourceId": g.t.servicePrincipal}, nil)
}

// prepare makes nt tenants and n invited guests spread over them, with
// conc calls at a time.
func (a *api) prepare(ctx context.Context, nt, n, conc int, run string) ([]*guest, error) {
	tenants := make([]*tenant, nt)
	for i := range tenants {
		t, err := a.newTenant(ctx, i)
		if err != nil {
			return nil, fmt.Errorf("tenant %d: %w", i, err)
		}
		tenants[i] = t
	}
	guests := make([]*guest, n)
	for i := range guests {
		guests[i] = &guest{t: tenants[i%nt], email: fmt.Sprintf("g%d-%s@contoso.example", i, run),
			ip: fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)}
	}
	err := parallel(n, conc, func(i int) error { return a.invite(ctx, guests[i]) })
	return guests, err
}

// parallel runs fn(0..n-1) on conc goroutines and returns the first error.
func parallel(n, conc int, fn func(i int) error) error {
	var next atomic.Int64
	var first error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

// hostOf replaces the scheme and host of a URL the server wrote with
// those of the process that takes the request.
func onProc(u, base string) string {
	if strings.HasPrefix(u, "/") {
		return base + u
	}
	pu, err := url.Parse(u)
	if err != nil {
		return u
	}
	return base + pu.RequestURI()
}
