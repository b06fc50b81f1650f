package sqlstore

import (
	"log/slog"
	"testing"

	"guestlist/internal/core"
)

// TestMigrateUserMethod upgrades a database made before migration 00009:
// a guest who redeemed with the email one-time passcode (identity issuer
// "mail", SPEC R12) reads back locked to core.MethodOTP (R11); a pending
// guest and one with another issuer read back with no method.
func TestMigrateUserMethod(t *testing.T) {
	upgradeOnBoth(t, testMigrateUserMethod)
}

func testMigrateUserMethod(t *testing.T, dsn string) {
	ctx := t.Context()
	db, d := oldSchema(t, dsn, 8)

	const tenant = "7a1e0000-0000-4000-8000-000000000009"
	if _, err := db.ExecContext(ctx, `INSERT INTO tenants (id, display_name, initial_domain, default_language,
		email_otp, passcode_in_subject, created_at) VALUES ($1, 'Old', 'old.test', 'en', 'default', false, 5)`, tenant); err != nil {
		t.Fatalf("seed the old schema: %v", err)
	}
	users := []struct {
		id, state, identities string
		want                  core.Method
	}{
		{"otp", core.StateAccepted, `[{"signInType":"federated","issuer":"mail","issuerAssignedId":"otp@b.test"}]`, core.MethodOTP},
		{"pending", core.StatePendingAcceptance, `null`, core.MethodNone},
		{"other", core.StateAccepted, `[{"signInType":"federated","issuer":"https://idp.b.test","issuerAssignedId":"x"}]`, core.MethodNone},
	}
	for _, u := range users {
		if _, err := db.ExecContext(ctx, `INSERT INTO users (tenant_id, id, display_name, mail, mail_key,
			user_principal_name, user_type, external_user_state, state_changed_at, creation_type, identities,
			preferred_language, created_at)
			VALUES ($1, $2, '', $3, $3, 'upn-' || $2, 'Guest', $4, 0, 'Invitation', $5, '', 9)`,
			tenant, u.id, u.id+"@b.test", u.state, u.identities); err != nil {
			t.Fatalf("seed the old schema: %v", err)
		}
	}

	if err := migrate(ctx, db, d, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, u := range users {
		got, err := s.GetUser(ctx, tenant, u.id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Method != u.want {
			t.Errorf("user %s: method %q, want %q", u.id, got.Method, u.want)
		}
	}
}
