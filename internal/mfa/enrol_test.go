package mfa

import (
	"bytes"
	"image/png"
	"net/url"
	"regexp"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// TestEnrol: the key URI and QR code, the pending secret, the first code,
// the recovery codes, and what a member can and cannot do with them.
func TestEnrol(t *testing.T) {
	f, ctx := newFixture(t), t.Context()
	if on, err := f.s.Enrolled(ctx, tenantA, "alice"); err != nil || on {
		t.Fatalf("Enrolled before enrolling = %v, %v", on, err)
	}
	e, err := f.s.BeginEnrolment(ctx, tenantA, "alice")
	must(t, err)
	u, err := url.Parse(string(e.URL))
	must(t, err)
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/Fabrikam:alice@fabrikam.guestlist.test" ||
		q.Get("issuer") != "Fabrikam" || q.Get("secret") != string(e.Secret) || q.Get("digits") != "6" ||
		q.Get("period") != "30" || q.Get("algorithm") != "SHA1" {
		t.Errorf("key URI %s", e.URL)
	}
	if len(e.Secret) != 32 { // 160 bits in base32
		t.Errorf("secret of %d characters", len(e.Secret))
	}
	if img, err := png.Decode(bytes.NewReader(e.QR)); err != nil || img.Bounds().Dx() < 100 {
		t.Errorf("QR code: %v", err)
	}
	if !e.ExpiresAt.Equal(f.clock.now().Add(PendingTTL)) {
		t.Errorf("ExpiresAt %v", e.ExpiresAt)
	}
	if on, err := f.s.Enrolled(ctx, tenantA, "alice"); err != nil || on {
		t.Errorf("Enrolled while pending = %v, %v", on, err)
	}
	_, err = f.s.Verify(ctx, tenantA, "alice", code(t, string(e.Secret), f.clock.now()))
	wantKind(t, "Verify while pending", err, core.ErrNotFound)

	// A second BeginEnrolment replaces the pending secret.
	e2, err := f.s.BeginEnrolment(ctx, tenantA, "alice")
	must(t, err)
	if e2.Secret == e.Secret {
		t.Fatal("a new enrolment kept the secret")
	}
	_, err = f.s.ConfirmEnrolment(ctx, tenantA, "alice", code(t, string(e.Secret), f.clock.now()))
	wantKind(t, "confirm with the replaced secret", err, core.ErrUnauthenticated)
	_, err = f.s.ConfirmEnrolment(ctx, tenantA, "alice", "12345")
	wantKind(t, "confirm with a malformed code", err, core.ErrUnauthenticated)

	first := code(t, string(e2.Secret), f.clock.now())
	secrets, err := f.s.ConfirmEnrolment(ctx, tenantA, "alice", first[:3]+" "+first[3:])
	must(t, err)
	codes := plain(secrets)
	if len(codes) != RecoveryCodeCount {
		t.Fatalf("%d recovery codes", len(codes))
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if !regexp.MustCompile(`^[A-Z2-7]{5}-[A-Z2-7]{5}$`).MatchString(c) || seen[c] {
			t.Errorf("recovery code %q", c)
		}
		seen[c] = true
	}
	if on, err := f.s.Enrolled(ctx, tenantA, "alice"); err != nil || !on {
		t.Errorf("Enrolled = %v, %v", on, err)
	}
	_, err = f.s.ConfirmEnrolment(ctx, tenantA, "alice", first)
	wantKind(t, "second confirmation", err, core.ErrConflict)
	_, err = f.s.BeginEnrolment(ctx, tenantA, "alice")
	wantKind(t, "enrol again while active", err, core.ErrConflict)
	// The first code was spent by the confirmation.
	_, err = f.s.Verify(ctx, tenantA, "alice", first)
	wantKind(t, "the confirming code again", err, core.ErrUnauthenticated)

	f.clock.add(period * time.Second)
	v, err := f.s.Verify(ctx, tenantA, "alice", code(t, string(e2.Secret), f.clock.now()))
	must(t, err)
	if v.RecoveryCode || v.RecoveryCodesLeft != RecoveryCodeCount {
		t.Errorf("Verify = %+v", v)
	}

	// Remove by the member, then enrol afresh.
	self := core.WithActor(ctx, core.Actor{UserID: "alice", UserPrincipalName: "alice@fabrikam.guestlist.test"})
	must(t, f.s.Remove(self, tenantA, "alice"))
	wantKind(t, "Remove twice", f.s.Remove(self, tenantA, "alice"), core.ErrNotFound)
	if n, err := f.s.RecoveryCodesLeft(ctx, tenantA, "alice"); err != nil || n != 0 {
		t.Errorf("RecoveryCodesLeft after Remove = %d, %v", n, err)
	}
	_, err = f.s.Verify(ctx, tenantA, "alice", codes[0])
	wantKind(t, "a recovery code after Remove", err, core.ErrNotFound)
	f.enrol(t, tenantA, "alice")
	admin := core.WithActor(ctx, core.Actor{UserID: "bob"})
	must(t, f.s.Remove(admin, tenantA, "alice"))

	recs, err := f.st.ListAudit(ctx, tenantA, store.AuditFilter{})
	must(t, err)
	var acts []string
	for _, r := range recs {
		acts = append(acts, r.Activity+"/"+r.Category+"/"+r.Targets[0].ID)
	}
	want := map[string]int{
		"User registered security info/UserManagement/alice": 2,
		"User deleted security info/UserManagement/alice":    1,
		"Admin deleted security info/UserManagement/alice":   1,
	}
	got := map[string]int{}
	for _, a := range acts {
		got[a]++
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("audit %q: %d records, want %d (all: %q)", k, got[k], n, acts)
		}
	}
	if len(acts) != 4 {
		t.Errorf("audit activities %q", acts)
	}
}

