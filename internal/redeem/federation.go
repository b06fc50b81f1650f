package redeem

import (
	"context"

	"guestlist/internal/core"
)

// ErrNoCallback: the deployment takes no identity provider's answers.
var ErrNoCallback = core.Errorf(core.ErrNotFound, "Request_ResourceNotFound", "no identity provider answers here")

// Answer takes an identity provider's answer that came back through the
// browser with relay (an OpenID callback's state, a SAML response's
// RelayState) and keeps it for the flow that began the sign-in, whose
// own page then completes it (Prove with the provider's method). It needs
// no cookie: a SAML response is a cross-site POST. A refused answer is
// logged for that flow with the reason, for the administrator (R41).
// It returns the method of the provider that answered (federation or
// Google). Errors: *federation.Error, ErrNoCallback.
func (s *Service) Answer(ctx context.Context, tenant *core.Tenant, relay string, params map[string]string) (core.Method, error) {
	if s.cfg.Callback == nil {
		return core.MethodNone, ErrNoCallback
	}
	flowID, kind, err := s.cfg.Callback.Answer(ctx, tenant, relay, params)
	if err == nil || flowID == "" {
		return kind, err
	}
	f, u, ferr := s.st.GetFlowUser(ctx, tenant.ID, flowID, s.now())
	if ferr != nil {
		return kind, err // the flow is gone: nothing to log it for
	}
	if rerr := s.recordSignIn(ctx, s.st, f, u, kind, err); rerr != nil {
		return kind, rerr
	}
	return kind, err
}
