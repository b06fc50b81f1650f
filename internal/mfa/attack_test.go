package mfa

import (
	"bytes"
	"database/sql"
	"encoding/base32"
	"os"
	"strings"
	"testing"
	"time"

	"guestlist/internal/core"
)

// TestAttacker: what someone who has stolen a code, or a copy of the
// database, can do with it.
func TestAttacker(t *testing.T) {
	f, ctx := newFixture(t), t.Context()
	secret, codes := f.enrol(t, tenantA, "alice")
	_, bobCodes := f.enrol(t, tenantA, "bob")
	otherSecret, otherCodes := f.enrol(t, tenantB, "alice") // same user id, other tenant

	t.Run("a code seen over the shoulder, used after its owner", func(t *testing.T) {
		f.clock.add(period * time.Second)
		c := code(t, secret, f.clock.now())
		_, err := f.s.Verify(ctx, tenantA, "alice", c)
		must(t, err)
		_, err = f.s.Verify(ctx, tenantA, "alice", c)
		wantKind(t, "the stolen code", err, core.ErrUnauthenticated)
	})
	t.Run("a recovery code used twice", func(t *testing.T) {
		_, err := f.s.Verify(ctx, tenantA, "alice", codes[5])
		must(t, err)
		_, err = f.s.Verify(ctx, tenantA, "alice", codes[5])
		wantKind(t, "the spent recovery code", err, core.ErrUnauthenticated)
	})
	t.Run("another member's recovery code", func(t *testing.T) {
		_, err := f.s.Verify(ctx, tenantA, "alice", bobCodes[0])
		wantKind(t, "bob's code for alice", err, core.ErrUnauthenticated)
		_, err = f.s.Verify(ctx, tenantA, "bob", codes[0])
		wantKind(t, "alice's code for bob", err, core.ErrUnauthenticated)
	})
	t.Run("another tenant's member of the same id", func(t *testing.T) {
		_, err := f.s.Verify(ctx, tenantB, "alice", codes[1])
		wantKind(t, "tenant A's recovery code in tenant B", err, core.ErrUnauthenticated)
		_, err = f.s.Verify(ctx, tenantA, "alice", otherCodes[1])
		wantKind(t, "tenant B's recovery code in tenant A", err, core.ErrUnauthenticated)
		f.clock.add(period * time.Second)
		_, err = f.s.Verify(ctx, tenantA, "alice", code(t, otherSecret, f.clock.now()))
		wantKind(t, "tenant B's app code in tenant A", err, core.ErrUnauthenticated)
		// Their codes still work for them: the refusals above spent nothing.
		_, err = f.s.Verify(ctx, tenantB, "alice", otherCodes[1])
		must(t, err)
		_, err = f.s.Verify(ctx, tenantA, "bob", bobCodes[0])
		must(t, err)
	})

	// A copy of the database: the rows hold neither the secret (in base32
	// or raw) nor a recovery code.
	db, err := sql.Open("sqlite", f.path)
	must(t, err)
	defer db.Close()
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
	must(t, err)
	var sealed []byte
	must(t, db.QueryRowContext(ctx, `SELECT secret FROM mfa_authenticators WHERE tenant_id = $1 AND user_id = $2`,
		tenantA, "alice").Scan(&sealed))
	if bytes.Contains(sealed, []byte(secret)) || bytes.Contains(sealed, raw) || len(sealed) < len(raw)+16 {
		t.Errorf("the stored secret is not sealed: %x", sealed)
	}
	rows, err := db.QueryContext(ctx, `SELECT hash FROM mfa_recovery_codes`)
	must(t, err)
	n := 0
	for rows.Next() {
		var h []byte
		must(t, rows.Scan(&h))
		n++
		for _, c := range append(append(codes, bobCodes...), otherCodes...) {
			plain := strings.ReplaceAll(c, "-", "")
			if bytes.Contains(h, []byte(plain)) || bytes.Contains(h, []byte(c)) {
				t.Errorf("a recovery code is stored in clear")
			}
		}
	}
	must(t, rows.Err())
	if n != 3*RecoveryCodeCount {
		t.Errorf("%d recovery code rows", n)
	}
	// Nor anywhere in the database's files.
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(f.path + suffix)
		if os.IsNotExist(err) {
			continue
		}
		must(t, err)
		for _, plain := range []string{secret, string(raw), otherSecret, strings.ReplaceAll(codes[0], "-", ""), codes[0]} {
			if bytes.Contains(b, []byte(plain)) {
				t.Errorf("database file %q holds a secret in clear", "guestlist.db"+suffix)
			}
		}
	}

	// A sealed secret copied onto another member's row does not open
	// there: the seal is bound to its tenant and user.
	_, err = db.ExecContext(ctx, `UPDATE mfa_authenticators SET secret = $1 WHERE tenant_id = $2 AND user_id = $3`,
		sealed, tenantA, "bob")
	must(t, err)
	f.clock.add(period * time.Second)
	if _, err := f.s.Verify(ctx, tenantA, "bob", code(t, secret, f.clock.now())); err == nil {
		t.Error("alice's secret, moved to bob's row, verified bob")
	}
}
