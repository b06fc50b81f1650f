package graph

import (
	"encoding/json"
	"errors"
	"testing"

	"guestlist/internal/core"
)

var userPatchSeeds = []string{
	`{}`, `{"displayName":"Alice"}`, `{"accountEnabled":false}`, `{"accountEnabled":null}`,
	`{"jobTitle":null,"businessPhones":[]}`, `{"businessPhones":null}`, `{"businessPhones":["1",2]}`,
	`{"mail":"x@y"}`, `{"id":1}`, `{"@odata.type":"#microsoft.graph.user"}`, `{"@odata.type":5}`,
	`{"displayName":null}`, `{"userType":"Member","preferredLanguage":"nl-NL"}`, `{"":""}`,
	`{"givenName":{"a":1}}`, `{"surname":["x"]}`, `{"accountEnabled":"true"}`, `{"favouriteColour":"blue"}`,
}

// FuzzUserPatch: reading a PATCH body never panics, refuses with Graph's
// 400, and what it accepts names only properties the body held.
func FuzzUserPatch(f *testing.F) {
	for _, s := range userPatchSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var body map[string]json.RawMessage
		if json.Unmarshal([]byte(s), &body) != nil {
			return
		}
		p, err := userPatch(body)
		if err != nil {
			if !errors.Is(err, core.ErrInvalid) {
				t.Fatalf("userPatch(%q): %v, want core.ErrInvalid", s, err)
			}
			return
		}
		set := map[string]bool{
			"displayName": p.DisplayName != nil, "accountEnabled": p.AccountEnabled != nil, "userType": p.UserType != nil,
			"preferredLanguage": p.PreferredLanguage != nil, "givenName": p.GivenName != nil, "surname": p.Surname != nil,
			"jobTitle": p.JobTitle != nil, "officeLocation": p.OfficeLocation != nil, "mobilePhone": p.MobilePhone != nil,
			"businessPhones": p.BusinessPhones != nil,
		}
		for name, ok := range set {
			if _, held := body[name]; ok != held {
				t.Fatalf("userPatch(%q): %s set %v, in the body %v", s, name, ok, held)
			}
		}
		for name := range body {
			if _, known := set[name]; !known && name != "@odata.type" {
				t.Fatalf("userPatch(%q) accepted property %q", s, name)
			}
		}
	})
}
