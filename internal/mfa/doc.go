// Package mfa is members' second factor: an authenticator app (TOTP,
// RFC 6238: 30-second steps, 6 digits, SHA-1 as every common app
// expects) with ten one-time recovery codes, and the tenant setting that
// says which directory role holders must use one (Required).
//
// The shared secret is stored sealed with the server key and bound to
// its tenant and user; recovery codes are stored only as HMACs. A TOTP
// code is accepted once: the time step of the last accepted code is
// stored and no code of that step or an earlier one is accepted again.
// Wrong codes are throttled per user (see Verify). Enrolment, removal and
// new recovery codes are written with their audit record in one
// transaction, with the actor the surface put in the context.
//
// The service authorises nothing: the console decides who may remove
// whose authenticator (a member their own, an administrator anyone's)
// and asks for a fresh code before showing new recovery codes.
package mfa
