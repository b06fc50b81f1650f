package storetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// NewStore returns an empty, migrated store for one test and registers
// its Close with t.Cleanup.
type NewStore func(t *testing.T) store.Store

// Run runs the conformance suite. It calls newStore once per subtest, so
// each starts from an empty store.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	runSubtests(t, newStore,
		subtest{"Tenants", testTenants},
		subtest{"Applications", testApplications},
		subtest{"Apps", testApps},
		subtest{"Users", testUsers},
		subtest{"UserAdmin", testUserAdmin},
		subtest{"Passwords", testPasswords},
		subtest{"RedemptionOrder", testRedemptionOrder},
		subtest{"Policies", testPolicies},
		subtest{"Invitations", testInvitations},
		subtest{"InvitationLifecycle", testInvitationLifecycle},
		subtest{"Flows", testFlows},
		subtest{"Passcodes", testPasscodes},
		subtest{"Sessions", testSessions},
		subtest{"Events", testEvents},
		subtest{"RecordEvents", testRecordEvents},
		subtest{"Mail", testMail},
		subtest{"SigningKeys", testSigningKeys},
		subtest{"KeyCheck", testKeyCheck},
		subtest{"OIDC", testOIDC},
		subtest{"Prune", testPrune},
		subtest{"DeleteTenant", testDeleteTenant},
		subtest{"Transactions", testTransactions},
		subtest{"Races", testRaces},
		subtest{"Paging", testPaging},
		subtest{"AuditLog", testAuditLog},
		subtest{"SignInLog", testSignInLog},
		subtest{"PruneLogs", testPruneLogs},
		subtest{"UserQuery", testUserQuery},
		subtest{"Federation", testFederation},
		subtest{"Roles", testRoles},
		subtest{"AdminSessions", testAdminSessions},
		subtest{"MFA", testMFA},
		subtest{"MFARaces", testMFARaces},
		subtest{"PasswordLinks", testPasswordLinks},
		subtest{"Branding", testBranding},
	)
}

// t0 is the suite's "now". It has nanoseconds on purpose: the store keeps
// microseconds, and the comparisons below truncate to them.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)

// at is t0 moved by d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// cmpOpts compare times at microsecond precision (in any location) and
// treat nil and empty slices alike (an empty list may read back as nil).
func cmpOpts() cmp.Options {
	return cmp.Options{
		cmp.Comparer(func(a, b time.Time) bool {
			return a.Truncate(time.Microsecond).Equal(b.Truncate(time.Microsecond))
		}),
		cmpopts.EquateEmpty(),
	}
}

// diff fails t if got differs from want.
func diff(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got, cmpOpts()); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

// must fails t at once on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// wantKind checks that err is of kind (core.ErrNotFound, ErrConflict …)
// and, being a public error, carries a message without SQL or driver text.
func wantKind(t *testing.T, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Errorf("error = %v, want %v", err, kind)
		return
	}
	pub, ok := core.PublicError(err)
	if !ok {
		t.Errorf("%v error %q is not a *core.Error", kind, err)
		return
	}
	lower := strings.ToLower(pub.Message)
	for _, leak := range []string{"sql", "constraint", "insert", "update", "select", "table", "unique"} {
		if strings.Contains(lower, leak) {
			t.Errorf("public message %q contains %q", pub.Message, leak)
		}
	}
	if pub.Code == "" {
		t.Errorf("public error %q has no Graph code", pub.Message)
	}
}

// subtest is one named part of the suite.
type subtest struct {
	name string
	run  func(t *testing.T, newStore NewStore)
}

// runSubtests runs each as a subtest of t.
func runSubtests(t *testing.T, newStore NewStore, tests ...subtest) {
	for _, st := range tests {
		t.Run(st.name, func(t *testing.T) { st.run(t, newStore) })
	}
}
