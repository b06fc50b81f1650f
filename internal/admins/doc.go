// Package admins names a tenant's first administrator and lets them set a
// password from a mailed one-time link (SPEC R43): the member, their
// Global Administrator role and the mail are written in the transaction
// that creates the tenant, and the operator can mail a new link later.
package admins
