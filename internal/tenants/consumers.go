package tenants

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"guestlist/internal/core"
)

// EnsureConsumers creates the consumers tenant, which holds the
// deployment's personal accounts as members with passwords (SPEC R10
// steps 4 and 6), unless it exists, and returns it. Every server process
// calls it at start: when two race, the loser's conflict means the tenant
// is there, and it reads it. The tenant has no verified domains and no
// admin application, so no token can administer it. Errors: core.ErrNotFound
// where the deployment offers no personal accounts (R40).
func (s *Service) EnsureConsumers(ctx context.Context) (*core.Tenant, error) {
	if !s.personal {
		return nil, core.NotFoundf("this deployment does not offer personal accounts")
	}
	t, err := s.st.GetTenant(ctx, core.ConsumersTenantID)
	if !errors.Is(err, core.ErrNotFound) {
		return t, err
	}
	t = &core.Tenant{
		ID: core.ConsumersTenantID, DisplayName: "Personal accounts", InitialDomain: s.consumersDomain(),
		DefaultLanguage: "en", EmailOTP: core.OTPDefault, CreatedAt: s.now(),
	}
	err = s.st.CreateTenant(ctx, t)
	if !errors.Is(err, core.ErrConflict) {
		return t, err
	}
	got, err := s.st.GetTenant(ctx, core.ConsumersTenantID)
	if errors.Is(err, core.ErrNotFound) {
		// The conflict was not the tenant: a tenant made before the
		// domain was reserved holds it.
		return nil, fmt.Errorf("create the consumers tenant: its domain %s belongs to another tenant", t.InitialDomain)
	}
	return got, err
}

// consumersDomain is the consumers tenant's initial domain; no other
// tenant gets it.
func (s *Service) consumersDomain() string { return core.ConsumersName + "." + s.domain }

func isConsumers(id string) bool { return strings.EqualFold(id, core.ConsumersTenantID) }