// TestEnrolRefusals: guests and unknown users, and an enrolment whose
// first code comes too late.
func TestEnrolRefusals(t *testing.T) {
	f, ctx := newFixture(t), t.Context()
	_, err := f.s.BeginEnrolment(ctx, tenantA, "gus")
	wantKind(t, "guest", err, core.ErrInvalid)
	_, err = f.s.BeginEnrolment(ctx, tenantA, "nobody")
	wantKind(t, "unknown user", err, core.ErrNotFound)
	_, err = f.s.BeginEnrolment(ctx, "no-such-tenant", "alice")
	wantKind(t, "unknown tenant", err, core.ErrNotFound)
	_, err = f.s.ConfirmEnrolment(ctx, tenantA, "bob", "123456")
	wantKind(t, "confirm without beginning", err, core.ErrNotFound)
	_, err = f.s.RegenerateRecoveryCodes(ctx, tenantA, "bob")
	wantKind(t, "regenerate without an app", err, core.ErrNotFound)

	e, err := f.s.BeginEnrolment(ctx, tenantA, "alice")
	must(t, err)
	f.clock.add(PendingTTL)
	_, err = f.s.ConfirmEnrolment(ctx, tenantA, "alice", code(t, string(e.Secret), f.clock.now()))
	wantKind(t, "confirm after PendingTTL", err, core.ErrNotFound)
	_, err = f.s.RegenerateRecoveryCodes(ctx, tenantA, "alice")
	wantKind(t, "regenerate while pending", err, core.ErrNotFound)
	// A pending enrolment can be removed (the member gave up); nothing
	// was registered, so nothing is audited.
	must(t, f.s.Remove(ctx, tenantA, "alice"))
	if recs, err := f.st.ListAudit(ctx, tenantA, store.AuditFilter{}); err != nil || len(recs) != 0 {
		t.Errorf("audit after removing a pending enrolment: %+v, %v", recs, err)
	}
}
