package redeem_test

import (
	"path/filepath"
	"testing"

	"guestlist/internal/store"
	"guestlist/internal/store/sqlstore"
)

// testStore is a migrated SQLite store in the test's own directory, with
// a must that fails the test on an error.
func testStore(t *testing.T) (store.Store, func(error)) {
	t.Helper()
	st, err := sqlstore.Open(t.Context(), filepath.Join(t.TempDir(), "guestlist.db"), sqlstore.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}
