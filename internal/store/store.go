package store

import (
	"context"
	"time"

	"guestlist/internal/core"
)

// Store is the storage of one deployment.
type Store interface {
	// InTx runs fn in one write transaction: everything fn writes commits
	// together or not at all. Writes that must not race (single-use tokens,
	// throttles) go through InTx. fn must not keep tx after it returns.
	InTx(ctx context.Context, fn func(tx Tx) error) error
	// Tx: every method also works outside InTx, as its own transaction.
	Tx
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// Tx is what can be done inside (or outside) a transaction.
type Tx interface {
	Apps
	OIDC
	Access
	UserAdmin
	Assignments
	Passwords
	PasswordLinks
	Policies
	InvitationLifecycle
	Audit
	Federation
	Roles
	AdminSessions
	MFA
	Branding

	// Lock serialises writers on one (tenant, key) until the transaction
	// ends, so a check-then-write on throttles or flows cannot race between
	// processes. On SQLite write transactions are already serial.
	Lock(ctx context.Context, tenantID, key string) error

	// CreateTenant stores t and its domains. core.ErrConflict if the
	// initial domain or a domain belongs to another tenant.
	CreateTenant(ctx context.Context, t *core.Tenant) error
	GetTenant(ctx context.Context, id string) (*core.Tenant, error)
	// TenantByDomain finds a tenant by a verified or its initial domain.
	TenantByDomain(ctx context.Context, domain string) (*core.Tenant, error)
	ListTenants(ctx context.Context) ([]core.Tenant, error)
	// UpdateTenantSettings writes DisplayName, DefaultLanguage, EmailOTP
	// and PasscodeInSubject.
	UpdateTenantSettings(ctx context.Context, t *core.Tenant) error
	// SetRedemptionOrder writes the tenant's redemption order and nothing
	// else; core.ErrNotFound if there is no such tenant.
	SetRedemptionOrder(ctx context.Context, tenantID string, o core.RedemptionOrder) error
	// DeleteTenant removes the tenant and everything that belongs to it.
	DeleteTenant(ctx context.Context, id string) error

	CreateApplication(ctx context.Context, a *core.Application) error
	GetApplication(ctx context.Context, tenantID, appID string) (*core.Application, error)

	// CreateUser: core.ErrConflict if the tenant has a user with u.MailKey.
	CreateUser(ctx context.Context, u *core.User) error
	GetUser(ctx context.Context, tenantID, id string) (*core.User, error)
	UserByMail(ctx context.Context, tenantID, mailKey string) (*core.User, error)
	ListUsers(ctx context.Context, tenantID string, f UserFilter) ([]core.User, error)
	// CountUsers counts the users ListUsers would list without Top and
	// After.
	CountUsers(ctx context.Context, tenantID string, f UserFilter) (int, error)
	// UpdateUser writes every mutable field of u (display name, state,
	// identities, method, preferred language, type).
	UpdateUser(ctx context.Context, u *core.User) error
	// AcceptUser moves a PendingAcceptance user to Accepted with the
	// method they redeemed with and its identities; core.ErrConflict if the
	// user is not pending (another redemption won).
	AcceptUser(ctx context.Context, tenantID, userID string, m core.Method, ids []core.Identity, at time.Time) error
	SetPreferredLanguage(ctx context.Context, tenantID, userID, lang string) error
	// DeleteUser removes the user with their sessions, invitations and
	// sign-in flows (and those flows' passcodes).
	DeleteUser(ctx context.Context, tenantID, id string) error

	CreateInvitation(ctx context.Context, inv *core.Invitation) error
	GetInvitation(ctx context.Context, tenantID, id string) (*core.Invitation, error)
	InvitationByToken(ctx context.Context, tenantID string, tokenHash []byte) (*core.Invitation, error)
	// CompleteInvitation marks a pending invitation Completed;
	// core.ErrConflict if it is not pending.
	CompleteInvitation(ctx context.Context, tenantID, id string, at time.Time) error
	ListInvitations(ctx context.Context, tenantID string, f InvitationFilter) ([]core.Invitation, error)

	CreateFlow(ctx context.Context, f *core.Flow) error
	// GetFlow returns the flow unless it expired at now (core.ErrNotFound).
	GetFlow(ctx context.Context, tenantID, id string, now time.Time) (*core.Flow, error)
	// GetFlowUser is GetFlow with the flow's user, in one read: every guest
	// page needs both. core.ErrNotFound if either is gone.
	GetFlowUser(ctx context.Context, tenantID, id string, now time.Time) (*core.Flow, *core.User, error)
	// SetFlowStep moves a flow from step `from` to `to`; core.ErrConflict
	// if it is no longer at `from`.
	SetFlowStep(ctx context.Context, tenantID, id, from, to string) error
	// RekeyFlow is SetFlowStep that also moves the flow to m.NewID, so
	// the old id (the hash of the old cookie) names nothing any more, and
	// records who its person is and what they proved. core.ErrConflict if
	// the flow is no longer at m.From or m.NewID is taken;
	// core.ErrNotFound if there is no such flow.
	RekeyFlow(ctx context.Context, tenantID, id string, m FlowMove) error

	CreatePasscode(ctx context.Context, p *core.Passcode) error
	// LivePasscodes are the flow's codes that are unused and unexpired at
	// now, newest first (voided ones included; the caller checks attempts).
	LivePasscodes(ctx context.Context, tenantID, flowID string, now time.Time) ([]core.Passcode, error)
	// AddPasscodeAttempts adds one wrong attempt to each of the codes.
	AddPasscodeAttempts(ctx context.Context, tenantID string, ids []string) error
	// UsePasscode marks a code used; core.ErrConflict if it already was.
	UsePasscode(ctx context.Context, tenantID, id string, at time.Time) error

	// RecordEvent and CountEvents implement sliding-window throttles shared
	// by all server processes.
	RecordEvent(ctx context.Context, tenantID, key string, at time.Time) error
	// CountEvents counts events for key at or after since, and returns the
	// latest one's time (zero if none).
	CountEvents(ctx context.Context, tenantID, key string, since time.Time) (int, time.Time, error)
	// RecordEvents records one event for each of keys at at, in one
	// statement: a step that feeds several throttles writes once.
	RecordEvents(ctx context.Context, tenantID string, at time.Time, keys ...string) error
	// EventWindows counts, for each of keys, the events at or after since
	// with the earliest and latest of them, in one read; a key with none
	// is absent from the map.
	EventWindows(ctx context.Context, tenantID string, since time.Time, keys ...string) (map[string]EventWindow, error)

	CreateSession(ctx context.Context, s *core.Session) error
	// GetSession returns a live session (not expired at now, not revoked).
	GetSession(ctx context.Context, tenantID, id string, now time.Time) (*core.Session, error)
	RevokeUserSessions(ctx context.Context, tenantID, userID string, at time.Time) error

	// EnqueueMail adds a message to the outbox (status pending, due now).
	EnqueueMail(ctx context.Context, m *core.OutboxMessage) error
	// ClaimMail leases up to limit due messages (pending, next attempt
	// <= now, no live lease) until now+lease and returns them.
	ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]core.OutboxMessage, error)
	// MarkMailSent records delivery. The body of sensitive mail is cleared
	// unless keepBody is set: the dev mailbox, whose only copy of a message
	// is this row, keeps it so the developer can read the code.
	MarkMailSent(ctx context.Context, id string, at time.Time, keepBody bool) error
	// MarkMailRetry releases the lease and schedules another attempt.
	MarkMailRetry(ctx context.Context, id string, next time.Time, reason string) error
	// MarkMailFailed gives up on a message, keeping the reason.
	MarkMailFailed(ctx context.Context, id string, reason string) error
	GetMail(ctx context.Context, id string) (*core.OutboxMessage, error)
	// ListMail lists the newest messages of all tenants (the dev mailbox).
	ListMail(ctx context.Context, limit int) ([]core.OutboxMessage, error)

	// KeyCheck stores check the first time and returns the stored value,
	// so every process can confirm it hashes secrets with the same server
	// key as the one that set the database up.
	KeyCheck(ctx context.Context, check []byte) ([]byte, error)

	CreateSigningKey(ctx context.Context, k *core.SigningKey) error
	// SigningKeys lists keys, newest first.
	SigningKeys(ctx context.Context) ([]core.SigningKey, error)

	// Prune deletes expired flows, passcodes, sessions, authorization
	// requests and refresh tokens, throttle events
	// older than before, and sent or failed passcode mail (Sensitive)
	// created before it.
	Prune(ctx context.Context, before time.Time) error
}

