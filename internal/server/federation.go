package server

import (
	"guestlist/internal/core"
	"guestlist/internal/idp/federation"
	"guestlist/internal/idp/oidcfed"
	"guestlist/internal/platform"
)

// federationProtocols are the protocols the deployment speaks with
// identity providers (SPEC R10 steps 2 and 3).
func (s *Server) federationProtocols(ring *platform.Keyring) map[core.ProviderKind]federation.Protocol {
	fed := s.cfg.Federation
	s.OIDCFed = oidcfed.New(ring, s.cfg.BaseURL, s.deps.Now, oidcfed.Options{
		Timeout: fed.Timeout, AllowInsecureHTTP: fed.AllowInsecureHTTP, GoogleDiscoveryURL: fed.GoogleDiscoveryURL})
	return map[core.ProviderKind]federation.Protocol{
		core.ProviderOIDC:   s.OIDCFed,
		core.ProviderGoogle: s.OIDCFed,
	}
}
