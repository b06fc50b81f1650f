package graph

import "strings"

// parseFilter reads the conjunctions of equalities that the invitation
// list accepts (`prop eq 'value' [and …]`) with the $filter grammar of
// odata.go, into property (lower case) → value. Anything else the grammar
// knows — or, not, other operators, functions — is refused by name.
func parseFilter(s string) (map[string]string, error) {
	out := map[string]string{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	n, err := parseFilterExpr(s)
	if err != nil {
		return nil, err
	}
	var walk func(n filterNode) error
	walk = func(n filterNode) error {
		switch x := n.(type) {
		case logicalNode:
			if x.op != "and" {
				return unsupported("invalid $filter: conditions must be joined with and")
			}
			if err := walk(x.l); err != nil {
				return err
			}
			return walk(x.r)
		case compareNode:
			if x.op != "eq" || x.val.kind != litString {
				return unsupported("invalid $filter: only <property> eq '<value>' is supported here")
			}
			key := strings.ToLower(x.prop)
			if _, dup := out[key]; dup {
				return unsupported("invalid $filter: %s appears twice", x.prop)
			}
			out[key] = x.val.s
			return nil
		}
		return unsupported("invalid $filter: only <property> eq '<value>' joined with and is supported here")
	}
	if err := walk(n); err != nil {
		return nil, err
	}
	return out, nil
}

// literal reads a quoted OData string literal (” is a quote) from the
// start of s, with what follows it.
func literal(s string) (val, rest string, err error) {
	if !strings.HasPrefix(s, "'") {
		return "", "", unsupported("invalid $filter: values must be quoted strings")
	}
	v, n, ok := lexString(s)
	if !ok {
		return "", "", unsupported("invalid $filter: unterminated string")
	}
	return v, s[n:], nil
}
