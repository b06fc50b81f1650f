// Package invite adds guests to a tenant: it finds or creates the guest user
// (one per address, SPEC R2), records an invitation with a one-use redeem
// token, and writes the invitation mail to the outbox in the same
// transaction (R1, R3, R52). Reset redemption (R13) lives here too.
package invite
