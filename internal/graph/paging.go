package graph

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// Paging as Graph pages collections: at most $top items (1–999, default
// 100) and, while there are more, an absolute @odata.nextLink that is the
// request's own URL with an opaque $skiptoken. Clients follow the link
// verbatim until it is absent (what the Graph SDKs' page iterators do).
//
// A page continues after the last item of the one before by its
// (created, id) key, not at an offset, so items created while a client
// pages never make it see an item twice or skip one. The token carries
// that key with what must not change between pages (tenant, collection,
// the other query options, the page size) and an HMAC with the server key,
// so a changed token, or one from another tenant's or another query's
// list, is a 400. With a $skiptoken the token's page size applies: a
// different $top beside it is ignored, as Graph does (it is still
// checked to be 1–999).
const (
	defaultPageSize = 100
	maxPageSize     = 999
	// skipTokenPurpose keeps page-token MACs apart from every other
	// value the server key hashes.
	skipTokenPurpose = "graph-skiptoken"
)

// pageState is what a $skiptoken carries.
type pageState struct {
	Tenant     string `json:"t"`
	Collection string `json:"c"`
	Query      string `json:"q"` // the other query options, canonical
	Top        int    `json:"n"`
	After      int64  `json:"a"` // the last item's creation, Unix microseconds
	AfterID    string `json:"i"`
	// AfterKey is the last item's sort value when the list is sorted by
	// another property ($orderby): the walk continues after it.
	AfterKey string `json:"k,omitempty"`
}

// pager is the paging of one request.
type pager struct{ state pageState }

// collectionJSON is the body of a Graph collection.
type collectionJSON struct {
	Context  string `json:"@odata.context"`
	Count    *int   `json:"@odata.count,omitempty"`
	NextLink string `json:"@odata.nextLink,omitempty"`
	Value    any    `json:"value"`
}

// parseTop reads $top: 0 when absent, else 1–999.
func parseTop(q url.Values) (int, error) {
	s := q.Get("$top")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxPageSize {
		return 0, unsupported("$top must be a number from 1 to %d", maxPageSize)
	}
	return n, nil
}

// boundQuery is the request's query options that every page of a walk
// must repeat: all but $skiptoken and $top.
func boundQuery(q url.Values) string {
	c := url.Values{}
	for k, v := range q {
		if k != "$skiptoken" && k != "$top" {
			c[k] = v
		}
	}
	return c.Encode()
}

// pageOf reads the paging of a request to collection (a path below
// /v1.0/, naming the parent of a nested collection).
func (a *API) pageOf(r *http.Request, t *core.Tenant, collection string) (*pager, error) {
	q := r.URL.Query()
	top, err := parseTop(q)
	if err != nil {
		return nil, err
	}
	if top == 0 {
		top = a.pageSize
	}
	want := pageState{Tenant: t.ID, Collection: collection, Query: boundQuery(q), Top: top}
	raw, ok := q["$skiptoken"]
	if !ok {
		return &pager{state: want}, nil
	}
	got, err := decodeSkipToken(a.keys, raw[0])
	if err != nil {
		return nil, err
	}
	if got.Tenant != want.Tenant || got.Collection != want.Collection || got.Query != want.Query {
		return nil, core.Invalidf("the $skiptoken belongs to another list (another tenant, collection or $filter): follow @odata.nextLink as it was returned")
	}
	return &pager{state: got}, nil
}

// page is what to read from the store: one item more than a page, to
// know whether another page follows.
func (p *pager) page() store.Page {
	s := p.state
	var after store.Cursor
	if s.AfterID != "" {
		after = store.Cursor{CreatedAt: time.UnixMicro(s.After).UTC(), ID: s.AfterID, Key: s.AfterKey}
	}
	return store.Page{After: after, Top: s.Top + 1}
}

// cut trims items read with p.page() to one page and returns the
// nextLink to the rest ("" when this is the last page).
func cut[T any](a *API, r *http.Request, p *pager, items []T, key func(*T) store.Cursor) ([]T, string) {
	if len(items) <= p.state.Top {
		return items, ""
	}
	items = items[:p.state.Top]
	next := p.state
	last := key(&items[len(items)-1])
	next.After, next.AfterID, next.AfterKey = last.CreatedAt.UnixMicro(), last.ID, last.Key
	return items, a.nextLink(r, encodeSkipToken(a.keys, next))
}

// nextLink is the request's URL on the deployment's base URL with its
// $skiptoken replaced; the other options stay as the client wrote them.
func (a *API) nextLink(r *http.Request, token string) string {
	var parts []string
	for _, kv := range strings.Split(r.URL.RawQuery, "&") {
		k, _, _ := strings.Cut(kv, "=")
		if key, err := url.QueryUnescape(k); kv == "" || err == nil && key == "$skiptoken" {
			continue
		}
		parts = append(parts, kv)
	}
	parts = append(parts, "$skiptoken="+token) // base64url needs no escaping
	return a.baseURL + r.URL.EscapedPath() + "?" + strings.Join(parts, "&")
}

// writeCollection answers one page of a collection.
func (a *API) writeCollection(w http.ResponseWriter, r *http.Request, context, next string, value any) {
	platform.WriteJSON(w, http.StatusOK, collectionJSON{Context: a.context(r, context), NextLink: next, Value: value})
}

// encodeSkipToken is base64url(HMAC || JSON of s).
func encodeSkipToken(keys *platform.Keyring, s pageState) string {
	body, _ := json.Marshal(s) // strings and numbers only: cannot fail
	mac := keys.Hash(skipTokenPurpose, string(body))
	return base64.RawURLEncoding.EncodeToString(append(mac, body...))
}

func badSkipToken() error {
	return core.Invalidf("the $skiptoken is not one this service issued (it was changed or cut): follow @odata.nextLink as it was returned")
}

// decodeSkipToken checks a token's MAC and reads it. Every failure is the
// same 400: a token is opaque, and why a forged one fails helps nobody.
func decodeSkipToken(keys *platform.Keyring, token string) (pageState, error) {
	var s pageState
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) <= sha256.Size {
		return s, badSkipToken()
	}
	mac, body := raw[:sha256.Size], raw[sha256.Size:]
	if !hmac.Equal(mac, keys.Hash(skipTokenPurpose, string(body))) {
		return s, badSkipToken()
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil || dec.More() || s.Top < 1 || s.Top > maxPageSize || s.AfterID == "" {
		return pageState{}, badSkipToken()
	}
	return s, nil
}
