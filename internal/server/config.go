package server

import (
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"guestlist/internal/adminsession"
	"guestlist/internal/idp/google"
	"guestlist/internal/invite"
	"guestlist/internal/mail"
	"guestlist/internal/passcode"
	"guestlist/internal/platform"
)

// Config is what an operator sets (flags and GUESTLIST_* variables).
type Config struct {
	BaseURL     string        // public URL, e.g. http://127.0.0.1:8080
	DataDir     string        // SQLite database and key file
	Database    string        // database URL; empty = SQLite in DataDir
	DB          DBConfig      // PostgreSQL pool and transaction settings
	SMTP        string        // smtp://, smtp+starttls://, smtps://; empty = dev mailbox
	MailFrom    string        // sender address
	PasscodeTTL time.Duration // SPEC R22
	SessionTTL  time.Duration // SPEC R24
	// AdminSessions are the admin console's session lifetimes (R43);
	// zero fields: an hour idle, twelve in all.
	AdminSessions adminsession.Lifetimes
	OperatorToken string // protects /operator/v1/
	// TrustedProxies are the load balancers (CIDRs or addresses) whose
	// Forwarded / X-Forwarded-For headers name the client; empty = none.
	TrustedProxies []string
	SecretKey      string    // hex server key; empty = key file in DataDir
	Domain         string    // deployment domain initial domains go under
	Profile        string    // cloud profile: public or government (R40)
	OTPAutoEnable  time.Time // when "default" turns OTP on (public profile)
	Passcode       passcode.Config
	// InviteMail limits invitation mail per tenant (zero value: defaults).
	InviteMail *invite.MailLimits
	// SigningAlg signs ID and access tokens: RS256 (default) or ES256.
	SigningAlg string
	// KeyRotation is the age at which a new signing key takes over (90d).
	KeyRotation time.Duration
	// RefreshMaxLifetime ends a sign-in's refresh tokens however often they
	// rotate (90 days).
	RefreshMaxLifetime time.Duration
	// AuthorizeLimit is how many authorization requests one client
	// address may make in a tenant per 10 minutes (default 100).
	AuthorizeLimit int
	// PasswordCost is the Argon2id cost of new password hashes; zero
	// fields keep password.Default()'s. A stored hash of another cost is
	// rehashed at its owner's next sign-in.
	PasswordCost PasswordCost
	// AuditRetention is how long audit and sign-in records are kept
	// (R41); zero: DefaultAuditRetention.
	AuditRetention time.Duration
	// Federation tunes the sign-ins sent to partners' identity providers
	// (R10 steps 2 and 3).
	Federation FederationConfig
}

// FederationConfig is how guestlist talks to identity providers. Zero
// fields take the defaults given.
type FederationConfig struct {
	// Timeout bounds every request to a provider (metadata, discovery,
	// token exchange): 5s. A provider slower than that is "unavailable".
	Timeout time.Duration
	// MetadataRefresh is how often a SAML partner's metadata is fetched
	// again from its metadataExchangeUri: 12h. The last good copy is kept
	// when a fetch fails.
	MetadataRefresh time.Duration
	// ClockSkew is the slack allowed on an assertion's NotBefore and
	// NotOnOrAfter: 2m.
	ClockSkew time.Duration
	// GoogleDiscoveryURL is where Google's OpenID endpoints are read
	// from; tests point it at a local provider.
	GoogleDiscoveryURL string
	// AllowInsecureHTTP lets providers' URLs be http:// (a test's
	// loopback partner). Off, every provider URL must be https://.
	AllowInsecureHTTP bool
}

func (f *FederationConfig) defaults() {
	if f.Timeout <= 0 {
		f.Timeout = 5 * time.Second
	}
	if f.MetadataRefresh <= 0 {
		f.MetadataRefresh = 12 * time.Hour
	}
	if f.ClockSkew <= 0 {
		f.ClockSkew = 2 * time.Minute
	}
	if f.GoogleDiscoveryURL == "" {
		f.GoogleDiscoveryURL = google.DiscoveryURL
	}
}

// DefaultAuditRetention is Entra ID's own for a tenant without premium
// licences: 30 days.
const DefaultAuditRetention = 30 * 24 * time.Hour

// PasswordCost is what an operator may raise of Argon2id's cost.
type PasswordCost struct {
	MemoryKiB uint32
	Time      uint32
}

// DBConfig tunes the PostgreSQL connection of one process (SQLite ignores
// it): pool size, statement timeout, retries of aborted transactions.
type DBConfig struct {
	MaxConns         int
	StatementTimeout time.Duration
	TxRetries        int
}

// Deps are what tests replace: the clock, logger, metrics registry and
// optionally the SMTP client's TLS settings.
type Deps struct {
	Now      platform.Clock
	Logger   *slog.Logger
	Registry *prometheus.Registry
	SMTPOpts []mail.SMTPOption
	// Sender replaces the configured mail transport (benchmarks only).
	Sender mail.Sender
	// MailWorker tunes the outbox worker (tests shorten backoff).
	MailWorker mail.WorkerOptions
}
