// Package core holds guestlist's domain types (tenants, users, invitations,
// sign-in flows, passcodes, sessions, outbox mail), the error kinds every
// other package maps to HTTP statuses or pages, and the pure rules that need
// no storage: email address parsing and normalisation, guest user principal
// names, redirect URL validation.
package core
