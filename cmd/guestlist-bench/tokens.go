package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/invite"
	"guestlist/internal/platform"
	"guestlist/internal/server"
	"guestlist/internal/tenants"
)

// runTokens measures the token endpoint: n authorization code exchanges
// (client_secret_basic, PKCE, offline_access), then n refresh grants with
// the refresh tokens they returned, each at concurrency conc. Setup — the
// application, a guest, and n completed authorization requests with their
// codes — goes through the real endpoints too but is not measured.
func runTokens(n, conc int, alg string) error {
	ctx := context.Background()
	app, base, stop, err := serveLocal(ctx, server.Config{SigningAlg: alg, AuthorizeLimit: n + 1})
	if err != nil {
		return err
	}
	defer stop()

	jar, _ := cookiejar.New(nil) // the browser binding of /authorize
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conc * 2}, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	rp, err := setupRelyingParty(ctx, app, client, base)
	if err != nil {
		return err
	}
	codes, err := rp.codes(ctx, app, client, n)
	if err != nil {
		return err
	}
	fmt.Printf("%d codes ready; %d clients exchanging concurrently; signing with %s\n", n, conc, alg)
	refresh := make([]string, n)
	if err := measure("code exchange", n, conc, func(i int) error {
		form := url.Values{"grant_type": {"authorization_code"}, "code": {codes[i].code},
			"redirect_uri": {rp.redirect}, "code_verifier": {codes[i].verifier}}
		tok, err := rp.token(client, form)
		refresh[i] = tok.RefreshToken
		return err
	}); err != nil {
		return err
	}
	return measure("refresh grant", n, conc, func(i int) error {
		_, err := rp.token(client, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh[i]}})
		return err
	})
}

type relyingParty struct {
	base, tenantID, clientID, secret, redirect, guestID string
}

type codeAndVerifier struct{ code, verifier string }

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	Error        string `json:"error"`
}

func (rp *relyingParty) token(client *http.Client, form url.Values) (tokenResponse, error) {
	req, _ := http.NewRequest(http.MethodPost, rp.base+"/"+rp.tenantID+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(rp.clientID), url.QueryEscape(rp.secret))
	resp, err := client.Do(req)
	if err != nil {
		return tokenResponse{}, err
	}
	defer resp.Body.Close()
	var tok tokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok.IDToken == "" {
		return tok, fmt.Errorf("token endpoint: %d %s (%v)", resp.StatusCode, tok.Error, err)
	}
	return tok, nil
}

