package oidcop

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// endSession is RP-initiated logout (OpenID Connect RP-Initiated Logout
// 1.0). With a valid, unexpired id_token_hint the application's request
// is enough: the library checks it and TerminateSessionFromRequest ends
// the guest's tokens at that application and their sessions. Without one
// anyone could end a guest's sessions with a link, so nothing ends here:
// the browser goes to guestlist's own page, which asks the guest (section
// 2 of the specification: the OP should ask the End-User) or, with no
// session, says they are signed out.
func (p *Provider) endSession(w http.ResponseWriter, r *http.Request, t *core.Tenant) {
	ctx := p.issuerContext(r.Context(), t)
	r = r.WithContext(ctx)
	r.Body = http.MaxBytesReader(w, r.Body, maxAuthorizeQuery)
	if err := r.ParseForm(); err != nil {
		p.refuse(w, r, t, RefusedRequest, "the request is too large or malformed")
		return
	}
	hintClient, live := p.hint(ctx, r.Form.Get("id_token_hint"))
	if live {
		p.op.ServeHTTP(w, r)
		return
	}
	q := url.Values{}
	for _, k := range []string{"client_id", "post_logout_redirect_uri", "state", "ui_locales"} {
		if v := r.Form.Get(k); v != "" && len(v) <= 2048 {
			q.Set(k, v)
		}
	}
	if q.Get("client_id") == "" && hintClient != "" {
		q.Set("client_id", hintClient) // whose post_logout_redirect_uri to check
	}
	to := p.storage.logout(t.ID)
	if len(q) > 0 {
		to += "?" + q.Encode()
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// hint checks an id_token_hint: our signature, for this tenant. It returns
// the application it was issued to (also when expired) and whether it is
// live: not expired on the server's clock (the library lets an expired
// hint end sessions, and checks the wall clock).
func (p *Provider) hint(ctx context.Context, hint string) (clientID string, live bool) {
	if hint == "" {
		return "", false
	}
	claims, err := op.VerifyIDTokenHint[*oidc.IDTokenClaims](ctx, hint, p.op.IDTokenHintVerifier(ctx))
	if err != nil && !errors.As(err, &op.IDTokenHintExpiredError{}) {
		return "", false
	}
	return claims.GetAuthorizedParty(), err == nil && p.storage.now().Before(claims.Expiration.AsTime())
}

// Logout ends the guest's sessions in the tenant and, when clientID is
// set, their tokens at that application: the guest confirmed it.
func (p *Provider) Logout(ctx context.Context, t *core.Tenant, userID, clientID string) error {
	now := p.storage.now()
	return p.storage.st.InTx(ctx, func(tx store.Tx) error {
		if clientID != "" {
			if err := tx.RevokeUserTokens(ctx, t.ID, userID, clientID, now); err != nil {
				return err
			}
		}
		return tx.RevokeUserSessions(ctx, t.ID, userID, now)
	})
}

// PostLogoutRedirect is where a confirmed logout returns to: uri with
// state, if uri is registered for the application clientID; "" otherwise
// (the guest stays on guestlist's signed-out page).
func (p *Provider) PostLogoutRedirect(ctx context.Context, t *core.Tenant, clientID, uri, state string) string {
	if clientID == "" || uri == "" {
		return ""
	}
	c, err := p.storage.GetClientByClientID(withTenant(ctx, t), clientID)
	if err != nil || op.ValidateEndSessionPostLogoutRedirectURI(uri, c) != nil {
		return ""
	}
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	if state != "" {
		q := u.Query()
		q.Set("state", state)
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// signedOutURL replaces the library's empty default logout redirect: a
// logout with a valid hint but no registered post_logout_redirect_uri
// ends on guestlist's signed-out page.
func (p *storage) signedOutURL(ctx context.Context, redirect string) string {
	if strings.HasPrefix(redirect, "https://") || strings.HasPrefix(redirect, "http://") {
		return redirect
	}
	t, err := tenantOf(ctx)
	if err != nil {
		return redirect
	}
	return p.logout(t.ID)
}
