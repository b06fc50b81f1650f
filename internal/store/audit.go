package store

import (
	"context"
	"time"

	"guestlist/internal/core"
)

// Audit is the tenant's audit and sign-in logs (SPEC R41). Records are
// written in the transaction of what they record, so a change that rolls
// back leaves none. Lists are newest first: a Page's After is the last
// record of the page before, and the list goes on with older ones.
// Embedded in Tx.
type Audit interface {
	RecordAudit(ctx context.Context, r *core.AuditRecord) error
	ListAudit(ctx context.Context, tenantID string, f AuditFilter) ([]core.AuditRecord, error)
	RecordSignIn(ctx context.Context, r *core.SignInRecord) error
	ListSignIns(ctx context.Context, tenantID string, f SignInFilter) ([]core.SignInRecord, error)
	// PruneLogs deletes, in every tenant, the audit and sign-in records
	// made before before (the retention).
	PruneLogs(ctx context.Context, before time.Time) error
}

// LogFilter is what both logs filter on; zero values match everything.
// Since is inclusive, Until exclusive.
type LogFilter struct {
	Since, Until time.Time
	// AppID: the initiating application of a change, the application of
	// a sign-in.
	AppID string
	Page
}

// AuditFilter filters the audit log.
type AuditFilter struct {
	LogFilter
	TargetID    string // a target resource's id
	ActorUserID string
	Category    string
}

// SignInFilter filters the sign-in log.
type SignInFilter struct {
	LogFilter
	UserID string
	// Status: "" all, core.ResultSuccess or core.ResultFailure.
	Status string
}
