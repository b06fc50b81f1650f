// Package store declares guestlist's storage interface and its sentinel
// errors. The one implementation lives in sqlstore (SQLite and PostgreSQL);
// storetest is the conformance suite every backend passes.
//
// Every method takes the context first and, where the data belongs to a
// tenant, the tenant id; a read across tenants finds nothing
// (core.ErrNotFound). Times are stored as UTC microseconds.
package store
