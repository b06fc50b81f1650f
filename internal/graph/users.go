package graph

import (
	"net/http"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// userJSON is Graph's user resource (the properties guestlist keeps). The
// invitation properties are null on a member, as Graph shows them: a
// member was never invited.
type userJSON struct {
	ID                              string          `json:"id"`
	DisplayName                     string          `json:"displayName"`
	Mail                            string          `json:"mail"`
	UserPrincipalName               string          `json:"userPrincipalName"`
	UserType                        string          `json:"userType"`
	ExternalUserState               *string         `json:"externalUserState"`
	ExternalUserStateChangeDateTime *string         `json:"externalUserStateChangeDateTime"`
	CreationType                    *string         `json:"creationType"`
	CreatedDateTime                 string          `json:"createdDateTime"`
	Identities                      []core.Identity `json:"identities"`
	SignInActivity                  signInActivity  `json:"signInActivity"`
	AccountEnabled                  bool            `json:"accountEnabled"`
	PreferredLanguage               *string         `json:"preferredLanguage"`
	GivenName                       *string         `json:"givenName"`
	Surname                         *string         `json:"surname"`
	JobTitle                        *string         `json:"jobTitle"`
	OfficeLocation                  *string         `json:"officeLocation"`
	MobilePhone                     *string         `json:"mobilePhone"`
	BusinessPhones                  []string        `json:"businessPhones"`
}

// signInActivity is Graph's, with the last interactive sign-in: null
// until the user first signs in.
type signInActivity struct {
	LastSignInDateTime *string `json:"lastSignInDateTime"`
}

func graphTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// toUser renders u. Before redemption the identity is the inviting tenant's
// initial domain (SPEC R12).
func toUser(u *core.User, t *core.Tenant) userJSON {
	ids := u.Identities
	if len(ids) == 0 {
		ids = []core.Identity{{SignInType: "userPrincipalName", Issuer: t.InitialDomain, IssuerAssignedID: u.UserPrincipalName}}
	}
	return userJSON{
		ID: u.ID, DisplayName: u.DisplayName, Mail: u.Mail, UserPrincipalName: u.UserPrincipalName,
		UserType: u.UserType, ExternalUserState: optional(u.ExternalUserState),
		ExternalUserStateChangeDateTime: optional(graphTime(u.StateChangedAt)), CreationType: optional(u.CreationType),
		CreatedDateTime: graphTime(u.CreatedAt), Identities: ids,
		SignInActivity: signInActivity{LastSignInDateTime: optional(graphTime(u.LastSignInAt))},
		AccountEnabled: !u.Blocked, PreferredLanguage: optional(u.PreferredLanguage),
		GivenName: optional(u.Profile.GivenName), Surname: optional(u.Profile.Surname),
		JobTitle: optional(u.Profile.JobTitle), OfficeLocation: optional(u.Profile.OfficeLocation),
		MobilePhone: optional(u.Profile.MobilePhone), BusinessPhones: append([]string{}, u.Profile.BusinessPhones...),
	}
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	u, err := a.st.GetUser(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	body := struct {
		Context string `json:"@odata.context"`
		userJSON
	}{a.context(r, "users/$entity"), toUser(u, t)}
	platform.WriteJSON(w, http.StatusOK, body)
	return nil
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	f, err := parseUserQuery(r.URL.Query())
	if err != nil {
		return err
	}
	p, err := a.pageOf(r, t, "users")
	if err != nil {
		return err
	}
	pg := p.page()
	f.Top, f.After = pg.Top, pg.After
	users, err := a.st.ListUsers(r.Context(), t.ID, f)
	if err != nil {
		return err
	}
	users, next := cut(a, r, p, users, func(u *core.User) store.Cursor { return store.Cursor{CreatedAt: u.CreatedAt, ID: u.ID} })
	out := make([]userJSON, 0, len(users))
	for i := range users {
		out = append(out, toUser(&users[i], t))
	}
	a.writeCollection(w, r, "users", next, out)
	return nil
}

func (a *API) deleteUser(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	if err := a.invites.DeleteUser(r.Context(), t.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
