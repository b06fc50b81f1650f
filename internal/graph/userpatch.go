package graph

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/users"
)

// readOnlyUser are user properties Graph shows but an update may not set
// here: identity and redemption state change only through invitations
// (R1, R13).
var readOnlyUser = map[string]bool{
	"id": true, "mail": true, "userPrincipalName": true, "identities": true,
	"externalUserState": true, "externalUserStateChangeDateTime": true, "creationType": true,
	"createdDateTime": true, "signInActivity": true, "@odata.context": true,
}

// patchUser is Graph's user update: the properties guestlist keeps, each
// checked for its type; 204 No Content as Graph answers.
func (a *API) patchUser(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var body map[string]json.RawMessage
	if err := decode(w, r, &body); err != nil {
		return err
	}
	if body == nil { // the JSON literal null
		return core.Invalidf("the body must be a JSON object")
	}
	p, err := userPatch(body)
	if err != nil {
		return err
	}
	if err := a.users.Update(r.Context(), t.ID, r.PathValue("id"), p); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// userPatch reads each property of body into p, in name order so that
// the first wrong property named is always the same one.
func userPatch(body map[string]json.RawMessage) (p users.Patch, err error) {
	names := make([]string, 0, len(body))
	for name := range body {
		names = append(names, name)
	}
	sort.Strings(names)
	strs := map[string]**string{
		"displayName": &p.DisplayName, "userType": &p.UserType, "preferredLanguage": &p.PreferredLanguage,
		"givenName": &p.GivenName, "surname": &p.Surname, "jobTitle": &p.JobTitle,
		"officeLocation": &p.OfficeLocation, "mobilePhone": &p.MobilePhone,
	}
	// Properties Graph lets an update clear with null.
	nullable := map[string]bool{"preferredLanguage": true, "givenName": true, "surname": true,
		"jobTitle": true, "officeLocation": true, "mobilePhone": true, "businessPhones": true}
	for _, name := range names {
		raw := body[name]
		isNull := bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
		if isNull && !nullable[name] && strs[name] != nil {
			return p, core.Invalidf("property %s cannot be null", name)
		}
		switch {
		case name == "@odata.type":
			var typ string
			if json.Unmarshal(raw, &typ) != nil || typ != "#microsoft.graph.user" {
				return p, core.Invalidf("@odata.type must be #microsoft.graph.user")
			}
		case strs[name] != nil:
			v := new(string)
			if !isNull && json.Unmarshal(raw, v) != nil {
				return p, core.Invalidf("property %s must be of type string", name)
			}
			*strs[name] = v
		case name == "accountEnabled":
			v := new(bool)
			if isNull || json.Unmarshal(raw, v) != nil {
				return p, core.Invalidf("property accountEnabled must be of type boolean")
			}
			p.AccountEnabled = v
		case name == "businessPhones":
			v := []string{}
			if !isNull && json.Unmarshal(raw, &v) != nil {
				return p, core.Invalidf("property businessPhones must be an array of strings")
			}
			p.BusinessPhones = &v
		case name == "passwordProfile":
			if p.Password, err = readPasswordProfile(raw); err != nil {
				return p, err
			}
		case readOnlyUser[name]:
			return p, core.Invalidf("property %s is read-only and cannot be set", name)
		default:
			return p, core.Invalidf("property %s does not exist on type microsoft.graph.user", name)
		}
	}
	return p, nil
}

// readPasswordProfile reads Graph's passwordProfile of an update: an
// administrator setting a member's new password.
func readPasswordProfile(raw json.RawMessage) (*users.PasswordProfile, error) {
	var pp *passwordProfileJSON
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pp); err != nil {
		return nil, core.Invalidf("property passwordProfile must be an object with password and forceChangePasswordNextSignIn")
	}
	if pp == nil {
		return nil, core.Invalidf("property passwordProfile cannot be null")
	}
	return pp.profile(), nil
}

// revokeSignInSessions ends the user's sessions and tokens and answers
// Graph's boolean result.
func (a *API) revokeSignInSessions(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	if err := a.users.RevokeSignInSessions(r.Context(), t.ID, r.PathValue("id")); err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, map[string]any{"@odata.context": a.context(r, "Edm.Boolean"), "value": true})
	return nil
}
