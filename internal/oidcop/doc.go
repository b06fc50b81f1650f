// Package oidcop is guestlist's OAuth 2.0 / OpenID provider surface. In this
// slice it holds the signing keys (generated at first start, kept in the
// store so every process signs and verifies alike) and the client
// credentials grant that admin applications use to call the Graph API
// (SPEC R41): POST /{tenant}/oauth2/v2.0/token.
package oidcop
