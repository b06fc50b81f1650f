package storetest

import (
	"bytes"
	"sync"
	"testing"
)

// testKeyCheck: the first check value stored wins, also when several
// processes start at once; later callers get it back to compare.
func testKeyCheck(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	var wg sync.WaitGroup
	got := make([][]byte, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := s.KeyCheck(ctx, []byte{byte(i + 1), 0xAA})
			if err != nil {
				t.Errorf("KeyCheck: %v", err)
			}
			got[i] = v
		}()
	}
	wg.Wait()
	for i := range got {
		if !bytes.Equal(got[i], got[0]) {
			t.Fatalf("callers disagree on the stored check: %x vs %x", got[i], got[0])
		}
	}
	again, err := s.KeyCheck(ctx, []byte("another key"))
	must(t, err)
	if !bytes.Equal(again, got[0]) {
		t.Errorf("a later KeyCheck replaced the stored value: %x, want %x", again, got[0])
	}
}
