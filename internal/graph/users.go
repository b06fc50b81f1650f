package graph

import (
	"fmt"
	"net/http"
	"strings"
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
	sel, err := parseSelect(r.URL.Query())
	if err != nil {
		return err
	}
	u, err := a.st.GetUser(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	ctx := jsonMember{"@odata.context", a.context(r, selectContext(sel)+"/$entity")}
	platform.WriteJSON(w, http.StatusOK, selected(toUser(u, t), sel, ctx))
	return nil
}

// listUsers answers GET /v1.0/users with Graph's query options (R41):
// each user has the default property set or what $select names.
func (a *API) listUsers(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	uq, err := parseUserQuery(r)
	if err != nil {
		return err
	}
	p, err := a.pageOf(r, t, "users")
	if err != nil {
		return err
	}
	f := uq.filter
	pg := p.page()
	f.Top, f.After = pg.Top, pg.After
	users, err := a.st.ListUsers(r.Context(), t.ID, f)
	if err != nil {
		return err
	}
	users, next := cut(a, r, p, users, userCursor(f.Order))
	out := make([]jsonObject, 0, len(users))
	for i := range users {
		out = append(out, selected(toUser(&users[i], t), uq.sel))
	}
	body := collectionJSON{Context: a.context(r, selectContext(uq.sel)), NextLink: next, Value: out}
	if uq.count {
		n, err := a.st.CountUsers(r.Context(), t.ID, uq.filter)
		if err != nil {
			return err
		}
		body.Count = &n
	}
	platform.WriteJSON(w, http.StatusOK, body)
	return nil
}

// userCursor is the position after a user in the order o.
func userCursor(o store.UserOrder) func(u *core.User) store.Cursor {
	return func(u *core.User) store.Cursor {
		c := store.Cursor{CreatedAt: u.CreatedAt, ID: u.ID}
		switch o.Field {
		case store.UserDisplayName:
			c.Key = u.DisplayName
		case store.UserPrincipalName:
			c.Key = u.UserPrincipalName
		case store.UserMail:
			c.Key = u.Mail
		}
		return c
	}
}

// countUsers answers GET /v1.0/users/$count: the number of users that
// match $filter and $search, as text/plain. Graph counts directory
// objects only in advanced queries: without ConsistencyLevel: eventual
// it is a 400.
func (a *API) countUsers(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	if !eventual(r) {
		return core.Invalidf("$count is not currently supported.")
	}
	q := r.URL.Query()
	for k := range q {
		if k != "$filter" && k != "$search" && strings.HasPrefix(k, "$") {
			return unsupported("query option %s is not supported with /$count", k)
		}
	}
	var uq userQuery
	if err := uq.readFilter(r, q, true); err != nil {
		return err
	}
	n, err := a.st.CountUsers(r.Context(), t.ID, uq.filter)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err = fmt.Fprint(w, n)
	return err
}

func (a *API) deleteUser(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	if err := a.invites.DeleteUser(r.Context(), t.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