// setupRelyingParty registers a web application through the admin API and
// invites and assigns one guest.
func setupRelyingParty(ctx context.Context, app *server.Server, client *http.Client, base string) (*relyingParty, error) {
	c, err := app.Tenants.Create(ctx, tenants.Request{DisplayName: "Fabrikam"})
	if err != nil {
		return nil, err
	}
	admin := &relyingParty{base: base, tenantID: c.Tenant.ID, clientID: c.AppID, secret: string(c.ClientSecret)}
	resp, err := client.PostForm(base+"/"+c.Tenant.ID+"/oauth2/v2.0/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {c.AppID}, "client_secret": {string(c.ClientSecret)}})
	if err != nil {
		return nil, err
	}
	var at tokenResponse
	json.NewDecoder(resp.Body).Decode(&at)
	resp.Body.Close()
	call := func(method, path string, body any) (map[string]any, error) {
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, base+path, strings.NewReader(string(raw)))
		req.Header.Set("Authorization", "Bearer "+at.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode >= 300 {
			return nil, fmt.Errorf("%s %s: %d %v", method, path, resp.StatusCode, out)
		}
		return out, nil
	}
	rp := &relyingParty{base: base, tenantID: admin.tenantID, redirect: "https://app.example/callback"}
	created, err := call("POST", "/v1.0/applications", map[string]any{"displayName": "Portal", "web": map[string]any{"redirectUris": []string{rp.redirect}}})
	if err != nil {
		return nil, err
	}
	pw, err := call("POST", "/v1.0/applications/"+created["id"].(string)+"/addPassword", map[string]any{})
	if err != nil {
		return nil, err
	}
	rp.clientID, rp.secret = created["appId"].(string), pw["secretText"].(string)
	res, err := app.Invites.Invite(ctx, &c.Tenant, invite.Request{Email: "alice@contoso.example", RedirectURL: "https://app.example/"})
	if err != nil {
		return nil, err
	}
	sps, err := call("GET", "/v1.0/servicePrincipals?$filter="+url.QueryEscape("appId eq '"+rp.clientID+"'"), nil)
	if err != nil {
		return nil, err
	}
	sp := sps["value"].([]any)[0].(map[string]any)["id"].(string)
	if _, err := call("POST", "/v1.0/users/"+res.User.ID+"/appRoleAssignments", map[string]any{"principalId": res.User.ID, "resourceId": sp}); err != nil {
		return nil, err
	}
	// The guest redeemed (R5): a pending one may hold no tokens (MayUse).
	ids := []core.Identity{core.MethodOTP.Identity("", res.User.Mail)}
	if err := app.Store.AcceptUser(ctx, c.Tenant.ID, res.User.ID, core.MethodOTP, ids, time.Now()); err != nil {
		return nil, err
	}
	rp.guestID = res.User.ID
	return rp, nil
}

// codes runs n authorization requests to the point of a code: /authorize,
// the guest's sign-in recorded through the provider (as the guest pages
// do), and the callback that issues the code.
func (rp *relyingParty) codes(ctx context.Context, app *server.Server, client *http.Client, n int) ([]codeAndVerifier, error) {
	t, err := app.Tenants.Get(ctx, rp.tenantID)
	if err != nil {
		return nil, err
	}
	out := make([]codeAndVerifier, n)
	for i := range out {
		verifier := platform.NewToken() + platform.NewToken()
		sum := sha256.Sum256([]byte(verifier))
		q := url.Values{"client_id": {rp.clientID}, "redirect_uri": {rp.redirect}, "response_type": {"code"},
			"scope": {"openid email profile offline_access"}, "state": {"s"}, "nonce": {"n"},
			"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
		resp, err := client.Get(rp.base + "/" + rp.tenantID + "/v2.0/authorize?" + q.Encode())
		if err != nil {
			return nil, err
		}
		resp.Body.Close()
		login, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || login.Query().Get("request") == "" {
			return nil, fmt.Errorf("authorize: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		id := login.Query().Get("request")
		// The sign-in as the guest pages record it: from the browser that
		// started the request.
		page, err := http.NewRequestWithContext(ctx, "GET", login.String(), nil)
		if err != nil {
			return nil, err
		}
		for _, c := range client.Jar.Cookies(login) {
			page.AddCookie(c)
		}
		if err := app.Provider.Complete(page, t, id, rp.guestID, time.Time{}, []string{core.MethodOTP.AMR()}); err != nil {
			return nil, err
		}
		resp, err = client.Get(app.Provider.CallbackURL(ctx, t, id))
		if err != nil {
			return nil, err
		}
		resp.Body.Close()
		back, err := url.Parse(resp.Header.Get("Location"))
		if err != nil || back.Query().Get("code") == "" {
			return nil, fmt.Errorf("callback: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		out[i] = codeAndVerifier{code: back.Query().Get("code"), verifier: verifier}
	}
	return out, nil
}

// measure runs fn(0..n-1) on conc workers and prints throughput, latency
// and CPU per call.
func measure(name string, n, conc int, fn func(i int) error) error {
	var next, failed atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var first atomic.Value
	var wg sync.WaitGroup
	cpu0 := cpuTime()
	t0 := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var local []time.Duration
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					break
				}
				t := time.Now()
				if err := fn(i); err != nil {
					failed.Add(1)
					first.CompareAndSwap(nil, err)
				}
				local = append(local, time.Since(t))
			}
			mu.Lock()
			lat = append(lat, local...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed, cpu := time.Since(t0), cpuTime()-cpu0
	sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
	fmt.Printf("%s: %d ok, %d failed, %.0f/s, p50 %s, p99 %s, process CPU %.2f ms each\n", name, int64(n)-failed.Load(),
		failed.Load(), float64(n)/elapsed.Seconds(), pct(lat, 50), pct(lat, 99), float64(cpu.Microseconds())/1000/float64(n))
	if e := first.Load(); e != nil {
		return fmt.Errorf("%s: first error: %v", name, e)
	}
	return nil
}
