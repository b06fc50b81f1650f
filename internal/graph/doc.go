// Package graph is the Graph-shaped admin REST API under /v1.0/ (SPEC R41):
// invitations, users, applications with their service principals, secrets
// and user assignments, and the email one-time passcode policy, authenticated
// with bearer tokens from the tenant's token endpoint. Every error is
// Graph's {"error":{"code","message"}} with the matching HTTP status.
package graph
