package graph

import (
	"context"
	"errors"
	"net/http"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// Audit and sign-in logs (SPEC R41): Graph's directoryAudit and signIn
// resources, newest first, paged like every collection.

// DirectoryAudit is Graph's directoryAudit.
type DirectoryAudit struct {
	ID                  string           `json:"id"`
	Category            string           `json:"category"`
	CorrelationID       string           `json:"correlationId"`
	Result              string           `json:"result"`
	ResultReason        string           `json:"resultReason"`
	ActivityDisplayName string           `json:"activityDisplayName"`
	ActivityDateTime    string           `json:"activityDateTime"`
	LoggedByService     string           `json:"loggedByService"`
	OperationType       string           `json:"operationType"`
	InitiatedBy         InitiatedBy      `json:"initiatedBy"`
	TargetResources     []TargetResource `json:"targetResources"`
	AdditionalDetails   []keyValue       `json:"additionalDetails"`
}

// keyValue is Graph's keyValue.
type keyValue struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// InitiatedBy is Graph's auditActivityInitiator: app or user, the other
// null.
type InitiatedBy struct {
	App  *AppIdentity  `json:"app"`
	User *UserIdentity `json:"user"`
}

// AppIdentity is Graph's appIdentity.
type AppIdentity struct {
	AppID                string  `json:"appId"`
	DisplayName          string  `json:"displayName"`
	ServicePrincipalID   string  `json:"servicePrincipalId"`
	ServicePrincipalName *string `json:"servicePrincipalName"`
}

// UserIdentity is Graph's userIdentity.
type UserIdentity struct {
	ID                string  `json:"id"`
	DisplayName       *string `json:"displayName"`
	UserPrincipalName string  `json:"userPrincipalName"`
	IPAddress         *string `json:"ipAddress"`
}

// TargetResource is Graph's targetResource.
type TargetResource struct {
	ID                 string                  `json:"id"`
	DisplayName        *string                 `json:"displayName"`
	Type               string                  `json:"type"`
	UserPrincipalName  *string                 `json:"userPrincipalName"`
	GroupType          *string                 `json:"groupType"`
	ModifiedProperties []core.ModifiedProperty `json:"modifiedProperties"`
}

// SignIn is Graph's signIn (with beta's cross-tenant and authentication
// detail properties, which /v1.0 clients ignore).
type SignIn struct {
	ID                        string                 `json:"id"`
	CreatedDateTime           string                 `json:"createdDateTime"`
	UserDisplayName           *string                `json:"userDisplayName"`
	UserPrincipalName         string                 `json:"userPrincipalName"`
	UserID                    string                 `json:"userId"`
	UserType                  *string                `json:"userType"`
	AppID                     *string                `json:"appId"`
	AppDisplayName            *string                `json:"appDisplayName"`
	IPAddress                 string                 `json:"ipAddress"`
	ClientAppUsed             string                 `json:"clientAppUsed"`
	IsInteractive             bool                   `json:"isInteractive"`
	Status                    SignInStatus           `json:"status"`
	AuthenticationMethodsUsed []string               `json:"authenticationMethodsUsed"`
	AuthenticationDetails     []AuthenticationDetail `json:"authenticationDetails"`
	CrossTenantAccessType     string                 `json:"crossTenantAccessType"`
	HomeTenantID              *string                `json:"homeTenantId"`
	ResourceTenantID          string                 `json:"resourceTenantId"`
}

// SignInStatus is Graph's signInStatus: errorCode 0 on success.
type SignInStatus struct {
	ErrorCode         int     `json:"errorCode"`
	FailureReason     *string `json:"failureReason"`
	AdditionalDetails *string `json:"additionalDetails"`
}

// AuthenticationDetail is Graph's (beta) authenticationDetail.
type AuthenticationDetail struct {
	AuthenticationMethod       string `json:"authenticationMethod"`
	Succeeded                  bool   `json:"succeeded"`
	AuthenticationStepDateTime string `json:"authenticationStepDateTime"`
}

// ToDirectoryAudit renders one audit record.
func ToDirectoryAudit(r *core.AuditRecord) DirectoryAudit {
	out := DirectoryAudit{
		ID: r.ID, Category: r.Category, CorrelationID: r.ID, Result: r.Result, ResultReason: r.ResultReason,
		ActivityDisplayName: r.Activity, ActivityDateTime: graphTime(r.At), LoggedByService: r.Service,
		OperationType: r.OperationType, TargetResources: []TargetResource{}, AdditionalDetails: []keyValue{},
	}
	if a := r.Actor; a.UserID != "" {
		out.InitiatedBy.User = &UserIdentity{ID: a.UserID, UserPrincipalName: a.UserPrincipalName}
	} else if a.AppID != "" {
		out.InitiatedBy.App = &AppIdentity{AppID: a.AppID, DisplayName: a.AppDisplayName, ServicePrincipalID: a.ServicePrincipalID}
	}
	for _, t := range r.Targets {
		out.TargetResources = append(out.TargetResources, TargetResource{
			ID: t.ID, DisplayName: optional(t.DisplayName), Type: t.Type, UserPrincipalName: optional(t.UserPrincipalName),
			ModifiedProperties: append([]core.ModifiedProperty{}, t.Modified...),
		})
	}
	return out
}

// ToSignIn renders one sign-in record.
func ToSignIn(r *core.SignInRecord) SignIn {
	method := methodName(r.Method)
	out := SignIn{
		ID: r.ID, CreatedDateTime: graphTime(r.At), UserDisplayName: optional(r.UserDisplayName),
		UserPrincipalName: r.UserPrincipalName, UserID: r.UserID, UserType: optional(r.UserType),
		AppID: optional(r.AppID), AppDisplayName: optional(r.AppDisplayName), IPAddress: r.IPAddress,
		ClientAppUsed: "Browser", IsInteractive: true,
		Status:                    SignInStatus{ErrorCode: r.ErrorCode, FailureReason: optional(r.FailureReason)},
		AuthenticationMethodsUsed: []string{method},
		AuthenticationDetails: []AuthenticationDetail{{AuthenticationMethod: method, Succeeded: r.ErrorCode == 0,
			AuthenticationStepDateTime: graphTime(r.At)}},
		CrossTenantAccessType: r.CrossTenantAccess, HomeTenantID: optional(r.HomeTenantID), ResourceTenantID: r.TenantID,
	}
	return out
}

// methodName is how Entra's sign-in log names a method.
func methodName(m core.Method) string {
	switch m {
	case core.MethodOTP:
		return "Email OTP"
	case core.MethodGoogle:
		return "Google"
	case core.MethodFederation:
		return "Federation"
	}
	return "Password" // a member, home-tenant or personal-account password
}

// appActor is the application a token was issued to, as the audit log
// names the actor.
func (a *API) appActor(ctx context.Context, tenantID, appID string) (core.Actor, error) {
	actor := core.Actor{AppID: appID}
	app, err := a.st.GetApplication(ctx, tenantID, appID)
	if errors.Is(err, core.ErrNotFound) {
		return actor, nil // the token still names it; the verifier decides what a token may do
	} else if err != nil {
		return actor, err
	}
	actor.AppDisplayName, actor.ServicePrincipalID = app.DisplayName, app.ServicePrincipalID
	return actor, nil
}

func (a *API) listDirectoryAudits(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	f, err := parseAuditQuery(r.URL.Query())
	if err != nil {
		return err
	}
	p, err := a.pageOf(r, t, "auditLogs/directoryAudits")
	if err != nil {
		return err
	}
	pg := p.page()
	f.After, f.Top = pg.After, pg.Top
	recs, err := a.st.ListAudit(r.Context(), t.ID, f)
	if err != nil {
		return err
	}
	recs, next := cut(a, r, p, recs, func(x *core.AuditRecord) store.Cursor { return store.Cursor{CreatedAt: x.At, ID: x.ID} })
	out := make([]DirectoryAudit, 0, len(recs))
	for i := range recs {
		out = append(out, ToDirectoryAudit(&recs[i]))
	}
	a.writeCollection(w, r, "auditLogs/directoryAudits", next, out)
	return nil
}

func (a *API) listSignIns(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	f, err := parseSignInQuery(r.URL.Query())
	if err != nil {
		return err
	}
	p, err := a.pageOf(r, t, "auditLogs/signIns")
	if err != nil {
		return err
	}
	pg := p.page()
	f.After, f.Top = pg.After, pg.Top
	recs, err := a.st.ListSignIns(r.Context(), t.ID, f)
	if err != nil {
		return err
	}
	recs, next := cut(a, r, p, recs, func(x *core.SignInRecord) store.Cursor { return store.Cursor{CreatedAt: x.At, ID: x.ID} })
	out := make([]SignIn, 0, len(recs))
	for i := range recs {
		out = append(out, ToSignIn(&recs[i]))
	}
	a.writeCollection(w, r, "auditLogs/signIns", next, out)
	return nil
}
