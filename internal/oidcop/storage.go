package oidcop

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/store"
	"guestlist/internal/tenants"
)

// codeLifetime: an authorization code lives at most 5 minutes from its
// issue (SPEC R32; RFC 6749 section 4.1.2 recommends at most 10).
const codeLifetime = 5 * time.Minute

// Lifetimes of what the provider issues.
type Lifetimes struct {
	AuthRequest  time.Duration // sign-in time allowed between /authorize and the guest's sign-in (10 min)
	AccessToken  time.Duration // (1h)
	IDToken      time.Duration // (1h)
	RefreshToken time.Duration // each refresh token; rotation renews it (14 days)
	// RefreshFamily bounds a sign-in's refresh tokens: however often they
	// rotate, none outlives the sign-in by more than this (90 days).
	RefreshFamily time.Duration
}

func (l *Lifetimes) defaults() {
	for _, d := range []struct {
		p *time.Duration
		v time.Duration
	}{{&l.AuthRequest, 10 * time.Minute}, {&l.AccessToken, time.Hour}, {&l.IDToken, time.Hour}, {&l.RefreshToken, 14 * 24 * time.Hour}} {
		if *d.p <= 0 {
			*d.p = d.v
		}
	}
	if l.RefreshFamily <= 0 {
		l.RefreshFamily = 90 * 24 * time.Hour
	}
}

// Access decides whether a user may still use a client with what they
// signed in with (amr); every refresh, userinfo and introspection asks
// (SPEC R32). Any error refuses; core.ErrForbidden and core.ErrNotFound
// are the user's, others the server's.
type Access interface {
	MayUse(ctx context.Context, t *core.Tenant, userID, clientID string, amr []string) error
}

// storage implements op.Storage (and op.ClientCredentialsStorage) on the
// store. The tenant comes from the request context (see withTenant): every
// read and write is scoped to it.
type storage struct {
	st     store.Store
	ring   *platform.Keyring
	keys   *Keys
	now    platform.Clock
	life   Lifetimes
	login  func(tenantID, requestID string) string // the sign-in page of a request
	logout func(tenantID string) string            // the signed-out page
	// graphAudience is the audience of client credentials tokens: the
	// admin API verifies it.
	graphAudience string
	access        Access // who may still use what they hold
	baseURL       string // tenants' issuers are under it
}

type tenantKey struct{}

func withTenant(ctx context.Context, t *core.Tenant) context.Context {
	return context.WithValue(ctx, tenantKey{}, t)
}

func tenantOf(ctx context.Context) (*core.Tenant, error) {
	t, ok := ctx.Value(tenantKey{}).(*core.Tenant)
	if !ok {
		return nil, oidc.ErrServerError().WithDescription("no tenant in context")
	}
	return t, nil
}

// subject is the pairwise subject of a user at a client (SPEC R32): stable
// for the pair, unlinkable across applications; "oid" carries the object id.
func (s *storage) subject(tenantID, clientID, userID string) string {
	if userID == "" {
		return ""
	}
	sum := s.ring.Hash("pairwise-sub", tenantID+"\x00"+clientID+"\x00"+userID)
	return base64.RawURLEncoding.EncodeToString(sum)
}

func (s *storage) codeHash(tenantID, code string) []byte {
	return s.ring.Hash("auth-code", tenantID+"\x00"+code)
}

func (s *storage) refreshID(tenantID, token string) string {
	return s.ring.HashID("refresh-token", tenantID+"\x00"+token)
}

// CreateAuthRequest stores a validated /authorize request.
func (s *storage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	t, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	browser := browserOf(ctx)
	if browser == "" {
		return nil, oidc.ErrServerError().WithDescription("the authorization request is not bound to a browser")
	}
	now := s.now()
	r := core.AuthRequest{
		TenantID: t.ID, ID: uuid.NewString(), ClientID: req.ClientID, RedirectURI: req.RedirectURI,
		State: req.State, Nonce: req.Nonce, ResponseType: string(req.ResponseType),
		ResponseMode: string(req.ResponseMode), Scopes: req.Scopes, CodeChallenge: req.CodeChallenge,
		CodeChallengeMethod: string(req.CodeChallengeMethod), Prompt: req.Prompt, MaxAge: -1,
		LoginHint: req.LoginHint, CreatedAt: now, ExpiresAt: now.Add(s.life.AuthRequest),
	}
	if req.MaxAge != nil {
		r.MaxAge = int64(*req.MaxAge)
	}
	var locales []string
	for _, l := range req.UILocales {
		locales = append(locales, l.String())
	}
	r.UILocales = strings.Join(locales, " ")
	r.BrowserHash = s.browserHash(t.ID, r.ID, browser)
	if err := s.st.CreateAuthRequest(ctx, &r); err != nil {
		return nil, err
	}
	return &authRequest{AuthRequest: r}, nil
}

