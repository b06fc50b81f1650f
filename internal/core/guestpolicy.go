package core

import (
	"slices"
	"strings"
)

// Kinds of a tenant's guest domain list (SPEC R9): one list, either an
// allow list or a block list, as Entra's B2BManagementPolicy keeps it.
const (
	DomainsAllowed = "allowed"
	DomainsBlocked = "blocked"
)

// GuestDomains is a tenant's guest domain list (SPEC R9). The zero value
// is no list: every domain may be invited.
type GuestDomains struct {
	Kind string // "", DomainsAllowed or DomainsBlocked
	// Domains are normalised by GuestDomainPattern: ASCII, lower case,
	// "*.example.com" for every subdomain of example.com.
	Domains []string
}

// Refusal says why the list refuses domain ("" if it admits it), naming
// the domain and the rule, so an administrator knows what to change.
func (g GuestDomains) Refusal(domain string) string {
	matched := slices.ContainsFunc(g.Domains, func(p string) bool { return domainMatches(p, domain) })
	switch {
	case g.Kind == DomainsBlocked && matched:
		return "the domain " + domain + " is in the tenant's BlockedDomains"
	case g.Kind == DomainsAllowed && !matched:
		return "the domain " + domain + " is not in the tenant's AllowedDomains"
	}
	return ""
}

// domainMatches: a plain entry matches itself only, "*.x" every
// subdomain of x (not x itself, which is listed on its own).
func domainMatches(pattern, domain string) bool {
	if rest, ok := strings.CutPrefix(pattern, "*."); ok {
		return strings.HasSuffix(domain, "."+rest)
	}
	return pattern == domain
}

// GuestDomainPattern normalises one entry of a guest domain list: a domain
// name (IDN to ASCII, lower case, DomainName's rules) optionally preceded
// by "*." for its subdomains. Errors: core.ErrInvalid naming the entry.
func GuestDomainPattern(s string) (string, error) {
	s = strings.TrimSpace(s)
	rest, wild := strings.CutPrefix(s, "*.")
	name, err := DomainName(rest)
	if err != nil || strings.Contains(name, "*") {
		return "", Invalidf("%q is not a valid domain name (a domain, or *.domain for its subdomains)", s)
	}
	if wild {
		return "*." + name, nil
	}
	return name, nil
}

// Who may invite guests: Graph's authorizationPolicy allowInvitesFrom.
// A tenant's zero value ("") is Graph's default, InvitesEveryone.
const (
	InvitesNone                = "none"
	InvitesAdminsGuestInviters = "adminsAndGuestInviters"
	InvitesAllMembers          = "adminsGuestInvitersAndAllMembers"
	InvitesEveryone            = "everyone"
)

// InvitesFromValues are allowInvitesFrom's values, in Graph's order.
func InvitesFromValues() []string {
	return []string{InvitesNone, InvitesAdminsGuestInviters, InvitesAllMembers, InvitesEveryone}
}

// InvitesFrom is the tenant's allowInvitesFrom with the default filled in.
func (t *Tenant) InvitesFrom() string {
	if t.AllowInvitesFrom == "" {
		return InvitesEveryone
	}
	return t.AllowInvitesFrom
}

// OwnsDomain reports whether domain is the tenant's initial domain or one
// of its verified domains: its members' addresses, never a guest's.
func (t *Tenant) OwnsDomain(domain string) bool {
	return domain == t.InitialDomain || slices.Contains(t.Domains, domain)
}
