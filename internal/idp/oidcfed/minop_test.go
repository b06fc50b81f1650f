package oidcfed_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// minOP is a minimal OpenID provider for what the second guestlist will
// not do: it signs whatever claims the test asks for (an unverified
// address, another audience), and it counts discovery requests. It is a
// real provider all the same: discovery, JWKS, authorization redirect,
// code exchange with client authentication and PKCE, RS256 signatures.
type minOP struct {
	srv       *httptest.Server
	key       *rsa.PrivateKey
	clientID  string
	secret    string
	discovery atomic.Int32
	done      chan struct{} // closed when the test ends
	broken    atomic.Bool   // discovery answers with a truncated document
	stall     atomic.Bool   // the token endpoint never answers
	// forged, when set, signs the ID tokens instead of the published
	// key, under the published key's id: an attacker's token.
	forged *rsa.PrivateKey

	mu     sync.Mutex
	claims map[string]any // extra claims of the next ID tokens
	codes  map[string]grant
}

// grant is what the authorization request left for the code.
type grant struct{ nonce, challenge, redirect string }

func newMinOP(t *testing.T) *minOP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	op := &minOP{key: key, clientID: "min-client", secret: "min-secret", codes: map[string]grant{}, claims: map[string]any{},
		done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", op.serveDiscovery)
	mux.HandleFunc("GET /keys", op.serveKeys)
	mux.HandleFunc("GET /authorize", op.authorize)
	mux.HandleFunc("POST /token", op.token)
	op.srv = httptest.NewServer(mux)
	t.Cleanup(op.srv.Close)
	t.Cleanup(func() { close(op.done) }) // first: Close waits for stalled handlers
	return op
}

func (op *minOP) issuer() string { return op.srv.URL }

// set makes the next ID tokens carry claims (nil deletes one).
func (op *minOP) set(claims map[string]any) {
	op.mu.Lock()
	defer op.mu.Unlock()
	for k, v := range claims {
		op.claims[k] = v
	}
}

func (op *minOP) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	op.discovery.Add(1)
	if op.broken.Load() {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"issuer": "` + op.issuer()))
		return
	}
	writeJSON(w, map[string]any{
		"issuer": op.issuer(), "authorization_endpoint": op.issuer() + "/authorize", "token_endpoint": op.issuer() + "/token",
		"jwks_uri": op.issuer() + "/keys", "response_types_supported": []string{"code"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
	})
}

func (op *minOP) serveKeys(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &op.key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
}

// authorize signs the guest in at once and sends the browser back.
func (op *minOP) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != op.clientID || q.Get("code_challenge_method") != "S256" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	code := rand.Text()
	op.mu.Lock()
	op.codes[code] = grant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri")}
	op.mu.Unlock()
	back, _ := url.Parse(q.Get("redirect_uri"))
	back.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}, "iss": {op.issuer()}}.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token redeems a code once, for the client that authenticates and the
// verifier whose S256 hash was the challenge.
func (op *minOP) token(w http.ResponseWriter, r *http.Request) {
	if op.stall.Load() {
		r.ParseForm() // a read body lets the server notice the client leave
		select {
		case <-r.Context().Done(): // the client gave up
		case <-op.done: // the test ends
		}
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok || id != op.clientID || secret != op.secret {
		w.WriteHeader(http.StatusUnauthorized)
		writeJSON(w, map[string]string{"error": "invalid_client"})
		return
	}
	op.mu.Lock()
	g, found := op.codes[r.PostFormValue("code")]
	delete(op.codes, r.PostFormValue("code"))
	extra := make(map[string]any, len(op.claims))
	for k, v := range op.claims {
		extra[k] = v
	}
	op.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	if !found || base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge || r.PostFormValue("redirect_uri") != g.redirect {
		w.WriteHeader(http.StatusBadRequest)
		writeJSON(w, map[string]string{"error": "invalid_grant"})
		return
	}
	now := time.Now()
	claims := map[string]any{"iss": op.issuer(), "sub": "min-user-1", "aud": op.clientID, "nonce": g.nonce,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "email": "cy@partner.example", "email_verified": true, "name": "Cy"}
	for k, v := range extra {
		if v == nil {
			delete(claims, k)
		} else {
			claims[k] = v
		}
	}
	key := op.key
	if op.forged != nil {
		key = op.forged
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", "k1"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	idt, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, map[string]any{"access_token": rand.Text(), "token_type": "Bearer", "expires_in": 3600, "id_token": idt})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// follow is the browser at the minimal provider: its redirect back to
// our callback, read as the callback would.
func (op *minOP) follow(t *testing.T, authURL string) map[string]string {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, authURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	params := map[string]string{}
	for k := range back.Query() {
		params[k] = back.Query().Get(k)
	}
	return params
}
