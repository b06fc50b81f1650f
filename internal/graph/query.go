package graph

import (
	"net/http"
	"net/url"
	"strings"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

func unsupported(format string, args ...any) error {
	return core.Errorf(core.ErrInvalid, "Request_UnsupportedQuery", format, args...)
}

// userQuery is what GET /v1.0/users was asked for (SPEC R41).
type userQuery struct {
	filter store.UserFilter
	sel    []userProperty // nil: Graph's default set
	count  bool           // $count=true in an advanced query: add @odata.count
}

// eventual reports the advanced query header, ConsistencyLevel: eventual.
func eventual(r *http.Request) bool {
	return strings.EqualFold(strings.TrimSpace(r.Header.Get("ConsistencyLevel")), "eventual")
}

// parseUserQuery reads the OData options of GET /v1.0/users: $filter,
// $search, $orderby, $select, $count and $top ($skiptoken is pageOf's).
// Graph's advanced queries (ne, not, endsWith, createdDateTime, $filter
// with $orderby, …) need ConsistencyLevel: eventual and $count=true;
// $search needs the header only; $count=true without the header is
// ignored, as Graph ignores it.
func parseUserQuery(r *http.Request) (userQuery, error) {
	var uq userQuery
	q := r.URL.Query()
	for k := range q {
		switch k {
		case "$filter", "$top", "$count", "$select", "$skiptoken", "$orderby", "$search":
		default:
			if strings.HasPrefix(k, "$") {
				return uq, unsupported("query option %s is not supported", k)
			}
		}
	}
	top, err := parseTop(q)
	if err != nil {
		return uq, err
	}
	uq.filter.Top = top
	if uq.sel, err = parseSelect(q); err != nil {
		return uq, err
	}
	countTrue, err := parseCount(q)
	if err != nil {
		return uq, err
	}
	advanced := eventual(r) && countTrue
	uq.count = countTrue && eventual(r)
	if err := uq.readFilter(r, q, advanced); err != nil {
		return uq, err
	}
	return uq, uq.readOrder(q, advanced)
}

// parseCount reads $count: true, false or absent.
func parseCount(q url.Values) (bool, error) {
	switch v := q.Get("$count"); strings.ToLower(v) {
	case "true":
		return true, nil
	case "false", "":
		return false, nil
	default:
		return false, core.Invalidf("$count must be true or false, not '%s'", v)
	}
}

// readFilter reads $filter and $search into the store's condition.
func (uq *userQuery) readFilter(r *http.Request, q url.Values, advanced bool) error {
	var and store.And
	if s, ok := q["$filter"]; ok {
		e, needs, err := userFilterExpr(s[0])
		if err != nil {
			return err
		}
		if needs != "" && !advanced {
			return advancedOnly(needs)
		}
		and = append(and, e)
	}
	if s, ok := q["$search"]; ok {
		if !eventual(r) {
			return unsupported("Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'")
		}
		e, err := parseSearch(s[0])
		if err != nil {
			return err
		}
		and = append(and, e)
	}
	if len(and) > 0 {
		uq.filter.Where = and
	}
	return nil
}

// orderProps are the properties $orderby takes; advanced marks those
// Graph sorts only in advanced queries. Graph does not sort users by
// mail at all: guestlist does, as an advanced query.
var orderProps = []struct {
	name     string
	field    store.UserField
	advanced bool
}{
	{"displayName", store.UserDisplayName, false},
	{"userPrincipalName", store.UserPrincipalName, false},
	{"mail", store.UserMail, true},
	{"createdDateTime", store.UserCreated, true},
}

// readOrder reads $orderby: one property, asc (default) or desc. As in
// Graph, $orderby beside $filter is an advanced query.
func (uq *userQuery) readOrder(q url.Values, advanced bool) error {
	s, ok := q["$orderby"]
	if !ok {
		return nil
	}
	prop, dir, _ := strings.Cut(strings.TrimSpace(s[0]), " ")
	dir = strings.TrimSpace(dir)
	if strings.Contains(prop, ",") || strings.Contains(dir, ",") {
		return unsupported("$orderby takes one property")
	}
	var o store.UserOrder
	switch strings.ToLower(dir) {
	case "", "asc":
	case "desc":
		o.Desc = true
	default:
		return unsupported("$orderby: '%s' is not asc or desc", dir)
	}
	for _, p := range orderProps {
		if !strings.EqualFold(p.name, prop) {
			continue
		}
		if (p.advanced || q.Has("$filter")) && !advanced {
			return unsupported("Sorting by '%s' with these query options is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information", p.name)
		}
		o.Field = p.field
		uq.filter.Order = o
		return nil
	}
	if _, err := selectable(prop); err != nil {
		return err
	}
	return unsupported("Sorting by '%s' is not supported (use displayName, userPrincipalName, mail or createdDateTime)", prop)
}

// parseSearch reads $search: one or more "property:words" clauses in
// double quotes joined by AND or OR (AND binds tighter). A clause
// matches when each of its words starts a word of the property, in any
// case, as Graph's tokenized search does.
func parseSearch(s string) (store.Expr, error) {
	var or store.Or
	and := store.And{}
	rest := strings.TrimSpace(s)
	for {
		if !strings.HasPrefix(rest, `"`) {
			return nil, unsupported(`$search: each clause is "property:value" in double quotes, e.g. $search="displayName:ann"`)
		}
		clause, after, ok := strings.Cut(rest[1:], `"`)
		if !ok {
			return nil, unsupported("$search: unterminated clause")
		}
		e, err := searchClause(clause)
		if err != nil {
			return nil, err
		}
		and = append(and, e)
		rest = strings.TrimSpace(after)
		if rest == "" {
			return append(or, and), nil
		}
		op, after, _ := strings.Cut(rest, " ")
		switch op {
		case "AND":
		case "OR":
			or, and = append(or, and), store.And{}
		default:
			return nil, unsupported("$search: clauses are joined by AND or OR, not '%s'", op)
		}
		rest = strings.TrimSpace(after)
	}
}

func searchClause(c string) (store.Expr, error) {
	name, value, ok := strings.Cut(c, ":")
	if !ok || strings.TrimSpace(value) == "" {
		return nil, unsupported(`$search: a clause is "property:value"`)
	}
	var f store.UserField
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "displayname":
		f = store.UserDisplayName
	case "mail":
		f = store.UserMail
	case "userprincipalname":
		f = store.UserPrincipalName
	default:
		return nil, unsupported("$search: searching '%s' is not supported (use displayName, mail or userPrincipalName)", name)
	}
	var and store.And
	for _, w := range strings.Fields(value) {
		and = append(and, store.Match{Field: f, Kind: store.WordPrefix, Value: w})
	}
	return and, nil
}