// FlowMove is a proof's effect on its flow (RekeyFlow): a new id, the
// next step, the user (a sign-up's flow gets the account it made) and
// what was proved (core.Flow.ProvedMethod, ProvedSubject).
type FlowMove struct {
	NewID, From, To string
	UserID          string
	ProvedMethod    core.Method
	ProvedSubject   string
	// ProvedIssuer is the federation provider's issuer, for a proof of
	// MethodFederation (core.Flow.ProvedIssuer).
	ProvedIssuer string
}

// EventWindow is what a sliding window holds of one throttle key: how many
// events, and when the earliest (when a full window frees its next slot)
// and the latest happened.
type EventWindow struct {
	Count       int
	First, Last time.Time
}

// UserFilter narrows ListUsers; empty fields match everything.
type UserFilter struct {
	UserType          string
	ExternalUserState string
	MailKey           string
	// Where narrows further ($filter, $search); nil matches everything.
	Where Expr
	// Order sorts; After then continues that order (its Key is the
	// last user's value of Order.Field).
	Order UserOrder
	Top   int    // 0 = no limit
	After Cursor // list the users after this one (zero: from the start)
}

// InvitationFilter narrows ListInvitations.
type InvitationFilter struct {
	Status string
	UserID string // "" any user
	// Now, when set, tells expired invitations from live ones (SPEC R8):
	// Status PendingAcceptance then lists the pending ones not expired at
	// Now, and core.InvitationExpired the pending ones that are. Without
	// it Status matches the stored status.
	Now   time.Time
	Top   int    // 0 = no limit
	After Cursor // list the invitations after this one (zero: from the start)
}