func (s *storage) wrap(r *core.AuthRequest) *authRequest {
	return &authRequest{AuthRequest: *r, subject: s.subject(r.TenantID, r.ClientID, r.UserID)}
}

func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	t, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.st.GetAuthRequest(ctx, t.ID, id, s.now())
	if errors.Is(err, core.ErrNotFound) {
		return nil, oidc.ErrInvalidRequest().WithDescription("the sign-in request has expired or does not exist")
	} else if err != nil {
		return nil, err
	}
	return s.wrap(r), nil
}

// AuthRequestByCode finds the request of a code. A code that was already
// exchanged is refused, and the tokens issued from it are revoked (RFC 6749
// section 4.1.2): someone other than the client may hold them.
func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	t, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	r, err := s.st.AuthRequestByCode(ctx, t.ID, s.codeHash(t.ID, code), s.now())
	if errors.Is(err, core.ErrNotFound) {
		return nil, oidc.ErrInvalidGrant().WithDescription("the code is not valid or has expired")
	} else if err != nil {
		return nil, err
	}
	if r.Exchanged {
		if r.FamilyID != "" {
			if err := s.st.RevokeTokenFamily(ctx, t.ID, r.FamilyID, s.now()); err != nil {
				return nil, err
			}
		}
		return nil, oidc.ErrInvalidGrant().WithDescription("the code has already been used; the tokens issued for it are revoked")
	}
	return s.wrap(r), nil
}

func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	t, err := tenantOf(ctx)
	if err != nil {
		return err
	}
	return s.st.SetAuthCode(ctx, t.ID, id, s.codeHash(t.ID, code), s.now().Add(codeLifetime))
}

// DeleteAuthRequest keeps the request: once exchanged it is a tombstone
// that recognises a second use of its code until it expires (Prune).
func (s *storage) DeleteAuthRequest(context.Context, string) error { return nil }

// startFamily creates the token family of a code exchange and marks the
// code used, in one transaction; of two racing exchanges one fails.
func (s *storage) startFamily(ctx context.Context, tx store.Tx, a *authRequest) (*core.TokenFamily, error) {
	f := &core.TokenFamily{
		TenantID: a.TenantID, ID: uuid.NewString(), ClientID: a.ClientID, UserID: a.UserID,
		Scopes: a.Scopes, AMR: a.AMR, AuthTime: a.AuthTime, CreatedAt: s.now(),
	}
	if err := tx.CreateTokenFamily(ctx, f); err != nil {
		return nil, err
	}
	err := tx.ExchangeAuthRequest(ctx, a.TenantID, a.ID, f.ID)
	if errors.Is(err, core.ErrConflict) {
		return nil, oidc.ErrInvalidGrant().WithDescription("the code has already been used")
	}
	return f, err
}

// accessTokenID: the family id prefixes the token id, so userinfo and
// revocation find the family of a JWT access token by its jti.
func accessTokenID(familyID string) string { return familyID + "." + platform.NewToken() }

func familyOf(tokenID string) string {
	f, _, _ := strings.Cut(tokenID, ".")
	return f
}

func (s *storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	exp := s.now().Add(s.life.AccessToken)
	switch r := req.(type) {
	case *authRequest:
		t, err := tenantOf(ctx)
		if err != nil {
			return "", time.Time{}, err
		}
		if err := s.mayUse(ctx, t, r.UserID, r.ClientID, r.AMR); err != nil {
			return "", time.Time{}, err
		}
		var id string
		err = s.st.InTx(ctx, func(tx store.Tx) error {
			f, err := s.startFamily(ctx, tx, r)
			if err == nil {
				id = accessTokenID(f.ID)
			}
			return err
		})
		return id, exp, err
	case *refreshRequest:
		return accessTokenID(r.family.ID), exp, nil
	case *clientCredentialsRequest:
		return "cc." + platform.NewToken(), exp, nil
	}
	return "", time.Time{}, oidc.ErrServerError().WithDescription("unexpected token request %T", req)
}

