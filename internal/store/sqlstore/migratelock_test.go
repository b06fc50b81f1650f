package sqlstore_test

import (
	"path/filepath"
	"sync"
	"testing"

	"guestlist/internal/store/sqlstore"
)

// TestConcurrentOpenOnFreshSQLite: processes starting together on a fresh
// data directory each open the database and apply the migrations; every
// one of them must succeed (they used to race: "database is locked", or a
// migration applied twice).
func TestConcurrentOpenOnFreshSQLite(t *testing.T) {
	const rounds, openers = 6, 6
	for round := range rounds {
		path := filepath.Join(t.TempDir(), "guestlist.db")
		var wg sync.WaitGroup
		errs := make(chan error, openers)
		start := make(chan struct{})
		for range openers {
			wg.Go(func() {
				<-start
				st, err := sqlstore.Open(t.Context(), path, sqlstore.Options{Migrate: true})
				if err != nil {
					errs <- err
					return
				}
				errs <- st.Close()
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("round %d: open on a fresh database: %v", round, err)
			}
		}
	}
}
