package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"guestlist/internal/apps"
	"guestlist/internal/core"
	"guestlist/internal/store"
)

type secretRow struct {
	KeyID, Name, Hint string
	Start, End        time.Time
}

type assignedRow struct {
	ID, UserID, Name, Mail string
	Guest                  bool
}

type appPage struct {
	base
	App                   appRow
	Web, SPA, Native      []string
	Home                  string
	Link                  string // the direct link guests open (R30)
	Secrets               []secretRow
	Assigned              []assignedRow
	MoreAssigned          bool
	Lifetimes             []option
	Notice                string // message id
	ErrorID               string // message id of a refusal of the console's own
	Error                 string // the service's refusal, in its words
	Email                 string // the assign form, filled again after a refusal
	NewSecret, NewSecretN string // the secret just added, shown this once, and its name
}

// appNotices are what ?done= may name on an application's page.
var appNotices = map[string]bool{"created": true, "required": true, "optional": true, "assigned": true,
	"unassigned": true, "removed": true}

// maxAssigned is how many assignments an application's page lists.
const maxAssigned = 200

// app: GET /{tenant}/admin/apps/{id}, one application: its client id,
// redirect URIs by platform, secrets, assignments and direct link.
func (c *Console) app(w http.ResponseWriter, r *http.Request, v *visit) {
	a, ok := c.application(w, r, v)
	if !ok {
		return
	}
	p, err := c.appPage(r, v, a)
	if err != nil {
		c.internal(w, v, err)
		return
	}
	if done := r.URL.Query().Get("done"); appNotices[done] {
		p.Notice = "console.app.done." + done
	}
	c.r.render(w, http.StatusOK, "app.html", p)
}

func (c *Console) appPage(r *http.Request, v *visit, a *core.Application) (appPage, error) {
	ctx := r.Context()
	p := appPage{base: c.base(v, "/apps"), App: appRowOf(a), Web: a.WebRedirectURIs, SPA: a.SPARedirectURIs,
		Native: a.PublicClientRedirectURIs, Home: a.HomePageURL}
	p.Return = v.path("/apps/" + a.ID)
	if !a.IsAdmin {
		p.Link = c.BaseURL + "/" + v.tenant.ID + "/apps/" + a.AppID
	}
	for _, m := range []int{6, 12, 24} {
		p.Lifetimes = append(p.Lifetimes, option{Value: strconv.Itoa(m), Label: "console.app.months" + strconv.Itoa(m), Selected: m == 24})
	}
	secrets, err := c.Store.AppSecrets(ctx, v.tenant.ID, a.AppID)
	if err != nil {
		return p, err
	}
	for _, s := range secrets {
		p.Secrets = append(p.Secrets, secretRow{KeyID: s.KeyID, Name: s.DisplayName, Hint: s.Hint, Start: s.StartAt, End: s.EndAt})
	}
	if a.IsAdmin {
		return p, nil // it signs in as itself: nobody is assigned to it
	}
	list, err := c.Apps.AssignedTo(ctx, v.tenant.ID, a.ServicePrincipalID, store.Page{Top: maxAssigned + 1})
	if err != nil {
		return p, err
	}
	if len(list) > maxAssigned {
		list, p.MoreAssigned = list[:maxAssigned], true
	}
	for _, x := range list {
		p.Assigned = append(p.Assigned, assignedRow{ID: x.ID, UserID: x.UserID, Name: x.User.DisplayName,
			Mail: x.User.Mail, Guest: x.User.UserType == core.UserTypeGuest})
	}
	return p, nil
}

// application reads the path's {id} as one of the tenant's applications
// (by object id, as Graph's /applications/{id}); anything else is the
// not-found page.
func (c *Console) application(w http.ResponseWriter, r *http.Request, v *visit) (*core.Application, bool) {
	a, err := c.Store.ApplicationByID(r.Context(), v.tenant.ID, r.PathValue("id"))
	if errors.Is(err, core.ErrNotFound) {
		c.message(w, v, http.StatusNotFound, "console.error.noapp")
		return nil, false
	} else if err != nil {
		c.internal(w, v, err)
		return nil, false
	}
	return a, true
}

