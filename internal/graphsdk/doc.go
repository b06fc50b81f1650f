// Package graphsdk drives the admin API (/v1.0/) with Microsoft's own Graph
// client libraries: the Graph core library (msgraph-sdk-go-core) and Kiota's
// abstractions, HTTP adapter and JSON serialization, with their default
// middleware. Its tests check that what Graph's SDKs rely on — the page
// iterator following @odata.nextLink, PATCH bodies as the adapter sends
// them — works against a real guestlist server. The full generated SDK
// (msgraph-sdk-go) is not used: the few models the tests need are written
// by hand.
package graphsdk
