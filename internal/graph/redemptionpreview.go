package graph

import (
	"net/http"
	"strings"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/redeem"
)

// redemptionPreviewJSON is the redemption explainer's answer (R14). Graph
// has no such resource; its names follow Graph's style, and its methods
// the names of the redemption order where Graph has them.
type redemptionPreviewJSON struct {
	Context  string            `json:"@odata.context"`
	Email    string            `json:"email"`
	Method   string            `json:"method"`
	Usable   bool              `json:"usable"`
	LockedIn bool              `json:"lockedIn"`
	Reason   string            `json:"reason"`
	User     *previewUserJSON  `json:"user"`
	Steps    []previewStepJSON `json:"steps"`
	// Reasons is each step's reason keyed by method, for scripts.
	Reasons map[string]string `json:"reasons"`
}

type previewUserJSON struct {
	ID                string `json:"id"`
	UserType          string `json:"userType"`
	ExternalUserState string `json:"externalUserState"`
}

type previewStepJSON struct {
	Method  string `json:"method"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
}

// previewMethodName is a method's name in the explainer.
func previewMethodName(m core.Method) string {
	switch m {
	case core.MethodHomeTenant:
		return "homeTenant"
	case core.MethodFederation:
		return "externalFederation"
	case core.MethodGoogle:
		return "google"
	case core.MethodPersonal:
		return "personalAccount"
	case core.MethodOTP:
		return "emailOneTimePasscode"
	case core.MethodPassword:
		return "member"
	}
	return "none"
}

// redemptionPreview says which method ?email= would get in the tenant now,
// and why (R14). It tells about addresses, so only the tenant's
// administrators reach it.
func (a *API) redemptionPreview(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	email := strings.TrimSpace(r.URL.Query().Get("email"))
	if email == "" {
		return core.Invalidf("the query parameter email is required, as in ?email=ann@contoso.example")
	}
	p, err := a.signin.Preview(r.Context(), t, email)
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, a.previewJSON(r, p))
	return nil
}

func (a *API) previewJSON(r *http.Request, p *redeem.Preview) redemptionPreviewJSON {
	out := redemptionPreviewJSON{
		Context: a.context(r, "invitations/redemptionPreview/$entity"),
		Email:   p.Address.String(), Method: previewMethodName(p.Method),
		Usable: p.Usable, LockedIn: p.LockedIn, Reason: p.Reason,
		Steps:   make([]previewStepJSON, 0, len(p.Steps)),
		Reasons: make(map[string]string, len(p.Steps)),
	}
	if p.Signup {
		out.Method = "signUp"
	}
	if p.User != nil {
		out.User = &previewUserJSON{ID: p.User.ID, UserType: p.User.UserType, ExternalUserState: p.User.ExternalUserState}
	}
	for _, st := range p.Steps {
		name := previewMethodName(st.Method)
		out.Steps = append(out.Steps, previewStepJSON{Method: name, Outcome: string(st.Outcome), Reason: st.Reason})
		out.Reasons[name] = st.Reason
	}
	return out
}
