// Package storetest is the conformance suite of store.Store: every backend
// runs Run against a fresh, migrated database and must pass it. It covers
// every method's round trip, not-found and conflict errors, tenant
// isolation (a row of one tenant read with another tenant's id is not
// found), expiry by the caller's clock (times are passed explicitly; the
// suite never sleeps or reads the wall clock), the mail outbox's leases,
// and races on the single-use updates.
package storetest
