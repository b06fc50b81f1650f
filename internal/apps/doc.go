// Package apps registers a tenant's applications (SPEC R32, R41): their
// redirect URIs, checked by Entra's rules; their client secrets, stored as
// keyed hashes and shown once; and their assignment to users, which makes
// an application one of a guest's shared resources (R5, R7, R30). Each
// application has a service principal, the id assignments name.
package apps