func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	t, err := tenantOf(ctx)
	if err != nil {
		return "", "", time.Time{}, err
	}
	now := s.now()
	refresh := platform.NewToken() + platform.NewToken()
	rt := core.RefreshToken{TenantID: t.ID, ID: s.refreshID(t.ID, refresh), CreatedAt: now}
	var familyID string
	reused := false
	if a, ok := req.(*authRequest); ok {
		if err := s.mayUse(ctx, t, a.UserID, a.ClientID, a.AMR); err != nil {
			return "", "", time.Time{}, err
		}
	}
	err = s.st.InTx(ctx, func(tx store.Tx) error {
		switch r := req.(type) {
		case *authRequest:
			f, err := s.startFamily(ctx, tx, r)
			if err != nil {
				return err
			}
			familyID = f.ID
			rt.ExpiresAt = s.refreshExpiry(f, now)
		case *refreshRequest:
			familyID = r.family.ID
			rt.ExpiresAt = s.refreshExpiry(&r.family, now)
			err := tx.UseRefreshToken(ctx, t.ID, s.refreshID(t.ID, current), now)
			if errors.Is(err, core.ErrConflict) {
				reused = true
				return err
			} else if err != nil {
				return err
			}
		default:
			return oidc.ErrServerError().WithDescription("unexpected token request %T", req)
		}
		rt.FamilyID = familyID
		return tx.CreateRefreshToken(ctx, &rt)
	})
	if reused {
		return "", "", time.Time{}, s.refreshReused(ctx, t.ID, familyID)
	}
	if err != nil {
		return "", "", time.Time{}, err
	}
	return accessTokenID(familyID), refresh, now.Add(s.life.AccessToken), nil
}

// refreshReused answers the reuse of a rotated refresh token: it may have
// been stolen, so the whole family ends (OAuth 2.0 Security BCP 4.14).
func (s *storage) refreshReused(ctx context.Context, tenantID, familyID string) error {
	if err := s.st.RevokeTokenFamily(ctx, tenantID, familyID, s.now()); err != nil {
		return err
	}
	return oidc.ErrInvalidGrant().WithDescription("the refresh token was already used; all tokens of this sign-in are revoked")
}

func (s *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	t, err := tenantOf(ctx)
	if err != nil {
		return nil, err
	}
	rt, err := s.st.GetRefreshToken(ctx, t.ID, s.refreshID(t.ID, token), s.now())
	if errors.Is(err, core.ErrNotFound) {
		return nil, oidc.ErrInvalidGrant().WithDescription("the refresh token is not valid or has expired")
	} else if err != nil {
		return nil, err
	}
	if !rt.UsedAt.IsZero() {
		return nil, s.refreshReused(ctx, t.ID, rt.FamilyID)
	}
	f, err := s.liveFamily(ctx, t.ID, rt.FamilyID)
	if err != nil {
		return nil, err
	}
	if !s.now().Before(f.CreatedAt.Add(s.life.RefreshFamily)) {
		return nil, oidc.ErrInvalidGrant().WithDescription("the sign-in has reached its maximum lifetime; sign in again")
	}
	if err := s.mayUse(ctx, t, f.UserID, f.ClientID, f.AMR); err != nil {
		return nil, err
	}
	return &refreshRequest{family: *f, subject: s.subject(t.ID, f.ClientID, f.UserID), scopes: f.Scopes, tokenID: rt.ID}, nil
}

// refreshExpiry is when a refresh token issued now in family f ends: its
// own lifetime, renewed by each rotation, but never past the family's
// maximum, so a client that refreshes on schedule cannot keep a sign-in
// alive for ever: the guest proves the address again.
func (s *storage) refreshExpiry(f *core.TokenFamily, now time.Time) time.Time {
	idle, limit := now.Add(s.life.RefreshToken), f.CreatedAt.Add(s.life.RefreshFamily)
	if limit.Before(idle) {
		return limit
	}
	return idle
}

// mayUse asks whether the user may still use the client (SPEC R32: every
// refresh re-checks): a refusal is invalid_grant (RFC 6749 section 5.2),
// a failure to check a server error.
func (s *storage) mayUse(ctx context.Context, t *core.Tenant, userID, clientID string, amr []string) error {
	err := s.access.MayUse(ctx, t, userID, clientID, amr)
	if errors.Is(err, core.ErrForbidden) || errors.Is(err, core.ErrNotFound) {
		return oidc.ErrInvalidGrant().WithDescription("the user may no longer sign in to this application")
	}
	return err
}

