package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// OData queries on GET /v1.0/users, as Graph answers them (SPEC R41).

// queryPage is a page of GET /users with the properties the tests read.
type queryPage struct {
	Context  string `json:"@odata.context"`
	Count    *int   `json:"@odata.count"`
	NextLink string `json:"@odata.nextLink"`
	Value    []struct {
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
		Mail        string `json:"mail"`
	} `json:"value"`
}

// getUsers sends GET path with ConsistencyLevel: eventual when eventual
// is set, and decodes a 200 into out; it returns the status and body.
func getUsers(t *testing.T, s *servertest.Server, tn servertest.Tenant, path string, eventual bool, out any) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tn.Token)
	if eventual {
		req.Header.Set("ConsistencyLevel", "eventual")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK && out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("GET %s: %v in %s", path, err, raw)
		}
	}
	return resp.StatusCode, raw, resp.Header
}

// people invites guests with these names, in this order, and returns
// their ids by name.
func people(t *testing.T, s *servertest.Server, tn servertest.Tenant, names ...string) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, n := range names {
		mail := strings.ToLower(strings.ReplaceAll(n, " ", ".")) + "@contoso.example"
		inv := s.Invite(t, tn, mail, map[string]any{"invitedUserDisplayName": n})
		ids[n] = userID(inv)
	}
	return ids
}

func usersPath(q url.Values) string { return "/v1.0/users?" + q.Encode() }

// TestUsersDefaultPropertiesAndSelect: without $select a user has
// Graph's default set only; $select picks properties in any case, and
// @odata.context names them; an unknown one is a 400 naming it.
func TestUsersDefaultPropertiesAndSelect(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	id := people(t, s, tn, "Ann Smith")["Ann Smith"]
	var def map[string]json.RawMessage
	wantAPI(t, "GET user", s.DoJSON(t, "GET", "/v1.0/users/"+id, tn.Token, nil, &def), http.StatusOK)
	var keys []string
	for k := range def {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"@odata.context", "businessPhones", "displayName", "givenName", "id", "jobTitle", "mail",
		"mobilePhone", "officeLocation", "preferredLanguage", "surname", "userPrincipalName"}
	if !slices.Equal(keys, want) {
		t.Errorf("default properties %v, want %v", keys, want)
	}

	var page struct {
		Context string                       `json:"@odata.context"`
		Value   []map[string]json.RawMessage `json:"value"`
	}
	q := url.Values{"$select": {"DisplayName,userType , externalUserState"}}
	wantAPI(t, "select", s.DoJSON(t, "GET", usersPath(q), tn.Token, nil, &page), http.StatusOK)
	if page.Context != s.URL+"/v1.0/$metadata#users(displayName,userType,externalUserState)" || len(page.Value) != 1 {
		t.Fatalf("select: %+v", page)
	}
	if u := page.Value[0]; len(u) != 3 || string(u["userType"]) != `"Guest"` || string(u["externalUserState"]) != `"PendingAcceptance"` {
		t.Errorf("selected user %v", u)
	}
	var one struct {
		Context string `json:"@odata.context"`
		Mail    string `json:"mail"`
	}
	wantAPI(t, "select one", s.DoJSON(t, "GET", "/v1.0/users/"+id+"?$select=mail", tn.Token, nil, &one), http.StatusOK)
	if one.Context != s.URL+"/v1.0/$metadata#users(mail)/$entity" || one.Mail != "ann.smith@contoso.example" {
		t.Errorf("one selected: %+v", one)
	}
	for _, path := range []string{"/v1.0/users?$select=mail,shoeSize", "/v1.0/users/" + id + "?$select=shoeSize"} {
		r := call(t, s, "GET", path, tn.Token, "", nil)
		if msg := wantGraphError(t, r, http.StatusBadRequest, "Request_BadRequest"); !strings.Contains(msg, "'shoeSize'") {
			t.Errorf("%s: %q does not name the property", path, msg)
		}
	}
}

// TestUsersFilterOperators: each operator finds what Graph's would, text
// compares in any case, and advanced operators need ConsistencyLevel:
// eventual with $count=true.
func TestUsersFilterOperators(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	ids := people(t, s, tn, "Ann Smith", "Bob Jones", "Mary Ann")
	cases := []struct {
		filter   string
		advanced bool
		want     []string
	}{
		{"userType eq 'guest'", false, []string{"Ann Smith", "Bob Jones", "Mary Ann"}},
		{"startswith(displayName,'ann')", false, []string{"Ann Smith"}},
		{"displayName in ('bob jones','Mary Ann')", false, []string{"Bob Jones", "Mary Ann"}},
		{"displayName eq 'Ann Smith' or mail eq 'BOB.JONES@contoso.example'", false, []string{"Ann Smith", "Bob Jones"}},
		{"identities/any(c:c/issuerAssignedId eq 'mary.ann@contoso.example')", false, nil}, // pending: no identity yet
		{"givenName eq null and accountEnabled eq true", false, []string{"Ann Smith", "Bob Jones", "Mary Ann"}},
		{"endswith(mail,'ann@contoso.example')", true, []string{"Mary Ann"}},
		{"not (startswith(displayName,'Ann')) and displayName ne 'Bob Jones'", true, []string{"Mary Ann"}},
		{"createdDateTime ge 2000-01-01T00:00:00Z", true, []string{"Ann Smith", "Bob Jones", "Mary Ann"}},
	}
	for _, tc := range cases {
		q := url.Values{"$filter": {tc.filter}}
		if tc.advanced {
			r := call(t, s, "GET", usersPath(q), tn.Token, "", nil)
			if msg := wantGraphError(t, r, http.StatusBadRequest, "Request_UnsupportedQuery"); !strings.Contains(msg, "ConsistencyLevel:eventual") {
				t.Errorf("%s without the advanced parameters: %q", tc.filter, msg)
			}
			q.Set("$count", "true")
		}
		var page queryPage
		if st, body, _ := getUsers(t, s, tn, usersPath(q), tc.advanced, &page); st != http.StatusOK {
			t.Errorf("%s: %d %s", tc.filter, st, body)
			continue
		}
		var got []string
		for _, u := range page.Value {
			got = append(got, u.DisplayName)
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.filter, got, tc.want)
		}
	}
	if len(ids) != 3 {
		t.Fatal(ids)
	}
}

