package oidcop

import (
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"guestlist/internal/core"
)

// authRequest adapts a stored authorization request to op.AuthRequest. The
// subject it reports is the pairwise one (per application), computed when
// the request is loaded.
type authRequest struct {
	core.AuthRequest
	subject string
}

func (a *authRequest) GetID() string          { return a.ID }
func (a *authRequest) GetACR() string         { return acrFor(a.AMR) }
func (a *authRequest) GetAMR() []string       { return a.AMR }
func (a *authRequest) GetAudience() []string  { return []string{a.ClientID} }
func (a *authRequest) GetAuthTime() time.Time { return a.AuthTime }
func (a *authRequest) GetClientID() string    { return a.ClientID }
func (a *authRequest) GetNonce() string       { return a.Nonce }
func (a *authRequest) GetRedirectURI() string { return a.RedirectURI }
func (a *authRequest) GetScopes() []string    { return a.Scopes }
func (a *authRequest) GetState() string       { return a.State }
func (a *authRequest) GetSubject() string     { return a.subject }
func (a *authRequest) Done() bool             { return a.AuthRequest.Done }
func (a *authRequest) GetResponseType() oidc.ResponseType {
	return oidc.ResponseType(a.ResponseType)
}
func (a *authRequest) GetResponseMode() oidc.ResponseMode {
	return oidc.ResponseMode(a.ResponseMode)
}
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.CodeChallenge, Method: oidc.CodeChallengeMethod(a.CodeChallengeMethod)}
}

// refreshRequest adapts a token family to op.RefreshTokenRequest.
type refreshRequest struct {
	family  core.TokenFamily
	subject string
	scopes  []string
	tokenID string // the refresh token being used (keyed hash)
}

func (r *refreshRequest) GetAMR() []string            { return r.family.AMR }
func (r *refreshRequest) GetAudience() []string       { return []string{r.family.ClientID} }
func (r *refreshRequest) GetAuthTime() time.Time      { return r.family.AuthTime }
func (r *refreshRequest) GetClientID() string         { return r.family.ClientID }
func (r *refreshRequest) GetScopes() []string         { return r.scopes }
func (r *refreshRequest) GetSubject() string          { return r.subject }
func (r *refreshRequest) SetCurrentScopes(s []string) { r.scopes = s }

// clientCredentialsRequest is the token request of an admin application.
type clientCredentialsRequest struct {
	clientID string
	scopes   []string
	audience string // the admin API
}

func (c *clientCredentialsRequest) GetSubject() string    { return c.clientID }
func (c *clientCredentialsRequest) GetAudience() []string { return []string{c.audience} }
func (c *clientCredentialsRequest) GetScopes() []string   { return c.scopes }

// acrFor: "1" for a single factor (an emailed passcode is one factor), as
// Entra reports it.
func acrFor(amr []string) string {
	if len(amr) == 0 {
		return ""
	}
	return "1"
}
