// Package tenants creates and removes tenants for the deployment operator:
// a tenant gets an initial domain, its verified domains and a first admin
// application whose client secret is shown once (SPEC R42).
package tenants
