// Package passcode issues and checks email one-time passcodes (SPEC R21–R23):
// numeric codes from crypto/rand, never stored in clear, valid for a while,
// single use, bound to the sign-in flow that asked for them, with throttles
// and attempt budgets kept in the store so every server process shares them.
package passcode
