package graph

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"strings"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/users"
)

// createUserBody is Graph's user as POST /users takes it (R41).
type createUserBody struct {
	AccountEnabled    *bool                `json:"accountEnabled"`
	DisplayName       string               `json:"displayName"`
	MailNickname      string               `json:"mailNickname"`
	UserPrincipalName string               `json:"userPrincipalName"`
	PasswordProfile   *passwordProfileJSON `json:"passwordProfile"`
	Mail              string               `json:"mail"`
	UserType          string               `json:"userType"`
	PreferredLanguage string               `json:"preferredLanguage"`
	GivenName         string               `json:"givenName"`
	Surname           string               `json:"surname"`
	JobTitle          string               `json:"jobTitle"`
	OfficeLocation    string               `json:"officeLocation"`
	MobilePhone       string               `json:"mobilePhone"`
	BusinessPhones    []string             `json:"businessPhones"`
	ODataType         string               `json:"@odata.type"`
}

// passwordProfileJSON is Graph's passwordProfile.
type passwordProfileJSON struct {
	Password                             string `json:"password"`
	ForceChangePasswordNextSignIn        *bool  `json:"forceChangePasswordNextSignIn"`
	ForceChangePasswordNextSignInWithMfa bool   `json:"forceChangePasswordNextSignInWithMfa"`
}

func (p *passwordProfileJSON) profile() *users.PasswordProfile {
	if p == nil {
		return nil
	}
	return &users.PasswordProfile{Password: p.Password, ForceChange: p.ForceChangePasswordNextSignIn,
		ForceChangeWithMFA: p.ForceChangePasswordNextSignInWithMfa}
}

// createUser is Graph's POST /users: a member who signs in with a
// password (SPEC R10 step 1), answered 201 with the user as GET shows it.
func (a *API) createUser(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var raw json.RawMessage
	if err := decode(w, r, &raw); err != nil {
		return err
	}
	body, err := createBody(raw)
	if err != nil {
		return err
	}
	u, err := a.users.CreateMember(r.Context(), t, users.NewMember{
		AccountEnabled: body.AccountEnabled, DisplayName: body.DisplayName, MailNickname: body.MailNickname,
		UserPrincipalName: body.UserPrincipalName, Password: body.PasswordProfile.profile(), Mail: body.Mail,
		UserType: body.UserType, PreferredLanguage: body.PreferredLanguage,
		Profile: core.UserProfile{GivenName: body.GivenName, Surname: body.Surname, JobTitle: body.JobTitle,
			OfficeLocation: body.OfficeLocation, MobilePhone: body.MobilePhone, BusinessPhones: body.BusinessPhones},
	})
	if err != nil {
		return err
	}
	out := struct {
		Context string `json:"@odata.context"`
		userJSON
	}{a.context(r, "users/$entity"), toUser(u, t)}
	platform.WriteJSON(w, http.StatusCreated, out)
	return nil
}

// createBody reads raw into the body, naming the first property (in name
// order) Graph would not take on a new user.
func createBody(raw json.RawMessage) (createUserBody, error) {
	var body createUserBody
	var props map[string]json.RawMessage
	if json.Unmarshal(raw, &props) != nil || props == nil {
		return body, core.Invalidf("the body must be a JSON object")
	}
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		switch {
		case createProps[name]:
		case readOnlyUser[name]:
			return body, core.Invalidf("property %s is read-only and cannot be set", name)
		default:
			return body, core.Invalidf("property %s does not exist on type microsoft.graph.user", name)
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields() // the top level is checked: only passwordProfile's remain
	if err := dec.Decode(&body); err != nil {
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return body, core.Invalidf("property passwordProfile.%s does not exist on type microsoft.graph.passwordProfile", strings.Trim(f, `"`))
		}
		return body, jsonError(err)
	}
	if body.ODataType != "" && body.ODataType != "#microsoft.graph.user" {
		return body, core.Invalidf("@odata.type must be #microsoft.graph.user")
	}
	return body, nil
}

// createProps are the properties a new user may carry here.
var createProps = map[string]bool{
	"accountEnabled": true, "displayName": true, "mailNickname": true, "userPrincipalName": true,
	"passwordProfile": true, "mail": true, "userType": true, "preferredLanguage": true, "givenName": true,
	"surname": true, "jobTitle": true, "officeLocation": true, "mobilePhone": true, "businessPhones": true,
	"@odata.type": true,
}
