package graph

import (
	"net/url"
	"regexp"
	"strings"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// The logs' $filter (SPEC R41): clauses joined by "and", each a time
// comparison (ge, gt, le, lt with an unquoted ISO 8601 date and time), an
// eq on a property, or, for the audit log, Graph's lambda on the target
// resources: targetResources/any(t: t/id eq '…').

// anyTarget matches Graph's lambda on targetResources' ids.
var anyTarget = regexp.MustCompile(`^(?i:targetResources)/any\(\s*(\w+)\s*:\s*(\w+)/id\s+eq\s+('.*')\s*\)$`)

// logOptions checks the query options a log takes.
func logOptions(q url.Values) error {
	for k := range q {
		switch k {
		case "$filter", "$top", "$skiptoken", "$select":
		default:
			if strings.HasPrefix(k, "$") {
				return unsupported("query option %s is not supported", k)
			}
		}
	}
	_, err := parseTop(q)
	return err
}

// splitAnd splits a $filter at its top-level "and"s, not those inside a
// quoted value.
func splitAnd(s string) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'':
			quoted = !quoted
		case !quoted && i+5 <= len(s) && strings.EqualFold(s[i:i+5], " and "):
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 5
			i += 4
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

// timeClause reads "<prop> ge|gt|le|lt <time>" into f's window.
func timeClause(f *store.LogFilter, op, value string) error {
	t, err := time.Parse(time.RFC3339Nano, value)
	if err != nil {
		return unsupported("invalid $filter: %q is not a date and time such as 2026-11-01T00:00:00Z", value)
	}
	t = t.UTC()
	switch strings.ToLower(op) {
	case "ge":
		f.Since = t
	case "gt":
		f.Since = t.Add(time.Microsecond)
	case "lt":
		f.Until = t
	case "le":
		f.Until = t.Add(time.Microsecond)
	default:
		return unsupported("invalid $filter: dates compare with ge, gt, le or lt")
	}
	return nil
}

// clause splits "<prop> <op> <value>"; a quoted value is unquoted.
func clause(c string) (prop, op, value string, err error) {
	prop, rest, ok := strings.Cut(c, " ")
	op, value, ok2 := strings.Cut(strings.TrimLeft(rest, " "), " ")
	if !ok || !ok2 {
		return "", "", "", unsupported("invalid $filter: expected <property> <operator> <value>")
	}
	value = strings.TrimSpace(value)
	if strings.HasPrefix(value, "'") {
		v, tail, err := literal(value)
		if err != nil {
			return "", "", "", err
		}
		if strings.TrimSpace(tail) != "" {
			return "", "", "", unsupported("invalid $filter: unexpected %q", tail)
		}
		value = v
	}
	return strings.ToLower(prop), op, value, nil
}

// eqOnly refuses an operator other than eq on a property.
func eqOnly(prop, op string) error {
	if !strings.EqualFold(op, "eq") {
		return unsupported("invalid $filter: %s supports only eq", prop)
	}
	return nil
}

// parseAuditQuery reads GET /auditLogs/directoryAudits' options.
func parseAuditQuery(q url.Values) (store.AuditFilter, error) {
	var f store.AuditFilter
	if err := logOptions(q); err != nil {
		return f, err
	}
	s := strings.TrimSpace(q.Get("$filter"))
	if s == "" {
		return f, nil
	}
	for _, c := range splitAnd(s) {
		if m := anyTarget.FindStringSubmatch(c); m != nil {
			if m[1] != m[2] {
				return f, unsupported("invalid $filter: the lambda variable is %s, not %s", m[1], m[2])
			}
			v, _, err := literal(m[3])
			if err != nil {
				return f, err
			}
			f.TargetID = v
			continue
		}
		prop, op, value, err := clause(c)
		if err != nil {
			return f, err
		}
		switch prop {
		case "activitydatetime":
			err = timeClause(&f.LogFilter, op, value)
		case "initiatedby/app/appid":
			f.AppID, err = value, eqOnly(prop, op)
		case "initiatedby/user/id":
			f.ActorUserID, err = value, eqOnly(prop, op)
		case "category":
			f.Category, err = value, eqOnly(prop, op)
		default:
			err = unsupported("filtering on %q is not supported (use activityDateTime, category, initiatedBy/app/appId, initiatedBy/user/id or targetResources/any(t: t/id eq '…'))", prop)
		}
		if err != nil {
			return f, err
		}
	}
	return f, nil
}

// parseSignInQuery reads GET /auditLogs/signIns' options.
func parseSignInQuery(q url.Values) (store.SignInFilter, error) {
	var f store.SignInFilter
	if err := logOptions(q); err != nil {
		return f, err
	}
	s := strings.TrimSpace(q.Get("$filter"))
	if s == "" {
		return f, nil
	}
	for _, c := range splitAnd(s) {
		prop, op, value, err := clause(c)
		if err != nil {
			return f, err
		}
		switch prop {
		case "createddatetime":
			err = timeClause(&f.LogFilter, op, value)
		case "userid":
			f.UserID, err = value, eqOnly(prop, op)
		case "appid":
			f.AppID, err = value, eqOnly(prop, op)
		case "status/errorcode":
			f.Status, err = errorCodeClause(op, value)
		default:
			err = unsupported("filtering on %q is not supported (use createdDateTime, userId, appId or status/errorCode)", prop)
		}
		if err != nil {
			return f, err
		}
	}
	return f, nil
}

// errorCodeClause reads "status/errorCode eq 0" (successes) and "ne 0"
// (failures), the two questions a sign-in report asks.
func errorCodeClause(op, value string) (string, error) {
	switch {
	case value == "0" && strings.EqualFold(op, "eq"):
		return core.ResultSuccess, nil
	case value == "0" && strings.EqualFold(op, "ne"):
		return core.ResultFailure, nil
	}
	return "", unsupported("invalid $filter: status/errorCode supports only eq 0 and ne 0")
}
