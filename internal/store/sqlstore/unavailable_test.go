package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"guestlist/internal/core"
)

// TestUnavailableAndRetryable: which database failures the surfaces answer
// with "try again" (503), and which transactions are run again.
func TestUnavailableAndRetryable(t *testing.T) {
	pg := func(code string) error { return fmt.Errorf("sqlstore: x: %w", &pgconn.PgError{Code: code}) }
	for _, tc := range []struct {
		name                   string
		err                    error
		unavailable, retryable bool
	}{
		{"serialization failure", pg("40001"), false, true},
		{"deadlock", pg("40P01"), false, true},
		{"admin shutdown", pg("57P01"), true, true},
		{"crash shutdown", pg("57P02"), true, true},
		{"cannot connect now", pg("57P03"), true, false},
		{"connection exception", pg("08006"), true, false},
		{"too many connections", pg("53300"), true, false},
		{"statement timeout", pg("57014"), true, false},
		{"unique violation", pg("23505"), false, false},
		{"network", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, true, false},
		{"bad connection", driver.ErrBadConn, true, true},
		{"deadline", context.DeadlineExceeded, true, false},
		{"failed commit", commitError{pg("57P01")}, true, false},
		{"plain", errors.New("syntax error"), false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := errors.Is(mark(tc.err), core.ErrUnavailable); got != tc.unavailable {
				t.Errorf("unavailable = %v, want %v", got, tc.unavailable)
			}
			if got := retryable(mark(tc.err)); got != tc.retryable {
				t.Errorf("retryable = %v, want %v", got, tc.retryable)
			}
		})
	}
	if mark(nil) != nil {
		t.Error("mark(nil) is not nil")
	}
}
