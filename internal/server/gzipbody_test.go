package server_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// gzipped is body compressed as Graph's SDKs send it.
func gzipped(t *testing.T, body string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(body)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestGzipRequestBodies: Graph accepts a request body sent with
// Content-Encoding: gzip, which its SDKs do by default, so guestlist does
// too; a body that expands past the 1 MiB limit is refused as too large
// (413) however small it was on the wire, a body that is not gzip is 400,
// and an encoding guestlist does not read is 415. Nothing changes on a
// refusal.
func TestGzipRequestBodies(t *testing.T) {
	t.Parallel()
	s, tn := newFabrikam(t, servertest.Options{})
	const path = "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email"
	headers := func(enc string) map[string]string {
		return map[string]string{"Authorization": "Bearer " + tn.Token, "Content-Type": "application/json", "Content-Encoding": enc}
	}
	r := send(t, s, "PATCH", path, headers("gzip"), gzipped(t, `{"allowExternalIdToUseEmailOtp":"disabled"}`))
	if r.Status != http.StatusNoContent {
		t.Fatalf("gzip PATCH: %d %s", r.Status, r.Body)
	}
	if got := emailOTP(t, s, tn); got != "disabled" {
		t.Fatalf("after the gzip PATCH allowExternalIdToUseEmailOtp = %v, want disabled", got)
	}

	bomb := gzipped(t, `{"allowExternalIdToUseEmailOtp":"enabled","x":"`+strings.Repeat("0", 2<<20)+`"}`)
	if len(bomb) > 64<<10 {
		t.Fatalf("the bomb is %d bytes on the wire; the test wants a small one", len(bomb))
	}
	wantGraphError(t, send(t, s, "PATCH", path, headers("gzip"), bomb), http.StatusRequestEntityTooLarge, "")
	wantGraphError(t, send(t, s, "PATCH", path, headers("gzip"), `{"allowExternalIdToUseEmailOtp":"enabled"}`), http.StatusBadRequest, "")
	wantGraphError(t, send(t, s, "PATCH", path, headers("br"), `{"allowExternalIdToUseEmailOtp":"enabled"}`), http.StatusUnsupportedMediaType, "")
	if got := emailOTP(t, s, tn); got != "disabled" {
		t.Errorf("after the refused bodies allowExternalIdToUseEmailOtp = %v, want disabled still", got)
	}
}
