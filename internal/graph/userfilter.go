package graph

import (
	"strings"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// filterProp is what $filter may do with one user property, after
// Graph's table of filter support for directory objects (SPEC R41).
type filterProp struct {
	name  string // Graph's spelling
	field store.UserField
	kind  int  // litString, litBool or litTime
	start bool // startswith works by default
	// end: endswith works, as an advanced query (Graph has it on mail
	// and userPrincipalName only).
	end bool
}

var filterProps = []filterProp{
	{"id", store.UserID, litString, false, false},
	{"displayName", store.UserDisplayName, litString, true, false},
	{"mail", store.UserMail, litString, true, true},
	{"userPrincipalName", store.UserPrincipalName, litString, true, true},
	{"userType", store.UserType, litString, false, false},
	{"externalUserState", store.UserExternalState, litString, false, false},
	{"creationType", store.UserCreationType, litString, false, false},
	{"givenName", store.UserGivenName, litString, true, false},
	{"surname", store.UserSurname, litString, true, false},
	{"accountEnabled", store.UserAccountEnabled, litBool, false, false},
	{"createdDateTime", store.UserCreated, litTime, false, false},
}

// userProp finds a property by name, in any case, as Graph does.
func userProp(name string) (filterProp, error) {
	for _, p := range filterProps {
		if strings.EqualFold(p.name, name) {
			return p, nil
		}
	}
	if strings.EqualFold(name, "identities") {
		return filterProp{}, unsupported("Unsupported or invalid query filter clause specified for property 'identities' of resource 'User': use identities/any(c:c/issuer eq '…')")
	}
	return filterProp{}, noSuchProperty(name)
}

func noSuchProperty(name string) error {
	return core.Invalidf("Could not find a property named '%s' on type 'microsoft.graph.user'.", name)
}

func badClause(prop, why string) error {
	return unsupported("Unsupported or invalid query filter clause specified for property '%s' of resource 'User': %s", prop, why)
}

// advancedOnly is Graph's refusal of an advanced query without
// ConsistencyLevel: eventual and $count=true.
func advancedOnly(op string) error {
	return unsupported("Operator '%s' is not supported because the required parameters might be missing. Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information", op)
}

// filterCheck turns a parsed $filter into the store's condition and
// records the first operator that only advanced queries may use.
type filterCheck struct {
	advanced string // "" when the filter works by default
}

func (c *filterCheck) needs(op string) {
	if c.advanced == "" {
		c.advanced = op
	}
}

func (c *filterCheck) expr(n filterNode) (store.Expr, error) {
	switch n := n.(type) {
	case logicalNode:
		l, err := c.expr(n.l)
		if err != nil {
			return nil, err
		}
		r, err := c.expr(n.r)
		if n.op == "and" {
			return store.And{l, r}, err
		}
		return store.Or{l, r}, err
	case notNode:
		c.needs("not")
		x, err := c.expr(n.x)
		return store.Not{X: x}, err
	case compareNode:
		return c.compare(n)
	case funcNode:
		return c.function(n)
	case inNode:
		or := store.Or{}
		for _, v := range n.vals {
			x, err := c.compare(compareNode{prop: n.prop, op: "eq", val: v})
			if err != nil {
				return nil, err
			}
			or = append(or, x)
		}
		return or, nil
	case anyNode:
		return c.any(n)
	}
	return nil, unsupported("invalid $filter")
}

func (c *filterCheck) compare(n compareNode) (store.Expr, error) {
	p, err := userProp(n.prop)
	if err != nil {
		return nil, err
	}
	var e store.Expr
	switch {
	case n.val.kind == litNull:
		if p.kind != litString || p.field == store.UserID {
			return nil, badClause(p.name, "it is never null")
		}
		if n.op != "eq" && n.op != "ne" {
			return nil, badClause(p.name, "unsupported operator '"+n.op+"' with null")
		}
		e = store.IsEmpty{Field: p.field}
	case n.val.kind != p.kind:
		return nil, badClause(p.name, "the value is of the wrong type")
	case p.kind == litTime:
		// Graph has createdDateTime filters on users as advanced queries.
		c.needs(n.op)
		op := map[string]store.CompareOp{"eq": store.Eq, "ne": store.Eq, "gt": store.Gt, "ge": store.Ge, "lt": store.Lt, "le": store.Le}[n.op]
		e = store.Compare{Field: p.field, Op: op, Value: n.val.t}
	case n.op != "eq" && n.op != "ne":
		return nil, badClause(p.name, "unsupported operator '"+n.op+"'")
	case p.kind == litBool:
		e = store.Compare{Field: p.field, Op: store.Eq, Value: n.val.b}
	default:
		e = stringEq(p, n.val.s)
	}
	if n.op == "ne" {
		c.needs("ne")
		e = store.Not{X: e}
	}
	return e, nil
}

// stringEq compares a text property. mail compares by the address's key
// (R13: the same address however it is written), when it is one.
func stringEq(p filterProp, v string) store.Expr {
	if p.field == store.UserMail {
		if a, err := core.ParseAddress(v); err == nil {
			return store.Compare{Field: store.UserMailKey, Op: store.Eq, Value: a.Key()}
		}
	}
	return store.Compare{Field: p.field, Op: store.Eq, Value: v}
}

func (c *filterCheck) function(n funcNode) (store.Expr, error) {
	p, err := userProp(n.prop)
	if err != nil {
		return nil, err
	}
	if n.val.kind != litString || p.kind != litString {
		return nil, badClause(p.name, n.name+" takes a text property and a string")
	}
	if n.name == "startswith" {
		if !p.start {
			return nil, badClause(p.name, "unsupported operator 'startsWith'")
		}
		return store.Match{Field: p.field, Kind: store.Prefix, Value: n.val.s}, nil
	}
	if !p.end {
		return nil, badClause(p.name, "unsupported operator 'endsWith'")
	}
	c.needs("endsWith")
	return store.Match{Field: p.field, Kind: store.Suffix, Value: n.val.s}, nil
}

// any reads identities/any(c: c/issuer eq '…' [and c/issuerAssignedId eq '…']),
// the one lambda Graph has on users' identities.
func (c *filterCheck) any(n anyNode) (store.Expr, error) {
	if !strings.EqualFold(n.coll, "identities") {
		return nil, badClause(n.coll, "any() is supported on identities only")
	}
	var e store.IdentityAny
	var walk func(filterNode) error
	walk = func(x filterNode) error {
		switch x := x.(type) {
		case logicalNode:
			if x.op != "and" {
				break
			}
			if err := walk(x.l); err != nil {
				return err
			}
			return walk(x.r)
		case compareNode:
			prop, ok := strings.CutPrefix(x.prop, n.v+"/")
			if !ok || x.op != "eq" || x.val.kind != litString {
				break
			}
			switch {
			case strings.EqualFold(prop, "issuer") && e.Issuer == "":
				e.Issuer = x.val.s
				return nil
			case strings.EqualFold(prop, "issuerAssignedId") && e.IssuerAssignedID == "":
				e.IssuerAssignedID = x.val.s
				return nil
			}
		}
		return badClause("identities", "inside any(), use "+n.v+"/issuer eq '…' and "+n.v+"/issuerAssignedId eq '…'")
	}
	if err := walk(n.body); err != nil {
		return nil, err
	}
	if e.Issuer == "" && e.IssuerAssignedID == "" {
		return nil, badClause("identities", "the values in any() must not be empty")
	}
	return e, nil
}

// userFilterExpr parses $filter; advanced names the operator that needs
// the advanced query parameters ("" if none).
func userFilterExpr(s string) (e store.Expr, advanced string, err error) {
	n, err := parseFilterExpr(s)
	if err != nil {
		return nil, "", err
	}
	var c filterCheck
	e, err = c.expr(n)
	return e, c.advanced, err
}
