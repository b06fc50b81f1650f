package oidcfed

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"guestlist/internal/core"
)

// Check tells an administrator whether p can be used, before it is
// saved: the settings a sign-in needs are there and the provider's
// discovery document can be read and names the configured issuer. It
// fills in the defaults (response type code, the email claim). Errors:
// core.ErrInvalid with what is wrong.
func (pr *Protocol) Check(ctx context.Context, p *core.IdentityProvider) error {
	if p.Kind != core.ProviderOIDC && p.Kind != core.ProviderGoogle {
		return core.Invalidf("a %s identity provider is not OpenID Connect", p.Kind)
	}
	if p.OIDC.ClientID == "" {
		return core.Invalidf("clientId is required: the client id the provider gave this tenant")
	}
	switch p.OIDC.ResponseType {
	case "":
		p.OIDC.ResponseType = "code"
	case "code":
	default:
		return core.Invalidf("responseType %q is not supported: only code (the authorization code flow)", p.OIDC.ResponseType)
	}
	if p.OIDC.ClaimsMapping.Email == "" {
		p.OIDC.ClaimsMapping.Email = defaultEmail
	}
	if p.Kind == core.ProviderOIDC {
		if p.OIDC.Issuer == "" && p.OIDC.MetadataURL == "" {
			return core.Invalidf("issuer or metadataUrl is required")
		}
		for _, u := range []string{p.OIDC.Issuer, p.OIDC.MetadataURL} {
			if u == "" {
				continue
			}
			if err := pr.checkURL(u); err != nil {
				return core.Invalidf("%v", err)
			}
		}
	}
	// Fetched afresh, not from the cache: the administrator is checking
	// what the provider publishes now.
	if _, err := pr.fetch(ctx, p); err != nil {
		return core.Invalidf("the provider's discovery document cannot be used: %s", public(err))
	}
	return nil
}

// public is what an administrator is told of a failed discovery: what
// the document lacks or the status the provider answered with, but of a
// failed connection only that it failed, so that the check does not map
// the deployment's network for whoever can call it.
func public(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return "the provider did not answer in time"
		}
		return "the provider cannot be reached"
	}
	return strings.TrimPrefix(err.Error(), "oidcfed: ")
}