// liveFamily returns a family that is not revoked. Callers also ask
// mayUse: a family outlives changes that do not revoke it.
func (s *storage) liveFamily(ctx context.Context, tenantID, id string) (*core.TokenFamily, error) {
	f, err := s.st.GetTokenFamily(ctx, tenantID, id)
	if errors.Is(err, core.ErrNotFound) {
		return nil, oidc.ErrInvalidGrant().WithDescription("the token is not valid")
	} else if err != nil {
		return nil, err
	}
	if !f.RevokedAt.IsZero() {
		return nil, oidc.ErrInvalidGrant().WithDescription("the token has been revoked")
	}
	return f, nil
}

// TerminateSession is not reached: logout goes through
// TerminateSessionFromRequest, which sees the id_token_hint's oid.
func (s *storage) TerminateSession(ctx context.Context, _, clientID string) error { return nil }

// TerminateSessionFromRequest is RP-initiated logout: the user's tokens at
// this client and their guest sessions in the tenant end.
func (s *storage) TerminateSessionFromRequest(ctx context.Context, req *op.EndSessionRequest) (string, error) {
	t, err := tenantOf(ctx)
	if err != nil {
		return "", err
	}
	if req.IDTokenHintClaims != nil {
		if oid, ok := req.IDTokenHintClaims.Claims["oid"].(string); ok && oid != "" {
			now := s.now()
			err := s.st.InTx(ctx, func(tx store.Tx) error {
				if err := tx.RevokeUserTokens(ctx, t.ID, oid, req.ClientID, now); err != nil {
					return err
				}
				return tx.RevokeUserSessions(ctx, t.ID, oid, now)
			})
			if err != nil {
				return "", err
			}
		}
	}
	return s.signedOutURL(ctx, req.RedirectURI), nil
}

// RevokeToken ends the family of a token the client holds (RFC 7009
// section 2.1: revoking either kind of token ends the grant's others too).
// The library passes an access token's jti with its subject, a refresh
// token's id (keyed hash, from GetRefreshTokenInfo) with its user, or the
// token as sent, with no user, when it could read neither.
func (s *storage) RevokeToken(ctx context.Context, tokenOrID, userID, clientID string) *oidc.Error {
	t, err := tenantOf(ctx)
	if err != nil {
		return oidc.ErrServerError()
	}
	var familyID string
	switch {
	case userID != "" && strings.Contains(tokenOrID, "."): // an access token's jti
		familyID = familyOf(tokenOrID)
	default:
		id := tokenOrID // a refresh token's id
		if userID == "" {
			id = s.refreshID(t.ID, tokenOrID)
		}
		rt, err := s.st.GetRefreshToken(ctx, t.ID, id, s.now())
		if err != nil {
			return nil // unknown or expired tokens are "revoked" (RFC 7009 section 2.2)
		}
		familyID = rt.FamilyID
	}
	f, err := s.st.GetTokenFamily(ctx, t.ID, familyID)
	if err != nil {
		return nil
	}
	if f.ClientID != clientID {
		return oidc.ErrInvalidClient().WithDescription("the token was not issued to this client")
	}
	if err := s.st.RevokeTokenFamily(ctx, t.ID, familyID, s.now()); err != nil {
		return oidc.ErrServerError()
	}
	return nil
}

func (s *storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	t, err := tenantOf(ctx)
	if err != nil {
		return "", "", err
	}
	rt, err := s.st.GetRefreshToken(ctx, t.ID, s.refreshID(t.ID, token), s.now())
	if err != nil {
		return "", "", op.ErrInvalidRefreshToken
	}
	f, err := s.st.GetTokenFamily(ctx, t.ID, rt.FamilyID)
	if err != nil || f.ClientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	return f.UserID, rt.ID, nil
}

func (s *storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	if err := s.keys.Fresh(ctx); err != nil {
		return nil, err
	}
	sk, ok := s.keys.Current()
	if !ok {
		return nil, errors.New("no signing key")
	}
	return signingKey{sk}, nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return s.keys.Algorithms(), nil
}

func (s *storage) KeySet(ctx context.Context) ([]op.Key, error) {
	if err := s.keys.Fresh(ctx); err != nil {
		return nil, err
	}
	var out []op.Key
	for _, k := range s.keys.PublicKeys() {
		out = append(out, publicKey{k})
	}
	return out, nil
}

func (s *storage) Health(ctx context.Context) error { return s.st.Ping(ctx) }

// checkSecret authenticates a confidential client.
func (s *storage) checkSecret(ctx context.Context, tenantID, clientID, secret string) error {
	secrets, err := s.st.AppSecrets(ctx, tenantID, clientID)
	if err != nil {
		return err
	}
	if !tenants.CheckSecret(s.ring, secrets, clientID, secret, s.now()) {
		return oidc.ErrInvalidClient().WithDescription("client authentication failed")
	}
	return nil
}
