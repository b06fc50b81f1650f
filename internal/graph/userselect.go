package graph

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"

	"guestlist/internal/core"
)

// userProperty is one property of Graph's user resource and how to read
// it from the rendered user.
type userProperty struct {
	name string
	get  func(u *userJSON) any
}

// userProperties are the properties guestlist keeps, in the order of the
// default set first (Graph's own order), then the others.
var userProperties = []userProperty{
	{"businessPhones", func(u *userJSON) any { return u.BusinessPhones }},
	{"displayName", func(u *userJSON) any { return u.DisplayName }},
	{"givenName", func(u *userJSON) any { return u.GivenName }},
	{"jobTitle", func(u *userJSON) any { return u.JobTitle }},
	{"mail", func(u *userJSON) any { return u.Mail }},
	{"mobilePhone", func(u *userJSON) any { return u.MobilePhone }},
	{"officeLocation", func(u *userJSON) any { return u.OfficeLocation }},
	{"preferredLanguage", func(u *userJSON) any { return u.PreferredLanguage }},
	{"surname", func(u *userJSON) any { return u.Surname }},
	{"userPrincipalName", func(u *userJSON) any { return u.UserPrincipalName }},
	{"id", func(u *userJSON) any { return u.ID }},
	{"accountEnabled", func(u *userJSON) any { return u.AccountEnabled }},
	{"createdDateTime", func(u *userJSON) any { return u.CreatedDateTime }},
	{"creationType", func(u *userJSON) any { return u.CreationType }},
	{"externalUserState", func(u *userJSON) any { return u.ExternalUserState }},
	{"externalUserStateChangeDateTime", func(u *userJSON) any { return u.ExternalUserStateChangeDateTime }},
	{"identities", func(u *userJSON) any { return u.Identities }},
	{"signInActivity", func(u *userJSON) any { return u.SignInActivity }},
	{"userType", func(u *userJSON) any { return u.UserType }},
}

// defaultUserProperties is how many of userProperties Graph returns
// without $select: the rest only when $select names them.
const defaultUserProperties = 11

// selectable finds a property by name, in any case, as Graph does.
func selectable(name string) (userProperty, error) {
	for _, p := range userProperties {
		if strings.EqualFold(p.name, name) {
			return p, nil
		}
	}
	return userProperty{}, noSuchProperty(name)
}

// parseSelect reads $select: nil without it (the default set). An
// unknown property is Graph's 400 naming it.
func parseSelect(q url.Values) ([]userProperty, error) {
	raw, ok := q["$select"]
	if !ok {
		return nil, nil
	}
	var sel []userProperty
	for _, name := range strings.Split(raw[0], ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		p, err := selectable(name)
		if err != nil {
			return nil, err
		}
		if !containsProp(sel, p.name) {
			sel = append(sel, p)
		}
	}
	if len(sel) == 0 {
		return nil, core.Invalidf("$select names no property")
	}
	return sel, nil
}

func containsProp(sel []userProperty, name string) bool {
	for _, p := range sel {
		if p.name == name {
			return true
		}
	}
	return false
}

// selectContext is the @odata.context entity of a selection, as Graph
// writes it: users(displayName,mail).
func selectContext(sel []userProperty) string {
	if sel == nil {
		return "users"
	}
	names := make([]string, len(sel))
	for i, p := range sel {
		names[i] = p.name
	}
	return "users(" + strings.Join(names, ",") + ")"
}

// jsonObject is a JSON object whose members keep their order.
type jsonObject []jsonMember

type jsonMember struct {
	name  string
	value any
}

func (o jsonObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.name)
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// selected is u with the properties of sel (nil: the default set), after
// the members in head (@odata.context of a single user).
func selected(u userJSON, sel []userProperty, head ...jsonMember) jsonObject {
	if sel == nil {
		sel = userProperties[:defaultUserProperties]
	}
	out := append(jsonObject{}, head...)
	for _, p := range sel {
		out = append(out, jsonMember{p.name, p.get(&u)})
	}
	return out
}
