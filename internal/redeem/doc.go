// Package redeem is the sign-in engine: it owns a guest's way in — the
// sign-in flow started from a redeem link or a typed address, the
// transaction that turns an accepted proof of identity into a signed-in
// flow and a session (Complete), consent on first redemption, and the
// single-winner switch of the guest to Accepted with the method they are
// then locked to (SPEC R5, R6, R10–R12, R24, R26). A method of proving
// identity (the passcode package today) only checks and records its proof
// in the engine's transaction; pages never hold one.
package redeem
