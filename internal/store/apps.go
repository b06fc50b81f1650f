package store

// Apps is the storage of applications, their secrets and their assignments
// to users (SPEC R32, R41). Embedded in Tx.
type Apps interface {
}
