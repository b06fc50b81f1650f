package sqlstore

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"guestlist/internal/core"
)

// micros is how a time is stored: unix microseconds, 0 for the zero time.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros reads a stored time back, in UTC.
func fromMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

// timeCol scans a BIGINT microsecond column (NULL or 0 = zero time).
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*c.t = fromMicros(v)
	case nil:
		*c.t = time.Time{}
	default:
		return fmt.Errorf("time column holds %T, want int64", src)
	}
	return nil
}

// jsonCol scans a TEXT column of JSON written by jsonText into v.
type jsonCol struct{ v any }

func (c jsonCol) Scan(src any) error {
	var b []byte
	switch s := src.(type) {
	case string:
		b = []byte(s)
	case []byte:
		b = s
	case nil:
		return nil
	default:
		return fmt.Errorf("JSON column holds %T, want text", src)
	}
	return json.Unmarshal(b, c.v)
}

// jsonText marshals a list or struct for a TEXT column.
func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("sqlstore: marshal %T: %w", v, err)
	}
	return string(b), nil
}

// blob keeps an empty byte slice from being bound as NULL (the BLOB
// columns are NOT NULL).
func blob(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// Graph error codes of the errors the store returns.
const (
	codeDuplicate = "Request_MultipleObjectsWithSameKeyFound"
	codeState     = "Request_BadRequest"
)

// writeErr maps the error of an INSERT or UPDATE: a unique violation is a
// conflict with the public message dup, a foreign key violation means the
// tenant does not exist, anything else wraps the driver error with what
// was being done. It returns nil for nil.
func (o ops) writeErr(err error, what, dup string) error {
	switch {
	case err == nil:
		return nil
	case o.h.d.isUnique(err):
		return core.Errorf(core.ErrConflict, codeDuplicate, "%s", dup)
	case o.h.d.isForeignKey(err):
		return core.NotFoundf("the tenant does not exist")
	}
	return fmt.Errorf("sqlstore: %s: %w", what, mark(err))
}

// readErr maps the error of a single-row read: no row is core.ErrNotFound
// with the public message missing.
func readErr(err error, what, missing string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return core.NotFoundf("%s", missing)
	}
	return fmt.Errorf("sqlstore: %s: %w", what, mark(err))
}

// affected returns the number of rows a statement changed.
func affected(res sql.Result, what string) (int64, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlstore: %s: %w", what, err)
	}
	return n, nil
}

// mustAffect turns an UPDATE or DELETE that changed nothing into
// core.ErrNotFound with the public message missing.
func mustAffect(res sql.Result, what, missing string) error {
	n, err := affected(res, what)
	if err != nil {
		return err
	}
	if n == 0 {
		return core.NotFoundf("%s", missing)
	}
	return nil
}

// closeRows ends an iteration, reporting an error it stopped on.
func closeRows(rows *sql.Rows, what string) error {
	err := rows.Err()
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", what, mark(err))
	}
	return nil
}
