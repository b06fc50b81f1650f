package store

// OIDC is the storage of the OpenID provider: authorization requests,
// codes, and refresh tokens (SPEC R32). Embedded in Tx.
type OIDC interface {
}
