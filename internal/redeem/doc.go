// Package redeem runs a guest's way in: a sign-in flow started from a redeem
// link, proof of the address (the passcode package), a session, consent on
// first redemption, and the single-winner switch of the guest to Accepted
// with its identity (SPEC R5, R6, R12, R24, R26).
package redeem
