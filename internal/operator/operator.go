package operator

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"guestlist/internal/admins"
	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/tenants"
)

// API serves /operator/v1/.
type API struct {
	tenants *tenants.Service
	admins  *admins.Service
	token   platform.Secret
	log     *slog.Logger
}

// New returns the operator API; token is the operator bearer token.
func New(ts *tenants.Service, as *admins.Service, token platform.Secret, log *slog.Logger) *API {
	return &API{tenants: ts, admins: as, token: token, log: log}
}

// Routes registers the operator routes on mux; other methods on these
// paths are answered with 405 in the API's error shape.
func (a *API) Routes(mux *http.ServeMux) {
	platform.HandleRoutes(mux, []platform.Route{
		{Method: "POST", Path: "/operator/v1/tenants", Handler: a.guard(a.create)},
		{Method: "GET", Path: "/operator/v1/tenants", Handler: a.guard(a.list)},
		{Method: "GET", Path: "/operator/v1/tenants/{id}", Handler: a.guard(a.get)},
		{Method: "DELETE", Path: "/operator/v1/tenants/{id}", Handler: a.guard(a.delete)},
		{Method: "POST", Path: "/operator/v1/tenants/{id}/adminApplication/addPassword", Handler: a.guard(a.addAdminPassword)},
		{Method: "POST", Path: "/operator/v1/tenants/{id}/admins/{userId}/sendPasswordLink", Handler: a.guard(a.sendPasswordLink)},
	})
}

func (a *API) guard(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		got, ok := platform.BearerToken(r)
		var err error
		if !ok || a.token == "" || subtle.ConstantTimeCompare([]byte(got), []byte(string(a.token))) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="guestlist-operator"`)
			err = core.Errorf(core.ErrUnauthenticated, "InvalidAuthenticationToken", "a valid operator token is required")
		} else {
			err = h(w, r)
		}
		if err != nil {
			platform.WriteError(w, r, a.log, err)
		}
	}
}

type tenantJSON struct {
	ID               string        `json:"id"`
	DisplayName      string        `json:"displayName"`
	InitialDomain    string        `json:"initialDomain"`
	Domains          []string      `json:"domains"`
	DefaultLanguage  string        `json:"defaultLanguage"`
	CreatedDateTime  string        `json:"createdDateTime"`
	AdminApplication *adminAppJSON `json:"adminApplication,omitempty"`
	Admin            *adminJSON    `json:"admin,omitempty"`
}

// adminJSON is an administrator to whom a set-password link was mailed;
// the link itself is only in the mail.
type adminJSON struct {
	ID                     string `json:"id"`
	UserPrincipalName      string `json:"userPrincipalName"`
	SetPasswordLinkExpires string `json:"setPasswordLinkExpires"`
}

func toAdmin(a *admins.Admin) *adminJSON {
	return &adminJSON{ID: a.User.ID, UserPrincipalName: a.User.UserPrincipalName,
		SetPasswordLinkExpires: a.LinkExpires.UTC().Format("2006-01-02T15:04:05Z")}
}

type adminAppJSON struct {
	AppID        string `json:"appId"`
	ClientSecret string `json:"clientSecret"`
}

func toTenant(t *core.Tenant) tenantJSON {
	d := t.Domains
	if d == nil {
		d = []string{}
	}
	return tenantJSON{ID: t.ID, DisplayName: t.DisplayName, InitialDomain: t.InitialDomain, Domains: d,
		DefaultLanguage: t.DefaultLanguage, CreatedDateTime: t.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")}
}

func (a *API) create(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		DisplayName     string   `json:"displayName"`
		Domains         []string `json:"domains"`
		DefaultLanguage string   `json:"defaultLanguage"`
		AdminEmail      string   `json:"adminEmail"`
	}
	if r.ContentLength > maxBody {
		return tooLarge()
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			return tooLarge()
		}
		return core.Invalidf("the body must be a JSON object with displayName, domains, defaultLanguage and adminEmail: %s", describe(err))
	}
	c, admin, err := a.admins.CreateTenant(r.Context(),
		tenants.Request{DisplayName: req.DisplayName, Domains: req.Domains, DefaultLanguage: req.DefaultLanguage},
		strings.TrimSpace(req.AdminEmail))
	if err != nil {
		return err
	}
	out := toTenant(&c.Tenant)
	out.AdminApplication = &adminAppJSON{AppID: c.AppID, ClientSecret: string(c.ClientSecret)}
	if admin != nil {
		out.Admin = toAdmin(admin)
	}
	w.Header().Set("Location", "/operator/v1/tenants/"+c.Tenant.ID)
	platform.WriteJSON(w, http.StatusCreated, out)
	return nil
}

// maxBody bounds a tenant's JSON: a name, a few domains and a language.
const maxBody = 64 << 10

func tooLarge() error {
	return core.Errorf(core.ErrTooLarge, "", "the body is larger than %d bytes", maxBody)
}

func describe(err error) string {
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te) && te.Field != "":
		return "property " + te.Field + " has the wrong type"
	case errors.Is(err, io.EOF):
		return "the body is empty"
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return strings.TrimPrefix(err.Error(), "json: ")
	}
	return "the body is not valid JSON"
}

func (a *API) list(w http.ResponseWriter, r *http.Request) error {
	ts, err := a.tenants.List(r.Context())
	if err != nil {
		return err
	}
	out := make([]tenantJSON, 0, len(ts))
	for i := range ts {
		out = append(out, toTenant(&ts[i]))
	}
	platform.WriteJSON(w, http.StatusOK, map[string]any{"value": out})
	return nil
}

func (a *API) get(w http.ResponseWriter, r *http.Request) error {
	t, err := a.tenants.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, toTenant(t))
	return nil
}

func (a *API) delete(w http.ResponseWriter, r *http.Request) error {
	if _, err := a.tenants.Get(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	if err := a.tenants.Delete(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// addAdminPassword issues a new secret of the tenant's admin application
// (a lost one cannot be read back: only its hash is stored). The answer
// is the only place the secret is shown.
func (a *API) addAdminPassword(w http.ResponseWriter, r *http.Request) error {
	appID, secret, err := a.tenants.NewAdminSecret(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	platform.WriteJSON(w, http.StatusOK, adminAppJSON{AppID: appID, ClientSecret: string(secret)})
	return nil
}

// sendPasswordLink mails the tenant's administrator a new one-time
// set-password link (R43); their earlier links stop working. The answer
// says to whom and until when, never the link.
func (a *API) sendPasswordLink(w http.ResponseWriter, r *http.Request) error {
	admin, err := a.admins.SendLink(r.Context(), r.PathValue("id"), r.PathValue("userId"))
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, toAdmin(admin))
	return nil
}
