package server

import (
	"guestlist/internal/core"
	"guestlist/internal/idp/federation"
	"guestlist/internal/platform"
)

// federationProtocols are the protocols the deployment speaks with
// identity providers (SPEC R10 steps 2 and 3).
func (s *Server) federationProtocols(ring *platform.Keyring) map[core.ProviderKind]federation.Protocol {
	return map[core.ProviderKind]federation.Protocol{}
}
