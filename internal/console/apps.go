package console

import (
	"net/http"
	"strings"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

type appRow struct {
	ID, AppID, Name string
	Required        bool
	Admin           bool // the tenant's admin application
}

func appRowOf(a *core.Application) appRow {
	return appRow{ID: a.ID, AppID: a.AppID, Name: a.DisplayName, Required: a.AssignmentRequired, Admin: a.IsAdmin}
}

type appsPage struct {
	base
	Apps []appRow
	More bool // the list stops at maxApps
	// The register form, filled again after a refusal.
	Name, Web, SPA, Native, Home string
	Error                        string // the service's refusal, in its words
}

// maxApps is how many applications the list shows; a tenant with more
// reads the rest through Graph.
const maxApps = 200

// apps: GET /{tenant}/admin/apps, the tenant's applications and the form
// that registers one (R43).
func (c *Console) apps(w http.ResponseWriter, r *http.Request, v *visit) {
	p, err := c.appsPage(r, v)
	if err != nil {
		c.internal(w, v, err)
		return
	}
	c.r.render(w, http.StatusOK, "apps.html", p)
}

func (c *Console) appsPage(r *http.Request, v *visit) (appsPage, error) {
	p := appsPage{base: c.base(v, "/apps")}
	p.Return = v.path("/apps")
	list, err := c.Store.ApplicationsPage(r.Context(), v.tenant.ID, store.Page{Top: maxApps + 1})
	if err != nil {
		return p, err
	}
	if len(list) > maxApps {
		list, p.More = list[:maxApps], true
	}
	for i := range list {
		p.Apps = append(p.Apps, appRowOf(&list[i]))
	}
	return p, nil
}

// register: POST /{tenant}/admin/apps registers an application through
// the service Graph's POST /applications uses.
func (c *Console) register(w http.ResponseWriter, r *http.Request, v *visit) {
	a := core.Application{DisplayName: strings.TrimSpace(r.PostFormValue("name")),
		WebRedirectURIs:          lines(r.PostFormValue("web")),
		SPARedirectURIs:          lines(r.PostFormValue("spa")),
		PublicClientRedirectURIs: lines(r.PostFormValue("native")),
		HomePageURL:              strings.TrimSpace(r.PostFormValue("home"))}
	created, err := c.Apps.Create(r.Context(), v.tenant.ID, a)
	var msg string
	if refused(err, &msg) {
		p, err := c.appsPage(r, v)
		if err != nil {
			c.internal(w, v, err)
			return
		}
		p.Name, p.Web, p.SPA, p.Native, p.Home = a.DisplayName, r.PostFormValue("web"), r.PostFormValue("spa"), r.PostFormValue("native"), a.HomePageURL
		p.Error = msg
		c.r.render(w, http.StatusBadRequest, "apps.html", p)
		return
	} else if err != nil {
		c.internal(w, v, err)
		return
	}
	seeOther(w, r, v.path("/apps/"+created.ID+"?done=created"))
}

// lines are the non-empty lines of a text area, trimmed.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