// TestUsersOrderByPaging: pages of $orderby=displayName desc stay in
// order and see each user once though users are invited between pages;
// $orderby beside $filter is an advanced query, as in Graph.
func TestUsersOrderByPaging(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	people(t, s, tn, "carol", "Alice", "eve", "Dave", "bob")
	path := usersPath(url.Values{"$orderby": {"displayName desc"}, "$top": {"2"}})
	var got []string
	for n := 0; path != ""; n++ {
		var page queryPage
		if st, body, _ := getUsers(t, s, tn, path, false, &page); st != http.StatusOK || n > 10 {
			t.Fatalf("page %d: %d %s", n, st, body)
		}
		for _, u := range page.Value {
			got = append(got, u.DisplayName)
		}
		path = strings.TrimPrefix(page.NextLink, s.URL)
		people(t, s, tn, "zed"+strconv.Itoa(n), "aaron"+strconv.Itoa(n)) // before and after the walk's position
	}
	var old []string
	for _, n := range got {
		if !strings.HasPrefix(n, "zed") && !strings.HasPrefix(n, "aaron") {
			old = append(old, n)
		}
	}
	if want := []string{"eve", "Dave", "carol", "bob", "Alice"}; !slices.Equal(old, want) {
		t.Errorf("walk by displayName desc: %v (of %v), want %v", old, got, want)
	}
	q := url.Values{"$orderby": {"displayName"}, "$filter": {"userType eq 'Guest'"}}
	wantGraphError(t, call(t, s, "GET", usersPath(q), tn.Token, "", nil), http.StatusBadRequest, "Request_UnsupportedQuery")
	q.Set("$count", "true")
	var page queryPage
	if st, body, _ := getUsers(t, s, tn, usersPath(q), true, &page); st != http.StatusOK || len(page.Value) == 0 || page.Value[0].DisplayName != "aaron0" {
		t.Errorf("filtered and sorted: %d %s", st, body)
	}
}

// TestUsersCountAndSearch: @odata.count is the total that matches, not
// the page; /users/$count is text; $search is a word-prefix match; all
// need ConsistencyLevel: eventual (without it $count=true is ignored).
func TestUsersCountAndSearch(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	people(t, s, tn, "Ann Smith", "Mary-Ann Jones", "Bob Annandale", "Joanna Ng")
	q := url.Values{"$count": {"true"}, "$top": {"1"}}
	var page queryPage
	getUsers(t, s, tn, usersPath(q), true, &page)
	if page.Count == nil || *page.Count != 4 || len(page.Value) != 1 {
		t.Errorf("$count=true with $top=1: count %v, %d users", page.Count, len(page.Value))
	}
	page = queryPage{}
	getUsers(t, s, tn, usersPath(q), false, &page)
	if page.Count != nil {
		t.Errorf("$count=true without ConsistencyLevel: count %d, want it left out", *page.Count)
	}

	st, body, h := getUsers(t, s, tn, "/v1.0/users/$count?"+url.Values{"$search": {`"displayName:ann"`}}.Encode(), true, nil)
	if st != http.StatusOK || string(body) != "3" || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		t.Errorf("/users/$count with $search: %d %q %s", st, body, h.Get("Content-Type"))
	}
	r := call(t, s, "GET", "/v1.0/users/$count", tn.Token, "", nil)
	if msg := wantGraphError(t, r, http.StatusBadRequest, "Request_BadRequest"); msg != "$count is not currently supported." {
		t.Errorf("/users/$count without ConsistencyLevel: %q", msg)
	}

	search := usersPath(url.Values{"$search": {`"displayName:ANN" AND "mail:mary"`}})
	page = queryPage{}
	if st, body, _ := getUsers(t, s, tn, search, true, &page); st != http.StatusOK || len(page.Value) != 1 || page.Value[0].DisplayName != "Mary-Ann Jones" {
		t.Errorf("$search: %d %s", st, body)
	}
	r = call(t, s, "GET", search, tn.Token, "", nil)
	if msg := wantGraphError(t, r, http.StatusBadRequest, "Request_UnsupportedQuery"); !strings.Contains(msg, "ConsistencyLevel: eventual") {
		t.Errorf("$search without ConsistencyLevel: %q", msg)
	}
}

// TestJSONBodyNeedsContentType: a JSON body without Content-Type is 415,
// as Graph answers, not read as JSON anyway.
func TestJSONBodyNeedsContentType(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	body := `{"invitedUserEmailAddress":"ann@contoso.example","inviteRedirectUrl":"https://app.example/welcome"}`
	r := call(t, s, "POST", "/v1.0/invitations", tn.Token, "", strings.NewReader(body))
	if r.Status != http.StatusUnsupportedMediaType {
		t.Errorf("POST without Content-Type: %d %s, want 415", r.Status, r.Body)
	}
	r = call(t, s, "POST", "/v1.0/invitations", tn.Token, "application/json; charset=utf-8", strings.NewReader(body))
	if r.Status != http.StatusCreated {
		t.Errorf("POST with Content-Type: %d %s, want 201", r.Status, r.Body)
	}
}
