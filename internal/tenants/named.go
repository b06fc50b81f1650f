package tenants

import (
	"context"
	"strings"

	"guestlist/internal/core"
)

// Named returns the organizations whose display name is name, ignoring
// case (SPEC R31's "Sign in to an organization" by name); display names
// are not unique, so there may be several. The consumers tenant is not an
// organization.
func (s *Service) Named(ctx context.Context, name string) ([]core.Tenant, error) {
	all, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []core.Tenant
	for _, t := range all {
		if name != "" && strings.EqualFold(strings.TrimSpace(t.DisplayName), name) {
			out = append(out, t)
		}
	}
	return out, nil
}
