package server

import (
	"context"
	"errors"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/idp/federation"
	"guestlist/internal/idp/oidcfed"
	"guestlist/internal/idp/saml"
	"guestlist/internal/platform"
	"guestlist/internal/providers"
)

// metadataCheckEvery is how often the SAML metadata worker looks for
// partners' metadata due a refresh (each is refreshed every
// Federation.MetadataRefresh).
const metadataCheckEvery = 5 * time.Minute

// federationProtocols are the protocols the deployment speaks with
// identity providers (SPEC R10 steps 2 and 3).
func (s *Server) federationProtocols(ring *platform.Keyring) map[core.ProviderKind]federation.Protocol {
	fed := s.cfg.Federation
	s.SAML = saml.New(s.Store, s.cfg.BaseURL, s.deps.Now, saml.Options{Timeout: fed.Timeout, ClockSkew: fed.ClockSkew,
		MetadataRefresh: fed.MetadataRefresh, AllowInsecureHTTP: fed.AllowInsecureHTTP})
	s.OIDCFed = oidcfed.New(ring, s.cfg.BaseURL, s.deps.Now, oidcfed.Options{
		Timeout: fed.Timeout, AllowInsecureHTTP: fed.AllowInsecureHTTP, GoogleDiscoveryURL: fed.GoogleDiscoveryURL})
	return map[core.ProviderKind]federation.Protocol{
		core.ProviderSAML:   s.SAML,
		core.ProviderOIDC:   s.OIDCFed,
		core.ProviderGoogle: s.OIDCFed,
	}
}

// refreshMetadata keeps SAML partners' metadata (and so their signing
// certificates) current; a partner that is down keeps its last good copy.
func (s *Server) refreshMetadata(ctx context.Context) {
	t := time.NewTicker(metadataCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.SAML.Refresh(ctx); err != nil && !errors.Is(err, context.Canceled) {
				s.log.Warn("SAML metadata refresh", "err", err)
			}
		}
	}
}

// providerChecks are the protocols' checks of an identity provider an
// administrator creates or changes: SAML metadata fetched and parsed,
// OpenID discovery reachable (federationProtocols made the protocols).
func (s *Server) providerChecks() providers.Checks {
	return providers.Checks{SAML: s.SAML.Check, OIDC: s.OIDCFed.Check}
}
