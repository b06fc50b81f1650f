package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"guestlist/internal/core"
)

// mark adds core.ErrUnavailable to an error that says the database cannot
// be reached or refused work for now (connection lost or refused, server
// shutting down, too many connections, statement timeout, SQLite busy), so
// the surfaces answer "try again" (503) instead of "internal error".
func mark(err error) error {
	if err == nil || errors.Is(err, core.ErrUnavailable) || !unavailable(err) {
		return err
	}
	return fmt.Errorf("%w: %w", core.ErrUnavailable, err)
}

func unavailable(err error) bool {
	var netErr net.Error
	var connErr *pgconn.ConnectError
	switch {
	case errors.Is(err, driver.ErrBadConn), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &netErr), errors.As(err, &connErr):
		return true
	}
	state := pgState(err)
	switch {
	case strings.HasPrefix(state, "08"): // connection exception
		return true
	case state == "57P01", state == "57P02", state == "57P03": // shutdown, crash, cannot connect now
		return true
	case state == "53300", state == "57014": // too many connections, statement timeout
		return true
	}
	if code, ok := sqliteCode(err); ok {
		return code&0xff == 5 || code&0xff == 6 // SQLITE_BUSY, SQLITE_LOCKED
	}
	return false
}

// commitError marks a failed COMMIT: the transaction may or may not have
// taken effect, so it must not be run again.
type commitError struct{ err error }

func (e commitError) Error() string { return e.err.Error() }
func (e commitError) Unwrap() error { return e.err }
