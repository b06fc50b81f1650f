package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"time"

	"guestlist/internal/password"
	"guestlist/internal/server"
	"guestlist/internal/tenants"
	"guestlist/internal/users"
)

// runPasswords measures members signing in with their password at their
// own tenant, as a browser does: the typed address, the password page,
// the password, landing on the portal. Each sign-in is a new browser, so
// each one checks the password (Argon2id with the default parameters).
// n members are created first through the users service (not measured).
func runPasswords(n, conc int) error {
	ctx := context.Background()
	app, base, stop, err := serveLocal(ctx, server.Config{DB: server.DBConfig{MaxConns: 16},
		// Each member signs in from an address of their own, behind a
		// trusted proxy: the sign-in throttles count per client address.
		TrustedProxies: []string{"127.0.0.1/32"}})
	if err != nil {
		return err
	}
	defer stop()

	c, err := app.Tenants.Create(ctx, tenants.Request{DisplayName: "Fabrikam", Domains: []string{"fabrikam.example"}})
	if err != nil {
		return err
	}
	svc := users.New(app.Store, time.Now, password.NewHasher(password.Default()), password.Check)
	const secret = "a long and quiet river bend"
	enabled, no := true, false
	emails := make([]string, n)
	for i := range emails {
		emails[i] = fmt.Sprintf("member%d@fabrikam.example", i)
		_, err := svc.CreateMember(ctx, &c.Tenant, users.NewMember{AccountEnabled: &enabled, DisplayName: "Member",
			MailNickname: "m", UserPrincipalName: emails[i], Password: &users.PasswordProfile{Password: secret, ForceChange: &no}})
		if err != nil {
			return err
		}
	}
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	p := password.Default()
	fmt.Printf("%d members ready; %d signing in concurrently; Argon2id m=%d KiB t=%d p=%d\n", n, conc, p.Memory, p.Time, p.Threads)
	tr := &http.Transport{MaxIdleConnsPerHost: conc * 2}
	tenant := base + "/" + c.Tenant.ID
	var mu sync.Mutex
	var checks []time.Duration // the password POST alone
	defer func() {
		sort.Slice(checks, func(a, b int) bool { return checks[a] < checks[b] })
		if len(checks) > 0 {
			fmt.Printf("the password step alone (POST, Argon2id): p50 %s, p99 %s\n", pct(checks, 50), pct(checks, 99))
		}
	}()
	return measure("member password sign-in (address, password page, password)", n, conc, func(i int) error {
		jar, _ := cookiejar.New(nil)
		cl := &http.Client{Transport: tr, Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		client := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		step := func(method, target string, form url.Values, want int, where string) error {
			req, err := http.NewRequest(method, target, strings.NewReader(form.Encode()))
			if err != nil {
				return err
			}
			if form != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			req.Header.Set("X-Forwarded-For", client)
			resp, err := cl.Do(req)
			if err != nil {
				return err
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != want || !strings.Contains(resp.Header.Get("Location"), where) {
				return fmt.Errorf("%s %s: %d to %q", method, target, resp.StatusCode, resp.Header.Get("Location"))
			}
			return nil
		}
		if err := step("POST", tenant+"/signin", url.Values{"email": {emails[i]}}, http.StatusSeeOther, "/signin/password?as=password"); err != nil {
			return err
		}
		if err := step("GET", tenant+"/signin/password?as=password", nil, http.StatusOK, ""); err != nil {
			return err
		}
		t := time.Now()
		err := step("POST", tenant+"/signin/password?as=password", url.Values{"email": {emails[i]}, "password": {secret}},
			http.StatusSeeOther, "/apps")
		mu.Lock()
		checks = append(checks, time.Since(t))
		mu.Unlock()
		return err
	})
}
