package oidcop

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"guestlist/internal/core"
)

// client adapts an application to op.Client. Web applications authenticate
// with a secret; single-page and public clients have none and must use
// PKCE (SPEC R32). post_logout_redirect_uri must be one of the
// application's redirect URIs, as in Entra.
type client struct {
	app     core.Application
	login   func(requestID string) string
	life    Lifetimes
	kind    op.ApplicationType
	uris    []string
	secrets bool
}

func newClient(app *core.Application, login func(string) string, life Lifetimes) *client {
	c := &client{app: *app, login: login, life: life}
	switch {
	case len(app.WebRedirectURIs) > 0 || app.IsAdmin:
		c.kind, c.secrets = op.ApplicationTypeWeb, true
	case len(app.SPARedirectURIs) > 0:
		c.kind = op.ApplicationTypeUserAgent
	default:
		c.kind = op.ApplicationTypeNative
	}
	c.uris = slices.Concat(app.WebRedirectURIs, app.SPARedirectURIs, app.PublicClientRedirectURIs)
	return c
}

func (c *client) GetID() string                       { return c.app.AppID }
func (c *client) RedirectURIs() []string              { return c.uris }
func (c *client) PostLogoutRedirectURIs() []string    { return c.uris }
func (c *client) ApplicationType() op.ApplicationType { return c.kind }
func (c *client) AuthMethod() oidc.AuthMethod {
	if c.secrets {
		return oidc.AuthMethodBasic
	}
	return oidc.AuthMethodNone
}

// DevMode is the library's only switch for http redirect URIs of browser
// clients: a single-page application may use http on localhost, as Entra
// allows and registration accepts (apps.CheckRedirectURI admits http for
// loopback hosts only). The URI must still match a registered one exactly.
func (c *client) DevMode() bool { return c.kind == op.ApplicationTypeUserAgent }

func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType {
	if c.app.IsAdmin {
		return []oidc.GrantType{oidc.GrantTypeClientCredentials}
	}
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
}
func (c *client) LoginURL(id string) string            { return c.login(id) }
func (c *client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeJWT }
func (c *client) IDTokenLifetime() time.Duration       { return c.life.IDToken }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) IsScopeAllowed(scope string) bool     { return false }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// GetClientByClientID loads an application of the context's tenant.
func (s *storage) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	t, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	app, err := s.st.GetApplication(ctx, t.ID, clientID)
	if errors.Is(err, core.ErrNotFound) {
		return nil, oidc.ErrInvalidClient().WithDescription("this application is not registered in the organization")
	} else if err != nil {
		return nil, err
	}
	return newClient(app, func(id string) string { return s.login(t.ID, id) }, s.life), nil
}

func (s *storage) AuthorizeClientIDSecret(ctx context.Context, clientID, secret string) error {
	t, err := tenantOf(ctx)
	if err != nil {
		return err
	}
	return s.checkSecret(ctx, t.ID, clientID, secret)
}

// ClientCredentials authenticates an admin application (the Graph API's
// callers); other applications have no client credentials grant.
func (s *storage) ClientCredentials(ctx context.Context, clientID, secret string) (op.Client, error) {
	c, err := s.GetClientByClientID(ctx, clientID)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(c.GrantTypes(), oidc.GrantTypeClientCredentials) {
		return nil, oidc.ErrUnauthorizedClient().WithDescription("this application cannot use client credentials")
	}
	if err := s.AuthorizeClientIDSecret(ctx, clientID, secret); err != nil {
		return nil, err
	}
	return c, nil
}

func (s *storage) ClientCredentialsTokenRequest(_ context.Context, clientID string, scopes []string) (op.TokenRequest, error) {
	return &clientCredentialsRequest{clientID: clientID, scopes: scopes, audience: s.graphAudience}, nil
}

// userClaims fills what the ID token and userinfo say of the user (SPEC
// R32): email, name, preferred_username, and Entra's oid, tid and idp.
func (s *storage) userClaims(ctx context.Context, info *oidc.UserInfo, tenantID, userID, subject string) error {
	u, err := s.st.GetUser(ctx, tenantID, userID)
	if errors.Is(err, core.ErrNotFound) {
		return oidc.ErrInvalidRequest().WithDescription("the user no longer exists")
	} else if err != nil {
		return err
	}
	// The library copies the userinfo's subject into the ID token: it must
	// be the pairwise one.
	info.Subject = subject
	info.Email, info.EmailVerified = u.Mail, oidc.Bool(true)
	info.Name, info.PreferredUsername = u.DisplayName, u.Mail
	info.AppendClaims("oid", u.ID)
	info.AppendClaims("tid", tenantID)
	if idp := s.identityProvider(ctx, u); idp != "" {
		info.AppendClaims("idp", idp)
	}
	return nil
}

