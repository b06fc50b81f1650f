//go:build !unix

package sqlstore

// lockFile is a no-op where flock is not available: run one process at a
// time on a fresh SQLite file there (or use PostgreSQL).
func lockFile(string) (func(), error) { return func() {}, nil }
