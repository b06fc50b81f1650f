package graph

import (
	"bytes"
	"io"
	"net/http"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/platform"
)

// Graph's application resource (the properties guestlist keeps). guestlist
// has no separate POST /servicePrincipals: creating an application creates
// its service principal too, which is what assignments name (resourceId).

type webJSON struct {
	RedirectURIs []string `json:"redirectUris"`
	HomePageURL  *string  `json:"homePageUrl"`
}

type redirectsJSON struct {
	RedirectURIs []string `json:"redirectUris"`
}

// passwordCredentialJSON is a client secret as listed: never the secret.
type passwordCredentialJSON struct {
	KeyID         string  `json:"keyId"`
	DisplayName   *string `json:"displayName"`
	Hint          string  `json:"hint"`
	StartDateTime string  `json:"startDateTime"`
	EndDateTime   *string `json:"endDateTime"`
}

type applicationJSON struct {
	Context             string                   `json:"@odata.context,omitempty"`
	ID                  string                   `json:"id"`
	AppID               string                   `json:"appId"`
	DisplayName         string                   `json:"displayName"`
	SignInAudience      string                   `json:"signInAudience"`
	CreatedDateTime     string                   `json:"createdDateTime"`
	Web                 webJSON                  `json:"web"`
	SPA                 redirectsJSON            `json:"spa"`
	PublicClient        redirectsJSON            `json:"publicClient"`
	PasswordCredentials []passwordCredentialJSON `json:"passwordCredentials"`
}

