package sqlstore

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"guestlist/internal/store"
)

// userColumn is the column of a field. Every piece of SQL a user query
// adds comes from this table or from constants below; values from the
// request are always bound ($n), never written into the text.
func userColumn(f store.UserField) (string, bool) {
	switch f {
	case store.UserID:
		return "id", true
	case store.UserDisplayName:
		return "display_name", true
	case store.UserMail:
		return "mail", true
	case store.UserMailKey:
		return "mail_key", true
	case store.UserPrincipalName:
		return "user_principal_name", true
	case store.UserType:
		return "user_type", true
	case store.UserExternalState:
		return "external_user_state", true
	case store.UserCreationType:
		return "creation_type", true
	case store.UserGivenName:
		return "given_name", true
	case store.UserSurname:
		return "surname", true
	case store.UserAccountEnabled:
		return "account_enabled", true
	case store.UserCreated:
		return "created_at", true
	}
	return "", false
}

// bind adds v to w's arguments and returns its placeholder.
func (w *where) bind(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

// text binds s lowered by the database. The cast names the type:
// PostgreSQL has LOWER for ranges too, and cannot choose for an untyped
// parameter.
func (w *where) text(s string) string {
	return "LOWER(CAST(" + w.bind(s) + " AS TEXT))"
}

// userExpr translates e into a condition. Text compares through LOWER()
// on both sides, the same function in both databases, so SQLite and
// PostgreSQL agree (LOWER folds ASCII letters only on SQLite: a
// non-ASCII capital matches only itself there).
func (w *where) userExpr(e store.Expr) (string, error) {
	switch e := e.(type) {
	case store.Compare:
		return w.compare(e)
	case store.Match:
		return w.match(e)
	case store.IsEmpty:
		col, ok := userColumn(e.Field)
		if !ok || e.Field == store.UserAccountEnabled || e.Field == store.UserCreated {
			return "", fmt.Errorf("sqlstore: %v cannot be empty", e.Field)
		}
		return col + " = ''", nil
	case store.Not:
		x, err := w.userExpr(e.X)
		return "NOT (" + x + ")", err
	case store.And:
		return w.join(e, " AND ", "1 = 1")
	case store.Or:
		return w.join(e, " OR ", "1 = 0")
	case store.IdentityAny:
		return w.identityAny(e)
	}
	return "", fmt.Errorf("sqlstore: unknown user condition %T", e)
}

func (w *where) join(xs []store.Expr, op, empty string) (string, error) {
	if len(xs) == 0 {
		return empty, nil
	}
	parts := make([]string, len(xs))
	for i, x := range xs {
		s, err := w.userExpr(x)
		if err != nil {
			return "", err
		}
		parts[i] = "(" + s + ")"
	}
	return strings.Join(parts, op), nil
}

var compareOps = map[store.CompareOp]string{store.Eq: "=", store.Lt: "<", store.Le: "<=", store.Gt: ">", store.Ge: ">="}

func (w *where) compare(c store.Compare) (string, error) {
	col, ok := userColumn(c.Field)
	op, okOp := compareOps[c.Op]
	if !ok || !okOp {
		return "", fmt.Errorf("sqlstore: invalid comparison %v %v", c.Field, c.Op)
	}
	switch v := c.Value.(type) {
	case string:
		if c.Op != store.Eq {
			return "", fmt.Errorf("sqlstore: text compares with Eq only")
		}
		return "LOWER(" + col + ") = " + w.text(v), nil
	case bool:
		if c.Field != store.UserAccountEnabled || c.Op != store.Eq {
			return "", fmt.Errorf("sqlstore: a boolean compares with account_enabled only")
		}
		return col + " = " + w.bind(v), nil
	case time.Time:
		if c.Field != store.UserCreated {
			return "", fmt.Errorf("sqlstore: a time compares with created_at only")
		}
		return col + " " + op + " " + w.bind(micros(v)), nil
	}
	return "", fmt.Errorf("sqlstore: invalid comparison value %T", c.Value)
}

// likeEscape makes s match itself in a LIKE pattern with ESCAPE '!'.
func likeEscape(s string) string {
	r := strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")
	return r.Replace(s)
}

// wordSeparators start a word for store.WordPrefix.
var wordSeparators = [...]string{" ", ".", "_", "-", "@"}

func (w *where) match(m store.Match) (string, error) {
	col, ok := userColumn(m.Field)
	if !ok || m.Field == store.UserAccountEnabled || m.Field == store.UserCreated {
		return "", fmt.Errorf("sqlstore: %v is not text", m.Field)
	}
	like := func(pattern string) string {
		return "LOWER(" + col + ") LIKE " + w.text(pattern) + " ESCAPE '!'"
	}
	v := likeEscape(m.Value)
	switch m.Kind {
	case store.Prefix:
		return like(v + "%"), nil
	case store.Suffix:
		return like("%" + v), nil
	case store.WordPrefix:
		parts := []string{like(v + "%")}
		for _, sep := range wordSeparators {
			parts = append(parts, like("%"+likeEscape(sep)+v+"%"))
		}
		return "(" + strings.Join(parts, " OR ") + ")", nil
	}
	return "", fmt.Errorf("sqlstore: unknown match kind %v", m.Kind)
}

// identityAny matches a fragment of the identities column, which holds
// the JSON of []core.Identity as encoding/json writes it: objects with
// signInType, issuer, issuerAssignedId in that order. The values are
// encoded by the same encoder, so a quote inside a value is \" and cannot
// end a value early: the fragment `"issuer":"x",` only occurs at a real
// issuer. Issuer and issuerAssignedId are adjacent, so both together
// must sit in one identity. A LIKE keeps the filter in SQL, so paging
// and $count see exactly the matching rows.
func (w *where) identityAny(e store.IdentityAny) (string, error) {
	enc := func(s string) string {
		b, _ := json.Marshal(s) // a string always encodes
		return likeEscape(string(b))
	}
	var frag string
	switch {
	case e.Issuer != "" && e.IssuerAssignedID != "":
		frag = `"issuer":` + enc(e.Issuer) + `,"issuerAssignedId":` + enc(e.IssuerAssignedID) + `}`
	case e.Issuer != "":
		frag = `"issuer":` + enc(e.Issuer) + `,"issuerAssignedId":`
	case e.IssuerAssignedID != "":
		frag = `,"issuerAssignedId":` + enc(e.IssuerAssignedID) + `}`
	default:
		return "identities <> 'null' AND identities <> '[]'", nil
	}
	return "LOWER(identities) LIKE " + w.text("%"+frag+"%") + " ESCAPE '!'", nil
}

// userOrder returns the ORDER BY of o and adds the keyset condition that
// continues it after c. Sorted text compares by LOWER() (the database's
// collation for the rest: "C" in the tests and SQLite's binary order).
func (w *where) userOrder(o store.UserOrder, c store.Cursor) (string, error) {
	dir, cmp := " ASC", " > "
	if o.Desc {
		dir, cmp = " DESC", " < "
	}
	var key string
	switch o.Field {
	case 0, store.UserCreated:
		if !c.IsZero() {
			at, id := w.bind(micros(c.CreatedAt)), w.bind(c.ID)
			w.sql += " AND (created_at" + cmp + at + " OR (created_at = " + at + " AND id" + cmp + id + "))"
		}
		return " ORDER BY created_at" + dir + ", id" + dir, nil
	case store.UserDisplayName, store.UserPrincipalName, store.UserMail:
		col, _ := userColumn(o.Field)
		key = "LOWER(" + col + ")"
	default:
		return "", fmt.Errorf("sqlstore: cannot sort users by %v", o.Field)
	}
	if !c.IsZero() {
		k, id := w.text(c.Key), w.bind(c.ID)
		w.sql += " AND (" + key + cmp + k + " OR (" + key + " = " + k + " AND id" + cmp + id + "))"
	}
	return " ORDER BY " + key + dir + ", id" + dir, nil
}
