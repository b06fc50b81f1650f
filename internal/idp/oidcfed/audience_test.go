package oidcfed_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"guestlist/internal/core"
	"guestlist/internal/idp/federation"
	"guestlist/internal/idp/oidcfed"
)

// TestTokenForAnotherApplication: the partner has two applications for
// us, A and B, and we are configured as B. An attacker in the middle
// (here: the metadata URL) sends the guest to the partner as A and
// redeems the code with A's credentials, handing us A's genuine ID token:
// issued by the partner, signed with its key, with our nonce. Only the
// audience tells it is not ours, and it is refused.
func TestTokenForAnotherApplication(t *testing.T) {
	t.Parallel()
	pt := newPartner(t)
	appA := pt.register(t, "Application A")
	appB := pt.register(t, "Application B")
	doc := pt.discovery(t)

	relay := httptest.NewUnstartedServer(nil)
	relayURL := "http://" + relay.Listener.Addr().String()
	mux := http.NewServeMux()
	// The partner's own document, with the two endpoints the attacker
	// needs to be in the middle of.
	var raw map[string]any
	if status := pt.s.DoJSON(t, "GET", "/"+pt.tn.ID+"/v2.0/.well-known/openid-configuration", "", nil, &raw); status != http.StatusOK {
		t.Fatalf("partner discovery: %d", status)
	}
	raw["authorization_endpoint"], raw["token_endpoint"] = relayURL+"/authorize", relayURL+"/token"
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(raw)
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		q.Set("client_id", appA.clientID)
		http.Redirect(w, r, doc.AuthURL+"?"+q.Encode(), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		r.PostForm.Del("client_id")
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, doc.TokenURL, strings.NewReader(r.PostForm.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(url.QueryEscape(appA.clientID), url.QueryEscape(appA.secret))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	})
	relay.Config.Handler = mux
	relay.Start()
	t.Cleanup(relay.Close)

	u := newUs(t, oidcfed.Options{})
	p := u.provider(t, core.ProviderOIDC, pt.issuer, appB)
	p.OIDC.MetadataURL = relayURL + "/.well-known/openid-configuration"
	req, _, to := u.begin(t, p)
	params := pt.signIn(t, to)
	_, err := u.proto.Verify(t.Context(), p, req, params)
	wantProblem(t, err, federation.Invalid, "application A's token presented to B")
	if !strings.Contains(err.Error(), "audience") || !strings.Contains(err.Error(), appA.clientID) {
		t.Errorf("error %v, want the audience %s refused", err, appA.clientID)
	}
}
