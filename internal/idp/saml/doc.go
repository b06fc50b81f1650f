// Package saml is the SAML 2.0 service provider half of a partner's
// identity provider (SPEC R10 step 2, Graph's
// samlOrWsFedExternalDomainFederation): it sends the guest to the
// partner with a signed AuthnRequest (HTTP-Redirect binding) and verifies
// the partner's response (HTTP-POST binding) before the federation broker
// takes who it asserts.
//
// Signatures are checked by gosaml2 and goxmldsig, and every value this
// package reads comes from the elements they returned as verified, never
// from the raw document (an XML signature wrapping attack places an
// unsigned assertion next to a signed one). What gosaml2 leaves to its
// caller is checked here: the validity window with clock skew, the
// audience being present, InResponseTo matching the request that was
// sent, SHA-1 signatures, and each assertion being used once across every
// process of the deployment.
//
// The partner's signing certificate is the one its administrator pinned,
// or else the one in its metadata, which is fetched again on a schedule
// (Refresh) and kept as last good when a fetch fails.
package saml
