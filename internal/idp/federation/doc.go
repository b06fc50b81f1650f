// Package federation is what every federated method shares (SPEC R10
// steps 2 and 3): a guest is sent to the identity provider that serves
// their address, and the provider's answer comes back through the
// browser. A Protocol (SAML in idp/saml, OpenID Connect in idp/oidcfed)
// builds the request and verifies the answer; this package keeps the
// request, binds the answer to the flow that began it, checks that the
// provider asserted the invited address, and turns it into a proof that
// is used once.
//
// The answer arrives in two steps, because a SAML response is a
// cross-site POST that carries no SameSite=Lax cookie: Answer takes it by
// the state or RelayState it came back with and parks what the provider
// asserted on the request; the flow's own page, which has the flow's
// cookie, then completes the flow with it (Complete). A response posted
// into another browser parks its result on the flow that sent it, which
// that browser does not hold, so it signs nobody in there (SPEC R32).
package federation
