package graph

import (
	"net/url"
	"strings"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

func unsupported(format string, args ...any) error {
	return core.Errorf(core.ErrInvalid, "Request_UnsupportedQuery", format, args...)
}

// parseUserQuery reads the OData options GET /v1.0/users supports:
// $filter with eq comparisons on userType, externalUserState and mail
// joined by "and", and $top (1–999); $skiptoken is read by pageOf.
func parseUserQuery(q url.Values) (store.UserFilter, error) {
	var f store.UserFilter
	for k := range q {
		switch k {
		case "$filter", "$top", "$count", "$select", "$skiptoken":
		default:
			if strings.HasPrefix(k, "$") {
				return f, unsupported("query option %s is not supported", k)
			}
		}
	}
	top, err := parseTop(q)
	if err != nil {
		return f, err
	}
	f.Top = top
	conds, err := parseFilter(q.Get("$filter"))
	if err != nil {
		return f, err
	}
	for prop, val := range conds {
		switch prop {
		case "usertype":
			f.UserType = val
		case "externaluserstate":
			f.ExternalUserState = val
		case "mail":
			a, err := core.ParseAddress(val)
			if err != nil {
				f.MailKey = "\x00no-such-address" // a valid query that matches nothing
			} else {
				f.MailKey = a.Key()
			}
		default:
			return f, unsupported("filtering on %q is not supported (use userType, externalUserState or mail)", prop)
		}
	}
	return f, nil
}

// parseFilter parses `prop eq 'value' [and prop eq 'value']…`. Property
// names are case-insensitive; string literals use ” for a quote.
func parseFilter(s string) (map[string]string, error) {
	out := map[string]string{}
	s = strings.TrimSpace(s)
	for s != "" {
		prop, rest, ok := strings.Cut(s, " ")
		if !ok || prop == "" {
			return nil, unsupported("invalid $filter: expected <property> eq '<value>'")
		}
		rest = strings.TrimLeft(rest, " ")
		op, rest, ok := strings.Cut(rest, " ")
		if !ok || !strings.EqualFold(op, "eq") {
			return nil, unsupported("invalid $filter: only the eq operator is supported")
		}
		val, rest, err := literal(strings.TrimLeft(rest, " "))
		if err != nil {
			return nil, err
		}
		key := strings.ToLower(prop)
		if _, dup := out[key]; dup {
			return nil, unsupported("invalid $filter: %s appears twice", prop)
		}
		out[key] = val
		rest = strings.TrimSpace(rest)
		if rest == "" {
			break
		}
		conj, after, ok := strings.Cut(rest, " ")
		if !ok || !strings.EqualFold(conj, "and") {
			return nil, unsupported("invalid $filter: conditions must be joined with and")
		}
		s = strings.TrimSpace(after)
		if s == "" {
			return nil, unsupported("invalid $filter: nothing after and")
		}
	}
	return out, nil
}

// literal reads a quoted OData string literal from the start of s.
func literal(s string) (val, rest string, err error) {
	if !strings.HasPrefix(s, "'") {
		return "", "", unsupported("invalid $filter: values must be quoted strings")
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != '\'' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		return b.String(), s[i+1:], nil
	}
	return "", "", unsupported("invalid $filter: unterminated string")
}
