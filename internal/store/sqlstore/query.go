package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// where builds the WHERE clause of a list query with optional filters;
// columns are the package's own names, values are always bound.
type where struct {
	sql  string
	args []any
}

// eq adds "col = value" unless value is empty (empty matches everything).
func (w *where) eq(col, value string) {
	if value == "" {
		return
	}
	w.args = append(w.args, value)
	w.sql += " AND " + col + " = $" + strconv.Itoa(len(w.args))
}

// after adds the keyset condition of a list ordered by (created_at, idCol):
// only rows after c. The zero cursor adds nothing. One condition both
// databases evaluate the same way, with bound values.
func (w *where) after(idCol string, c store.Cursor) {
	if c.IsZero() {
		return
	}
	w.args = append(w.args, micros(c.CreatedAt), c.ID)
	at, id := "$"+strconv.Itoa(len(w.args)-1), "$"+strconv.Itoa(len(w.args))
	w.sql += " AND (created_at > " + at + " OR (created_at = " + at + " AND " + idCol + " > " + id + "))"
}

// limit returns a LIMIT clause for n > 0 and "" (no limit) otherwise.
func (w *where) limit(n int) string {
	if n <= 0 {
		return ""
	}
	w.args = append(w.args, n)
	return " LIMIT $" + strconv.Itoa(len(w.args))
}

// cond describes a conditional UPDATE (the single-use guarantees) for
// conditional: how to tell a row in another state from a missing row.
type cond struct {
	what     string // for wrapped driver errors
	exists   string // SELECT 1 of the row, whatever its state
	args     []any  // of exists
	conflict string // public message when the row is in another state
	missing  string // public message when there is no row
}

// conditional finishes a conditional UPDATE that ran on q. The UPDATE
// itself is what is atomic: its WHERE clause tests the state, so of racing
// callers exactly one changes the row. When none was changed, the row is
// looked up (on the same connection) only to choose the error.
func (o ops) conditional(ctx context.Context, q runner, res sql.Result, c cond) error {
	n, err := affected(res, c.what)
	if err != nil || n > 0 {
		return err
	}
	var one int
	err = q.QueryRowContext(ctx, c.exists, c.args...).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return core.NotFoundf("%s", c.missing)
	case err != nil:
		return fmt.Errorf("sqlstore: %s: %w", c.what, err)
	}
	return core.Errorf(core.ErrConflict, codeState, "%s", c.conflict)
}
