// Package oidcfed is OpenID Connect federation (SPEC R10 steps 2 and 3):
// the guest is sent to a partner's OpenID provider, or to Google, with
// the authorization code flow, and comes back to the tenant's
// /federation/callback with a code that is exchanged for an ID token.
//
// It is a federation.Protocol: the broker in idp/federation keeps the
// request (state, nonce, PKCE verifier) and binds the answer to the flow
// that began it; this package builds the authorization request and
// verifies the answer. What it checks, and why:
//
//   - state: the broker finds the request by it (RFC 6749 section 10.12);
//   - PKCE S256 (RFC 7636): a code stolen on its way back is worthless
//     without the verifier that stayed here;
//   - the ID token's signature against the provider's published keys, its
//     issuer, its audience (our client id) and its expiry, on the injected
//     clock (OpenID Connect Core 1.0 section 3.1.3.7);
//   - the nonce: the ID token was issued for this sign-in, not replayed
//     from another (Core section 3.1.2.1);
//   - the iss parameter of the answer, when the provider sends it
//     (RFC 9207): the answer comes from the provider the guest was sent to;
//   - email_verified, when the provider sends it: an address the provider
//     has not verified proves nothing about who holds it.
//
// The partner's tokens are used in memory during Verify and never stored.
// Discovery documents are kept in memory for an hour per provider
// version, so a sign-in does not fetch them every time.
package oidcfed