// identityProvider is the issuer of the identity the guest redeemed with
// (R12), as Entra's idp claim names it: "mail" for the email one-time
// passcode; the home tenant's issuer for a member of another tenant of
// the deployment; the consumers tenant's issuer for a personal account
// (as Entra's is its own consumers tenant's for a Microsoft account). A
// member of the tenant itself has none. It is read from the method on the
// user; only a federation keeps its issuer on the identity.
func (s *storage) identityProvider(ctx context.Context, u *core.User) string {
	switch u.Method {
	case core.MethodNone, core.MethodPassword:
		return "" // not redeemed, or the tenant's own member
	case core.MethodPersonal:
		return s.baseURL + "/" + core.ConsumersTenantID + "/v2.0"
	case core.MethodHomeTenant:
		if at := strings.LastIndexByte(u.Mail, '@'); at >= 0 {
			if h, err := s.st.TenantByDomain(ctx, strings.ToLower(u.Mail[at+1:])); err == nil {
				return s.baseURL + "/" + h.ID + "/v2.0"
			}
		}
		return core.MethodHomeTenant.Issuer()
	}
	if iss := u.Method.Issuer(); iss != "" {
		return iss
	}
	for _, id := range u.Identities {
		if id.SignInType == core.SignInTypeFederated {
			return id.Issuer
		}
	}
	return ""
}

func (s *storage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, _ []string) error {
	t, err := tenantOf(ctx)
	if err != nil {
		return err
	}
	var userID string
	switch r := req.(type) {
	case *authRequest:
		userID = r.UserID
	case *refreshRequest:
		userID = r.family.UserID
	default:
		return nil
	}
	return s.userClaims(ctx, info, t.ID, userID, req.GetSubject())
}

// SetUserinfoFromScopes is deprecated in the library; SetUserinfoFromRequest
// does the work.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromToken answers userinfo for a JWT access token: its family
// must be live (not revoked) and its user may still use its application
// (the same check as a refresh, SPEC R32).
func (s *storage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	t, f, err := s.liveAccessToken(ctx, tokenID)
	if err != nil {
		return err
	}
	return s.userClaims(ctx, info, t.ID, f.UserID, subject)
}

// SetIntrospectionFromToken: a token is active (RFC 7662 section 2.2)
// only while userinfo would answer for it.
func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	_, f, err := s.liveAccessToken(ctx, tokenID)
	if err != nil {
		return err
	}
	resp.Active, resp.ClientID, resp.Subject = true, f.ClientID, subject
	return nil
}

// liveAccessToken finds the family of an access token (by its jti) and
// checks that it still grants access.
func (s *storage) liveAccessToken(ctx context.Context, tokenID string) (*core.Tenant, *core.TokenFamily, error) {
	t, err := tenantOf(ctx)
	if err != nil {
		return nil, nil, err
	}
	f, err := s.liveFamily(ctx, t.ID, familyOf(tokenID))
	if err == nil {
		err = s.mayUse(ctx, t, f.UserID, f.ClientID, f.AMR)
	}
	if err != nil {
		var oe *oidc.Error
		if errors.As(err, &oe) {
			return nil, nil, oidc.ErrAccessDenied().WithDescription("the access token is not valid")
		}
		return nil, nil, err
	}
	return t, f, nil
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// GetPrivateClaimsFromRequest puts tid (and, for users, oid) into JWT
// access tokens, so APIs can tell tenant and user apart as with Entra.
func (s *storage) GetPrivateClaimsFromRequest(ctx context.Context, req op.TokenRequest, _ []string) (map[string]any, error) {
	t, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	claims := map[string]any{"tid": t.ID}
	switch r := req.(type) {
	case *authRequest:
		claims["oid"] = r.UserID
	case *refreshRequest:
		claims["oid"] = r.family.UserID
	case *clientCredentialsRequest:
		claims["appid"] = r.clientID
		// The admin application administers the whole tenant, identity
		// providers and directory roles included (the Graph API checks
		// these per route).
		claims["roles"] = []string{"Directory.ReadWrite.All", "User.Invite.All", "IdentityProvider.ReadWrite.All",
			"RoleManagement.ReadWrite.Directory"}
	}
	return claims, nil
}

func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, oidc.ErrUnauthorizedClient().WithDescription("JWT profile grants are not supported")
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, oidc.ErrUnauthorizedClient().WithDescription("JWT profile grants are not supported")
}
