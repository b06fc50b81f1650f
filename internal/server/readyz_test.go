package server_test

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"guestlist/internal/servertest"
	"guestlist/internal/store"
	"guestlist/internal/store/sqlstore"
)

func readyz(t *testing.T, s *servertest.Server) (int, time.Duration) {
	t.Helper()
	began := time.Now()
	resp, err := http.Get(s.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, time.Since(began)
}

// TestReadyzReflectsWrites: while another process holds the database's
// write lock every write fails, though reads still work; /readyz must say
// so (503) within its time bound, and be 200 again once writes work.
func TestReadyzReflectsWrites(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	if code, _ := readyz(t, s); code != http.StatusOK {
		t.Fatalf("/readyz = %d before the fault", code)
	}
	other, err := sqlstore.Open(t.Context(), filepath.Join(s.DataDir, "guestlist.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	holding, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- other.InTx(t.Context(), func(store.Tx) error {
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	code, took := readyz(t, s)
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if code != http.StatusServiceUnavailable {
		t.Errorf("/readyz = %d while no write can succeed, want 503", code)
	}
	if took > 15*time.Second {
		t.Errorf("/readyz took %s", took)
	}
	t.Logf("/readyz answered %d in %s", code, took)
	if code, _ := readyz(t, s); code != http.StatusOK {
		t.Errorf("/readyz = %d once writes work again, want 200", code)
	}
}
