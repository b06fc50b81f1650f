// Package otp is the email one-time passcode as an idp.Method (SPEC
// R20–R26): a thin adapter over the passcode package, which issues,
// mails, throttles and checks the codes.
package otp
