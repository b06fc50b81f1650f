package server

import (
	"guestlist/internal/core"
	"guestlist/internal/idp/federation"
	"guestlist/internal/platform"
	"guestlist/internal/providers"
)

// federationProtocols are the protocols the deployment speaks with
// identity providers (SPEC R10 steps 2 and 3).
func (s *Server) federationProtocols(ring *platform.Keyring) map[core.ProviderKind]federation.Protocol {
	return map[core.ProviderKind]federation.Protocol{}
}

// providerChecks are the protocols' checks of an identity provider an
// administrator creates or changes (fetching its metadata, say); none yet.
func providerChecks() providers.Checks {
	return providers.Checks{}
}
