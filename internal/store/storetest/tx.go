package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

func testTransactions(t *testing.T, newStore NewStore) {
	runSubtests(t, newStore,
		subtest{"Commit", testTransactionsCommit},
		subtest{"Rollback", testTransactionsRollback},
		subtest{"RollbackOnConflict", testTransactionsRollbackOnConflict},
		subtest{"Panic", testTransactionsPanic},
		subtest{"Isolation", testTransactionsIsolation},
	)
}

func testTransactionsCommit(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	u := newUser(tenantA, "user-1", "guest@example.com")
	must(t, s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		// The transaction reads its own writes.
		got, err := tx.GetUser(ctx, tenantA, u.ID)
		if err != nil {
			return err
		}
		diff(t, "GetUser in the transaction", u, got)
		return tx.CreateSession(ctx, newSession(tenantA, "sess-1", u.ID, at(time.Hour)))
	}))
	got, err := s.GetUser(ctx, tenantA, u.ID)
	must(t, err)
	diff(t, "GetUser after commit", u, got)
	_, err = s.GetSession(ctx, tenantA, "sess-1", t0)
	must(t, err)
}

func testTransactionsRollback(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	errStop := errors.New("stop")
	wrapped := fmt.Errorf("redeem: %w", errStop)
	err := s.InTx(ctx, func(tx store.Tx) error {
		must(t, tx.CreateUser(ctx, newUser(tenantA, "user-1", "guest@example.com")))
		return wrapped
	})
	if err != wrapped || !errors.Is(err, errStop) {
		t.Errorf("InTx returned %v, want fn's error unchanged", err)
	}
	_, err = s.GetUser(ctx, tenantA, "user-1")
	wantKind(t, err, core.ErrNotFound)
}

func testTransactionsRollbackOnConflict(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	must(t, s.CreateUser(ctx, newUser(tenantA, "user-1", "guest@example.com")))
	err := s.InTx(ctx, func(tx store.Tx) error {
		must(t, tx.CreateFlow(ctx, newFlow(tenantA, "flow-1", at(time.Hour))))
		return tx.CreateUser(ctx, newUser(tenantA, "user-2", "guest@example.com"))
	})
	wantKind(t, err, core.ErrConflict)
	_, err = s.GetFlow(ctx, tenantA, "flow-1", t0)
	wantKind(t, err, core.ErrNotFound)
}

func testTransactionsPanic(t *testing.T, newStore NewStore) {
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	func() {
		defer func() {
			if recover() == nil {
				t.Error("InTx swallowed fn's panic")
			}
		}()
		_ = s.InTx(ctx, func(tx store.Tx) error {
			must(t, tx.CreateFlow(ctx, newFlow(tenantA, "flow-1", at(time.Hour))))
			panic("boom")
		})
	}()
	_, err := s.GetFlow(ctx, tenantA, "flow-1", t0)
	wantKind(t, err, core.ErrNotFound)
	// The store still takes writes: the transaction was ended.
	must(t, s.CreateFlow(ctx, newFlow(tenantA, "flow-2", at(time.Hour))))
}

func testTransactionsIsolation(t *testing.T, newStore NewStore) {
	// Reads through the store during a transaction do not wait for it
	// and do not see its uncommitted writes.
	s, ctx := newStore(t), t.Context()
	twoTenants(ctx, t, s)
	must(t, s.InTx(ctx, func(tx store.Tx) error {
		must(t, tx.CreateFlow(ctx, newFlow(tenantA, "flow-1", at(time.Hour))))
		_, err := s.GetFlow(ctx, tenantA, "flow-1", t0)
		wantKind(t, err, core.ErrNotFound)
		return nil
	}))
	_, err := s.GetFlow(ctx, tenantA, "flow-1", t0)
	must(t, err)
}