// audienceOf is a's signInAudience: AzureADMyOrg, Graph's default, signs
// in accounts of the application's own directory (members and the guests
// invited into it); AzureADMultipleOrgs may also be used through the
// common endpoint (SPEC R31).
func audienceOf(a *core.Application) string {
	if a.SignInAudience == "" {
		return core.AudienceMyOrg
	}
	return a.SignInAudience
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func orEmpty(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func toPasswordCredential(s *core.AppSecret) passwordCredentialJSON {
	return passwordCredentialJSON{
		KeyID: s.KeyID, DisplayName: optional(s.DisplayName), Hint: s.Hint,
		StartDateTime: graphTime(s.StartAt), EndDateTime: optional(graphTime(s.EndAt)),
	}
}

func toApplication(a *core.Application, secrets []core.AppSecret) applicationJSON {
	out := applicationJSON{
		ID: a.ID, AppID: a.AppID, DisplayName: a.DisplayName, SignInAudience: audienceOf(a),
		CreatedDateTime:     graphTime(a.CreatedAt),
		Web:                 webJSON{RedirectURIs: orEmpty(a.WebRedirectURIs), HomePageURL: optional(a.HomePageURL)},
		SPA:                 redirectsJSON{RedirectURIs: orEmpty(a.SPARedirectURIs)},
		PublicClient:        redirectsJSON{RedirectURIs: orEmpty(a.PublicClientRedirectURIs)},
		PasswordCredentials: make([]passwordCredentialJSON, 0, len(secrets)),
	}
	for i := range secrets {
		out.PasswordCredentials = append(out.PasswordCredentials, toPasswordCredential(&secrets[i]))
	}
	return out
}

// applicationRequest is the body of POST and PATCH: absent (or null)
// properties are left as they are on PATCH.
type applicationRequest struct {
	DisplayName    *string `json:"displayName"`
	SignInAudience *string `json:"signInAudience"`
	Web            *struct {
		RedirectURIs *[]string `json:"redirectUris"`
		HomePageURL  *string   `json:"homePageUrl"`
	} `json:"web"`
	SPA          *redirectsRequest `json:"spa"`
	PublicClient *redirectsRequest `json:"publicClient"`
}

type redirectsRequest struct {
	RedirectURIs *[]string `json:"redirectUris"`
}

// apply merges the request into a.
func (req *applicationRequest) apply(a *core.Application) error {
	if v := req.SignInAudience; v != nil {
		// Graph's other values name personal Microsoft accounts, which
		// guestlist's applications do not sign in.
		if *v != core.AudienceMyOrg && *v != core.AudienceMultipleOrgs {
			return core.Invalidf("Invalid value specified for property 'signInAudience' of resource 'Application'.")
		}
		a.SignInAudience = *v
	}
	if req.DisplayName != nil {
		a.DisplayName = *req.DisplayName
	}
	if w := req.Web; w != nil {
		if w.RedirectURIs != nil {
			a.WebRedirectURIs = *w.RedirectURIs
		}
		if w.HomePageURL != nil {
			a.HomePageURL = *w.HomePageURL
		}
	}
	if req.SPA != nil && req.SPA.RedirectURIs != nil {
		a.SPARedirectURIs = *req.SPA.RedirectURIs
	}
	if req.PublicClient != nil && req.PublicClient.RedirectURIs != nil {
		a.PublicClientRedirectURIs = *req.PublicClient.RedirectURIs
	}
	return nil
}

func (a *API) writeApplication(w http.ResponseWriter, r *http.Request, status int, app *core.Application) error {
	secrets, err := a.st.AppSecrets(r.Context(), app.TenantID, app.AppID)
	if err != nil {
		return err
	}
	out := toApplication(app, secrets)
	out.Context = a.context(r, "applications/$entity")
	platform.WriteJSON(w, status, out)
	return nil
}

func (a *API) createApplication(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var req applicationRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.DisplayName == nil {
		return core.Invalidf("displayName is required")
	}
	var app core.Application
	if err := req.apply(&app); err != nil {
		return err
	}
	created, err := a.apps.Create(r.Context(), t.ID, app)
	if err != nil {
		return err
	}
	return a.writeApplication(w, r, http.StatusCreated, created)
}

func (a *API) listApplications(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	list, next, err := a.applicationsMatching(r, t, "applications")
	if err != nil {
		return err
	}
	out := make([]applicationJSON, 0, len(list))
	for i := range list {
		secrets, err := a.st.AppSecrets(r.Context(), t.ID, list[i].AppID)
		if err != nil {
			return err
		}
		out = append(out, toApplication(&list[i], secrets))
	}
	a.writeCollection(w, r, "applications", next, out)
	return nil
}

func (a *API) getApplication(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	app, err := a.st.ApplicationByID(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return a.writeApplication(w, r, http.StatusOK, app)
}

// patchApplication answers 204 like Graph.
func (a *API) patchApplication(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var req applicationRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	app, err := a.st.ApplicationByID(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := req.apply(app); err != nil {
		return err
	}
	if err := a.apps.Update(r.Context(), app); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) deleteApplication(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	if err := a.apps.Delete(r.Context(), t.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// addPassword: POST /applications/{id}/addPassword, with an optional body
// {"passwordCredential": {"displayName", "endDateTime"}}. The answer holds
// secretText, the only time the secret is shown.
func (a *API) addPassword(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var req struct {
		PasswordCredential *struct {
			DisplayName *string `json:"displayName"`
			EndDateTime *string `json:"endDateTime"`
		} `json:"passwordCredential"`
	}
	if err := decodeOptional(w, r, &req); err != nil {
		return err
	}
	var name string
	var end time.Time
	if pc := req.PasswordCredential; pc != nil {
		if pc.DisplayName != nil {
			name = *pc.DisplayName
		}
		if pc.EndDateTime != nil {
			var err error
			if end, err = time.Parse(time.RFC3339Nano, *pc.EndDateTime); err != nil {
				return core.Invalidf("passwordCredential.endDateTime must be a date and time such as 2030-01-31T00:00:00Z")
			}
		}
	}
	cred, secret, err := a.apps.AddPassword(r.Context(), t.ID, r.PathValue("id"), name, end)
	if err != nil {
		return err
	}
	out := struct {
		Context string `json:"@odata.context"`
		passwordCredentialJSON
		SecretText string `json:"secretText"`
	}{a.context(r, "microsoft.graph.passwordCredential"), toPasswordCredential(cred), string(secret)}
	platform.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) removePassword(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var req struct {
		KeyID string `json:"keyId"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.KeyID == "" {
		return core.Invalidf("keyId is required")
	}
	if err := a.apps.RemovePassword(r.Context(), t.ID, r.PathValue("id"), req.KeyID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// decodeOptional is decode for a body that may be left out (or empty).
func decodeOptional(w http.ResponseWriter, r *http.Request, v any) error {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return jsonError(err)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(raw))
	return decode(w, r, v)
}
