// Package idp is the seam between the sign-in engine and the ways a guest
// proves who they are (SPEC R10): the email one-time passcode today (idp/otp),
// home-tenant and personal-account passwords and federation (SAML, OpenID
// Connect, Google) later, each one package behind Method. A method says
// whether it applies to an address and why (R10, R14), begins (mails a
// code, shows a password form, redirects to a provider), and turns the
// guest's answer into a Proof; the engine records that proof and everything
// that follows from it in one transaction of its own. Package fake is a
// hand-written Method for table tests.
package idp
