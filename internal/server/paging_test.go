package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"guestlist/internal/servertest"
)

// graphPage is one page of a Graph collection, as much as a client reads.
type graphPage struct {
	Context  string `json:"@odata.context"`
	NextLink string `json:"@odata.nextLink"`
	Value    []struct {
		ID string `json:"id"`
	} `json:"value"`
}

// walkPages reads a collection as the Graph SDKs' page iterators do
// (msgraph-sdk-go's PageIterator): get the first page, then follow
// @odata.nextLink verbatim until a page has none. No SDK is used: it is a
// large dependency, and this loop is what its iterator does. between, if
// set, runs after each page but the last. It returns the ids of each page.
func walkPages(t *testing.T, s *servertest.Server, token, path string, between func(n int)) [][]string {
	t.Helper()
	var pages [][]string
	for n := 0; ; n++ {
		if n > 50 {
			t.Fatalf("%s: paging does not end", path)
		}
		var p graphPage
		wantAPI(t, "GET "+path, s.DoJSON(t, "GET", path, token, nil, &p), http.StatusOK)
		ids := make([]string, 0, len(p.Value))
		for _, v := range p.Value {
			ids = append(ids, v.ID)
		}
		pages = append(pages, ids)
		if p.NextLink == "" {
			return pages
		}
		rest, ok := strings.CutPrefix(p.NextLink, s.URL+"/v1.0/")
		if !ok {
			t.Fatalf("nextLink %q is not an absolute URL on the server's base URL", p.NextLink)
		}
		path = "/v1.0/" + rest
		if between != nil {
			between(n)
		}
	}
}

// once fails t unless every id of want is in pages exactly once, and
// returns how often each id was seen.
func once(t *testing.T, what string, pages [][]string, want []string) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for _, p := range pages {
		for _, id := range p {
			seen[id]++
		}
	}
	for _, id := range want {
		if seen[id] != 1 {
			t.Errorf("%s: %s seen %d times", what, id, seen[id])
		}
	}
	return seen
}

// listIDs reads a whole (small) collection in one page of up to 999.
func listIDs(t *testing.T, s *servertest.Server, token, path string) []string {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	pages := walkPages(t, s, token, path+sep+"$top=999", nil)
	if len(pages) != 1 {
		t.Fatalf("%s: %d pages of 999", path, len(pages))
	}
	return pages[0]
}

func inviteMany(t *testing.T, s *servertest.Server, tn servertest.Tenant, prefix string, n int) {
	t.Helper()
	for i := range n {
		s.Invite(t, tn, fmt.Sprintf("%s%d@contoso.example", prefix, i), nil)
	}
}

// TestPagingUsers: $top=3 on 9 users is 3 pages with every user once,
// the nextLink keeps the request's other options, and a different $top
// beside a $skiptoken is ignored (the token's page size holds).
func TestPagingUsers(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	inviteMany(t, s, tn, "guest", 9)
	all := listIDs(t, s, tn.Token, "/v1.0/users")
	if len(all) != 9 {
		t.Fatalf("%d users, want 9", len(all))
	}
	pages := walkPages(t, s, tn.Token, "/v1.0/users?$top=3", nil)
	if len(pages) != 3 {
		t.Fatalf("$top=3 on 9 users: %d pages %v", len(pages), pages)
	}
	once(t, "users", pages, all)

	filter := "/v1.0/users?" + url.Values{"$filter": {"userType eq 'Guest'"}}.Encode() + "&$top=4"
	var first graphPage
	wantAPI(t, "filtered users", s.DoJSON(t, "GET", filter, tn.Token, nil, &first), http.StatusOK)
	if len(first.Value) != 4 || !strings.HasPrefix(first.NextLink, s.URL+"/v1.0/users?%24filter=userType") ||
		!strings.Contains(first.NextLink, "&$top=4&$skiptoken=") {
		t.Fatalf("first filtered page: %d users, nextLink %q", len(first.Value), first.NextLink)
	}
	once(t, "guests", walkPages(t, s, tn.Token, filter, nil), all)

	next := strings.Replace(strings.TrimPrefix(first.NextLink, s.URL), "$top=4", "$top=2", 1)
	var second graphPage
	wantAPI(t, "a different $top beside $skiptoken", s.DoJSON(t, "GET", next, tn.Token, nil, &second), http.StatusOK)
	if len(second.Value) != 4 {
		t.Errorf("a different $top beside $skiptoken: %d users, want the token's 4", len(second.Value))
	}
}

// TestPagingStableUnderInserts: users invited while a client pages (at
// the same instant as the page's last user, and later) never make it see
// a user twice or miss one that existed when it began.
func TestPagingStableUnderInserts(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	inviteMany(t, s, tn, "early", 9)
	before := listIDs(t, s, tn.Token, "/v1.0/users")
	pages := walkPages(t, s, tn.Token, "/v1.0/users?$top=3", func(n int) {
		s.Invite(t, tn, fmt.Sprintf("same-instant%d@contoso.example", n), nil)
		s.Clock.Advance(time.Second)
		s.Invite(t, tn, fmt.Sprintf("later%d@contoso.example", n), nil)
	})
	seen := once(t, "users that existed", pages, before)
	for id, n := range seen {
		if n > 1 {
			t.Errorf("user %s seen %d times", id, n)
		}
	}
	if len(seen) < len(before)+2 { // the later ones sort after every page's cursor
		t.Errorf("users invited later while paging: saw %d users in all, %d before", len(seen), len(before))
	}
}

// TestPagingDefaultSize: without $top a page has 100 items, as Graph's.
func TestPagingDefaultSize(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	inviteMany(t, s, tn, "guest", 150)
	for _, path := range []string{"/v1.0/invitations", "/v1.0/users"} {
		pages := walkPages(t, s, tn.Token, path, nil)
		if len(pages) != 2 || len(pages[0]) != 100 || len(pages[1]) != 50 {
			t.Errorf("%s: pages of %d", path, lens(pages))
		}
		once(t, path, pages, append(pages[0], pages[len(pages)-1]...))
	}
}

func lens(pages [][]string) []int {
	out := make([]int, 0, len(pages))
	for _, p := range pages {
		out = append(out, len(p))
	}
	return out
}
