package sqlstore

import (
	"slices"
	"sync"

	"guestlist/internal/core"
)

// tenantCache keeps tenants with the version they were read at. A tenant
// is only reused after its version has been read again and found equal,
// so a change made by any process is seen by the next lookup: the cache
// saves work, never freshness. The version changes with every write to
// the tenant's row, its domains or its identity providers (triggers of
// migration 00019).
type tenantCache struct {
	mu sync.Mutex
	m  map[string]cachedTenant
}

type cachedTenant struct {
	t       *core.Tenant
	version int64
}

// maxCachedTenants bounds the memory: beyond it the cache starts afresh.
const maxCachedTenants = 10000

func newTenantCache() *tenantCache {
	return &tenantCache{m: map[string]cachedTenant{}}
}

// get returns a copy of the tenant id if it is kept at version v.
func (c *tenantCache) get(id string, v int64) *core.Tenant {
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if !ok || e.version != v {
		return nil
	}
	return cloneTenant(e.t)
}

func (c *tenantCache) put(t *core.Tenant, v int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[t.ID]; ok && e.version > v {
		return // a newer one is kept already
	}
	if len(c.m) >= maxCachedTenants {
		clear(c.m)
	}
	c.m[t.ID] = cachedTenant{t: cloneTenant(t), version: v}
}

// cloneTenant copies t deeply enough that callers may change what they
// get: its slices are copied.
func cloneTenant(t *core.Tenant) *core.Tenant {
	c := *t
	c.Domains = slices.Clone(t.Domains)
	c.Redemption.Primary = slices.Clone(t.Redemption.Primary)
	c.Redemption.Fallback = slices.Clone(t.Redemption.Fallback)
	c.GuestDomains.Domains = slices.Clone(t.GuestDomains.Domains)
	return &c
}
