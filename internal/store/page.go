package store

import "time"

// Cursor is a position in a list kept oldest first, in (created, id)
// order: the list goes on after the row created at CreatedAt with ID.
// The zero Cursor is the start. Lists page by this key, not by an
// offset, so rows inserted while a client pages (they are the newest)
// never make it see a row twice or miss one that existed before.
type Cursor struct {
	CreatedAt time.Time
	ID        string
	// Key is the sort value of the row when a list is sorted by another
	// field (store.UserOrder); it is empty in creation order.
	Key string
}

// IsZero reports whether c is the start of the list.
func (c Cursor) IsZero() bool { return c.ID == "" && c.CreatedAt.IsZero() }

// Page is a window of a list: up to Top rows (0 = all of them) after
// After.
type Page struct {
	After Cursor
	Top   int
}
