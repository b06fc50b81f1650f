// Package oidcop is guestlist's OpenID provider (SPEC R32): zitadel/oidc's
// op package on guestlist's store, one issuer per tenant. It is the only
// package that imports the library. It also holds the token signing keys
// (in the store, so every process signs and verifies alike, with rotation)
// and the verifier of the admin API's access tokens, which admin
// applications get with the client credentials grant (SPEC R41).
package oidcop