// appDone answers an action on an application: back to its page with a
// notice, or the page again with the refusal.
func (c *Console) appDone(w http.ResponseWriter, r *http.Request, v *visit, a *core.Application, done string, err error) {
	var msg string
	if refused(err, &msg) {
		c.appRefused(w, r, v, a, func(p *appPage) { p.Error = msg })
		return
	} else if err != nil {
		c.internal(w, v, err)
		return
	}
	seeOther(w, r, v.path("/apps/"+a.ID+"?done="+done))
}

// appRefused renders the application's page again, with what fill sets.
func (c *Console) appRefused(w http.ResponseWriter, r *http.Request, v *visit, a *core.Application, fill func(*appPage)) {
	if fresh, err := c.Store.ApplicationByID(r.Context(), v.tenant.ID, a.ID); err == nil {
		a = fresh
	}
	p, err := c.appPage(r, v, a)
	if err != nil {
		c.internal(w, v, err)
		return
	}
	fill(&p)
	c.r.render(w, http.StatusBadRequest, "app.html", p)
}

// addSecret: POST /{tenant}/admin/apps/{id}/secrets adds a client secret
// through the service Graph's addPassword uses. The answer is the only
// page that ever shows it: it is stored as a keyed hash.
func (c *Console) addSecret(w http.ResponseWriter, r *http.Request, v *visit) {
	a, ok := c.application(w, r, v)
	if !ok {
		return
	}
	months, err := strconv.Atoi(r.PostFormValue("months"))
	if err != nil || months < 1 || months > 24 {
		c.appRefused(w, r, v, a, func(p *appPage) { p.ErrorID = "console.app.badlifetime" })
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	_, secret, err := c.Apps.AddPassword(r.Context(), v.tenant.ID, a.ID, name, c.Now().AddDate(0, months, 0))
	var msg string
	if refused(err, &msg) {
		c.appRefused(w, r, v, a, func(p *appPage) { p.Error = msg })
		return
	} else if err != nil {
		c.internal(w, v, err)
		return
	}
	p, err := c.appPage(r, v, a)
	if err != nil {
		c.internal(w, v, err)
		return
	}
	p.NewSecret, p.NewSecretN = string(secret), name
	c.r.render(w, http.StatusOK, "app.html", p)
}

// setRequired: POST /{tenant}/admin/apps/{id}/required turns "assignment
// required" on or off through the service Graph's servicePrincipal PATCH
// uses. Turning it on ends unassigned users' tokens at the application,
// so it is confirmed first.
func (c *Console) setRequired(w http.ResponseWriter, r *http.Request, v *visit) {
	a, ok := c.application(w, r, v)
	if !ok {
		return
	}
	required := r.PostFormValue("required") == "1"
	if required && r.PostFormValue("confirm") == "" {
		c.r.render(w, http.StatusOK, "appconfirm.html", appConfirmPage{base: c.base(v, "/apps"), App: appRowOf(a),
			Action: "require", Post: v.path("/apps/" + a.ID + "/required"), Required: true})
		return
	}
	done := "optional"
	if required {
		done = "required"
	}
	_, err := c.Apps.SetAssignmentRequired(r.Context(), v.tenant.ID, a.ServicePrincipalID, required)
	c.appDone(w, r, v, a, done, err)
}

// assign: POST /{tenant}/admin/apps/{id}/assignments assigns the user
// with the address given, through the service Graph's appRoleAssignments
// POST uses.
func (c *Console) assign(w http.ResponseWriter, r *http.Request, v *visit) {
	a, ok := c.application(w, r, v)
	if !ok {
		return
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	addr, err := core.ParseAddress(email)
	var msg string
	if refused(err, &msg) {
		c.appRefused(w, r, v, a, func(p *appPage) { p.Error, p.Email = msg, email })
		return
	}
	found, err := c.Store.ListUsers(r.Context(), v.tenant.ID, store.UserFilter{MailKey: addr.Key(), Top: 1})
	if err != nil {
		c.internal(w, v, err)
		return
	}
	if len(found) == 0 {
		c.appRefused(w, r, v, a, func(p *appPage) { p.ErrorID, p.Email = "console.app.nouser", email })
		return
	}
	_, err = c.Apps.Assign(r.Context(), v.tenant.ID, found[0].ID, a.ServicePrincipalID)
	if refused(err, &msg) {
		c.appRefused(w, r, v, a, func(p *appPage) { p.Error, p.Email = msg, email })
		return
	}
	c.appDone(w, r, v, a, "assigned", err)
}

type appConfirmPage struct {
	base
	App      appRow
	Action   string // remove, unassign, require
	Post     string // where the form posts
	Name     string // the secret's or the user's name
	Required bool   // the require form's value
}

// confirmRemoveSecret: GET /{tenant}/admin/apps/{id}/secrets/{key}/remove.
func (c *Console) confirmRemoveSecret(w http.ResponseWriter, r *http.Request, v *visit) {
	a, s, ok := c.secret(w, r, v)
	if !ok {
		return
	}
	name := s.DisplayName
	if name == "" {
		name = s.Hint + "…"
	}
	c.r.render(w, http.StatusOK, "appconfirm.html", appConfirmPage{base: c.base(v, "/apps"), App: appRowOf(a),
		Action: "remove", Post: r.URL.Path, Name: name})
}

// removeSecret: POST /{tenant}/admin/apps/{id}/secrets/{key}/remove,
// through the service Graph's removePassword uses.
func (c *Console) removeSecret(w http.ResponseWriter, r *http.Request, v *visit) {
	a, s, ok := c.secret(w, r, v)
	if !ok {
		return
	}
	c.appDone(w, r, v, a, "removed", c.Apps.RemovePassword(r.Context(), v.tenant.ID, a.ID, s.KeyID))
}

// secret reads the path's application and its secret {key}.
func (c *Console) secret(w http.ResponseWriter, r *http.Request, v *visit) (*core.Application, *core.AppSecret, bool) {
	a, ok := c.application(w, r, v)
	if !ok {
		return nil, nil, false
	}
	secrets, err := c.Store.AppSecrets(r.Context(), v.tenant.ID, a.AppID)
	if err != nil {
		c.internal(w, v, err)
		return nil, nil, false
	}
	for i := range secrets {
		if secrets[i].KeyID == r.PathValue("key") {
			return a, &secrets[i], true
		}
	}
	c.message(w, v, http.StatusNotFound, "console.error.nosecret")
	return nil, nil, false
}

// confirmUnassign: GET /{tenant}/admin/apps/{id}/assignments/{aid}/remove.
func (c *Console) confirmUnassign(w http.ResponseWriter, r *http.Request, v *visit) {
	a, x, ok := c.assignment(w, r, v)
	if !ok {
		return
	}
	name := x.User.Mail
	if name == "" {
		name = x.User.UserPrincipalName
	}
	c.r.render(w, http.StatusOK, "appconfirm.html", appConfirmPage{base: c.base(v, "/apps"), App: appRowOf(a),
		Action: "unassign", Post: r.URL.Path, Name: name})
}

// unassign: POST /{tenant}/admin/apps/{id}/assignments/{aid}/remove,
// through the service Graph's appRoleAssignments DELETE uses.
func (c *Console) unassign(w http.ResponseWriter, r *http.Request, v *visit) {
	a, x, ok := c.assignment(w, r, v)
	if !ok {
		return
	}
	c.appDone(w, r, v, a, "unassigned", c.Apps.Unassign(r.Context(), v.tenant.ID, x.UserID, x.ID))
}

// assignment reads the path's application and its assignment {aid},
// with the assigned user.
func (c *Console) assignment(w http.ResponseWriter, r *http.Request, v *visit) (*core.Application, *apps.Assignment, bool) {
	a, ok := c.application(w, r, v)
	if !ok {
		return nil, nil, false
	}
	ctx := r.Context()
	list, err := c.Store.AppAssignments(ctx, v.tenant.ID, a.AppID)
	if err != nil {
		c.internal(w, v, err)
		return nil, nil, false
	}
	for _, x := range list {
		if x.ID != r.PathValue("aid") {
			continue
		}
		u, err := c.Store.GetUser(ctx, v.tenant.ID, x.UserID)
		if errors.Is(err, core.ErrNotFound) {
			break
		} else if err != nil {
			c.internal(w, v, err)
			return nil, nil, false
		}
		return a, &apps.Assignment{Assignment: x, User: u, App: a}, true
	}
	c.message(w, v, http.StatusNotFound, "console.error.noassignment")
	return nil, nil, false
}
