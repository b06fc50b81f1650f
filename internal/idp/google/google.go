// Package google is Google federation (SPEC R10 step 3): a tenant that
// configured Google sends guests with @gmail.com and @googlemail.com
// addresses, and those of the Google Workspace domains it listed, to
// Google's OpenID provider. The sign-in itself is OpenID Connect
// (idp/oidcfed) with Google's endpoints read from its discovery document.
package google

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// ConsumerDomains are the domains of Google's own accounts.
var ConsumerDomains = []string{"gmail.com", "googlemail.com"}

// DiscoveryURL is Google's OpenID discovery document; a deployment may
// point elsewhere (a test's local provider).
const DiscoveryURL = "https://accounts.google.com/.well-known/openid-configuration"

// Find is the tenant's Google federation when it serves the address.
func Find(ctx context.Context, st store.Store, tenant *core.Tenant, addr core.Address) (*core.IdentityProvider, string, error) {
	const none = "Google federation is not configured"
	if !tenant.HasIdentityProviders {
		return nil, none, nil
	}
	p, err := st.GoogleProvider(ctx, tenant.ID)
	if errors.Is(err, core.ErrNotFound) {
		return nil, none, nil
	}
	if err != nil {
		return nil, "", err
	}
	switch {
	case slices.Contains(ConsumerDomains, addr.Domain):
		return p, fmt.Sprintf("Google federation is configured and %s is a Google account domain", addr.Domain), nil
	case slices.Contains(p.Domains, addr.Domain):
		return p, fmt.Sprintf("Google federation is configured for the Google Workspace domain %s", addr.Domain), nil
	}
	return nil, fmt.Sprintf("Google federation is configured, but %s is neither gmail.com, googlemail.com nor one of its Google Workspace domains", addr.Domain), nil
}
