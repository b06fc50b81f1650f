// Command guestlist runs the guestlist identity service and its operator
// commands. It only parses configuration, builds the server and runs the
// chosen subcommand.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/alecthomas/kong"

	"guestlist/internal/adminsession"
	"guestlist/internal/invite"
	"guestlist/internal/platform"
	"guestlist/internal/server"
	"guestlist/internal/store/sqlstore"
	"guestlist/internal/tenants"
)

// common are the settings every command that opens the database shares.
type common struct {
	Addr               string        `default:"127.0.0.1:8080" help:"Address serve listens on; without --base-url, links and the token issuer are http://<addr>, for serve and the other commands alike."`
	Data               string        `default:"./guestlist-data" help:"Directory for the SQLite database and the secret key."`
	Database           string        `help:"Database URL (postgres://…); default the SQLite file in --data."`
	SecretKey          string        `help:"Server key as hex (64+ characters); default the key file in --data. All processes of a deployment must share it."`
	DeploymentDomain   string        `default:"guestlist.localhost" help:"Deployment domain that tenants' initial domains are made under."`
	BaseURL            string        `help:"Public URL of this deployment (links in mail, token issuer); default http://<addr>. https:// turns on Secure, __Host- cookies."`
	DBMaxConns         int           `default:"10" help:"PostgreSQL: connections this process may open."`
	DBStatementTimeout time.Duration `default:"5s" help:"PostgreSQL: statement_timeout of every connection."`
	DBTxRetries        int           `default:"3" help:"PostgreSQL: retries of a transaction aborted by a serialization failure or deadlock."`
}

type serveCmd struct {
	common
	SMTP                      string        `name:"smtp" help:"SMTP server: smtp://[user:pass@]host:port (STARTTLS when offered), smtp+starttls://… (STARTTLS required), smtps://… (implicit TLS). Empty keeps mail in the dev mailbox at /dev/mail, which is only served on a loopback-only server or with --dev-mailbox."`
	MailFrom                  string        `help:"Sender address of outgoing mail."`
	PasscodeTTL               time.Duration `default:"30m" help:"How long a one-time passcode is valid."`
	SessionTTL                time.Duration `default:"24h" help:"How long a guest stays signed in."`
	AdminSessionIdle          time.Duration `default:"1h" help:"An admin console session ends after this long without a request."`
	AdminSessionMax           time.Duration `default:"12h" help:"An admin console session ends this long after sign-in, however busy."`
	OperatorToken             string        `help:"Bearer token for /operator/v1/. Empty: the token in the data directory's operator-token file, generated (and shown on a terminal) the first time."`
	TrustedProxies            []string      `name:"trusted-proxies" sep:"," help:"Load balancers (CIDRs or addresses, comma-separated) whose Forwarded/X-Forwarded-For headers name the client. Empty: the TCP peer is the client."`
	Profile                   string        `default:"public" enum:"public,government" help:"Cloud profile (public or government)."`
	SigningAlg                string        `default:"RS256" enum:"RS256,ES256" help:"Algorithm that signs ID and access tokens."`
	KeyRotation               time.Duration `default:"2160h" help:"Age at which a new signing key takes over (the old one stays in the JWKS for a day)."`
	DevMailbox                bool          `name:"dev-mailbox" help:"Without --smtp, serve the dev mailbox (every passcode, readable by anyone at /dev/mail) even when the server can be reached from other machines. For throwaway tests only."`
	MetricsAddr               string        `name:"metrics-addr" default:"127.0.0.1:9464" help:"Address serving Prometheus /metrics; empty turns metrics off."`
	InviteMailsPerHour        int           `default:"100" help:"Invitation mails a tenant may send per hour (0: no limit)."`
	InviteMailsPerRecipient   int           `default:"5" help:"Invitation mails a tenant may send to one address per day (0: no limit)."`
	RefreshMaxLifetime        time.Duration `default:"2160h" help:"How long after a sign-in its refresh tokens end, however often they rotate."`
	AuthorizeLimit            int           `default:"100" help:"Authorization requests one client address may make in a tenant per 10 minutes."`
	OTPMailsPerClient         int           `name:"otp-mails-per-client" default:"5" help:"Passcode mails one client may have sent to one address per hour."`
	OTPMailsPerAddress        int           `name:"otp-mails-per-address" default:"30" help:"Passcode mails one address receives per tenant per hour, from all clients together."`
	OTPAttemptsPerClient      int           `name:"otp-attempts-per-client" default:"30" help:"Wrong passcodes one client may enter per tenant per hour."`
	PasswordMemoryKiB         uint32        `name:"password-memory-kib" default:"1024" help:"Argon2id memory of new password hashes, in KiB (see BENCHMARKS.md before raising it on a small machine)."`
	PasswordTime              uint32        `name:"password-time" default:"1" help:"Argon2id passes of new password hashes. Hashes of another cost are redone at their owner's next sign-in."`
	OTPAutoEnableDate         dateFlag      `name:"otp-auto-enable-date" placeholder:"YYYY-MM-DD" help:"Day (UTC) from which a tenant's email OTP setting \"default\" means on, on the public profile; empty: always on."`
	AuditRetention            time.Duration `name:"audit-retention" default:"720h" help:"How long audit and sign-in log records are kept."`
	FederationTimeout         time.Duration `name:"federation-timeout" default:"5s" help:"Bound on every request to a partner's identity provider or Google (metadata, discovery, keys, code exchange); a slower provider is unavailable."`
	FederationMetadataRefresh time.Duration `name:"federation-metadata-refresh" default:"12h" help:"How often a SAML partner's metadata is fetched again from its metadata URL (the last good copy is kept when a fetch fails)."`
	SAMLClockSkew             time.Duration `name:"saml-clock-skew" default:"2m" help:"Slack allowed on a SAML assertion's NotBefore and NotOnOrAfter."`
	GoogleDiscoveryURL        string        `name:"google-discovery-url" default:"https://accounts.google.com/.well-known/openid-configuration" help:"Google's OpenID discovery document (tests point it at a local provider)."`
	FederationAllowHTTP       bool          `name:"federation-allow-http" help:"Let identity providers' URLs be http:// (local test partners only); off, every provider URL must be https://."`
}

// dateFlag is a calendar day given as YYYY-MM-DD: midnight UTC of it.
type dateFlag struct{ time.Time }

// UnmarshalText reads the flag; empty is the zero time.
func (d *dateFlag) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		d.Time = time.Time{}
		return nil
	}
	t, err := time.Parse(time.DateOnly, string(b))
	if err != nil {
		return fmt.Errorf("want a date as YYYY-MM-DD, got %q", b)
	}
	d.Time = t
	return nil
}

type migrateCmd struct {
	common
}

type tenantCreateCmd struct {
	common
	Name     string   `required:"" help:"Display name of the organization."`
	Domain   []string `name:"domain" help:"A verified domain of the tenant (repeatable)."`
	Language string   `default:"en" help:"Default language of the tenant's pages and mail."`
	// AdminEmail names the first administrator (SPEC R43).
	AdminEmail string `name:"admin-email" help:"The first administrator's address, in one of the tenant's domains: they become Global Administrator and are mailed a link to set a password (delivered by a running server)."`
}

type tenantSecretCmd struct {
	common
	Tenant string `required:"" help:"Tenant id or domain."`
}

type inviteCmd struct {
	common
	Tenant      string `required:"" help:"Tenant id or domain."`
	Email       string `required:"" help:"Guest's email address."`
	RedirectURL string `required:"" help:"Where the guest lands after redeeming."`
	DisplayName string `help:"Guest's display name."`
	Send        bool   `help:"Send the invitation email (delivered by a running server)."`
}

type cli struct {
	VersionFlag kong.VersionFlag `name:"version" env:"-" help:"Print the version and exit."`
	LogLevel    string           `default:"" enum:",debug,info,warn,error" help:"Log level: debug, info, warn or error; default info for serve, warn for the other commands."`
	LogFormat   string           `default:"text" enum:"text,json" help:"Log format: text (key=value) or json (one object per line); library output goes through the same handler."`

	Serve   serveCmd   `cmd:"" help:"Run the service."`
	Migrate migrateCmd `cmd:"" help:"Apply database migrations and exit."`
	Tenant  struct {
		Create         tenantCreateCmd `cmd:"" help:"Create a tenant and print its admin application's credentials."`
		List           tenantListCmd   `cmd:"" help:"List the tenants with their domains."`
		NewAdminSecret tenantSecretCmd `cmd:"" name:"new-admin-secret" help:"Issue a new secret of the tenant's admin application (the old ones keep working) and print it."`
		SendAdminLink  adminLinkCmd    `cmd:"" name:"send-admin-link" help:"Mail an administrator a new link to set their password (earlier links stop working)."`
	} `cmd:"" help:"Manage tenants."`
	Invite inviteCmd `cmd:"" help:"Invite a guest and print the redeem link."`
	Audit  struct {
		Export auditExportCmd `cmd:"" help:"Write audit and sign-in records as JSON lines, for a SIEM."`
	} `cmd:"" help:"Audit and sign-in logs."`
	Keys struct {
		Rotate keysRotateCmd `cmd:"" help:"Make a new signing key; the old one stays published for a day."`
	} `cmd:"" help:"Manage token signing keys."`
	Version     versionCmd     `cmd:"" help:"Print the version, the commit it was built from and the Go version."`
	Healthcheck healthcheckCmd `cmd:"" help:"Ask a running server's /healthz; exit 0 when it answers 200 (for container health checks)."`
	Config      struct {
		Reference configReferenceCmd `cmd:"" help:"Print the configuration reference (every flag and GUESTLIST_* variable) as Markdown."`
	} `cmd:"" help:"Configuration."`
}

type keysRotateCmd struct {
	common
	SigningAlg string `default:"RS256" enum:"RS256,ES256" help:"Algorithm of the new key."`
}

func (k *keysRotateCmd) Run(ctx context.Context, log *slog.Logger) error {
	if err := k.existing(); err != nil {
		return err
	}
	cfg := k.config()
	cfg.SigningAlg = k.SigningAlg
	srv, err := server.New(ctx, cfg, server.Deps{Logger: log})
	if err != nil {
		return err
	}
	defer srv.Close()
	if err := srv.Keys.Rotate(ctx); err != nil {
		return err
	}
	key, _ := srv.Keys.Current()
	fmt.Printf("new signing key: %s (%s); running servers pick it up within 10 minutes, or at once for tokens it signs\n", key.KeyID, key.Algorithm)
	return nil
}

func main() {
	// A bare guestlist explains itself rather than starting a server (and
	// creating a data directory) in whatever directory it was typed in.
	if len(os.Args) == 1 {
		os.Args = append(os.Args, "--help")
	}
	var c cli
	k := kong.Parse(&c, kongOptions(strings.TrimSuffix(versionText(debug.ReadBuildInfo()), "\n"))...)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	k.BindTo(ctx, (*context.Context)(nil))
	k.Bind(newLogger(c.LogFormat, c.LogLevel, strings.HasPrefix(k.Command(), "serve")))
	if err := k.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "guestlist:", err)
		os.Exit(1)
	}
}

func (c common) config() server.Config {
	base := c.BaseURL
	if base == "" {
		base = "http://" + c.Addr
	}
	return server.Config{DataDir: c.Data, Database: c.Database, SecretKey: c.SecretKey, Domain: c.DeploymentDomain, BaseURL: base,
		DB: server.DBConfig{MaxConns: c.DBMaxConns, StatementTimeout: c.DBStatementTimeout, TxRetries: c.DBTxRetries}}
}

// serverConfig is the server's configuration from serve's flags.
func (s *serveCmd) serverConfig() server.Config {
	cfg := s.config()
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	cfg.SMTP, cfg.MailFrom, cfg.PasscodeTTL, cfg.SessionTTL, cfg.Profile = s.SMTP, s.MailFrom, s.PasscodeTTL, s.SessionTTL, s.Profile
	cfg.OperatorToken = s.OperatorToken
	cfg.AdminSessions = adminsession.Lifetimes{Idle: s.AdminSessionIdle, Absolute: s.AdminSessionMax}
	cfg.TrustedProxies = s.TrustedProxies
	cfg.SigningAlg, cfg.KeyRotation = s.SigningAlg, s.KeyRotation
	cfg.RefreshMaxLifetime = s.RefreshMaxLifetime
	cfg.AuthorizeLimit = s.AuthorizeLimit
	cfg.InviteMail = &invite.MailLimits{PerHour: s.InviteMailsPerHour, PerRecipientDay: s.InviteMailsPerRecipient}
	cfg.Passcode.ClientHourlySends, cfg.Passcode.HourlySends = s.OTPMailsPerClient, s.OTPMailsPerAddress
	cfg.Passcode.ClientAttempts = s.OTPAttemptsPerClient
	cfg.PasswordCost = server.PasswordCost{MemoryKiB: s.PasswordMemoryKiB, Time: s.PasswordTime}
	cfg.OTPAutoEnable = s.OTPAutoEnableDate.Time
	cfg.AuditRetention = s.AuditRetention
	cfg.Federation = server.FederationConfig{Timeout: s.FederationTimeout, MetadataRefresh: s.FederationMetadataRefresh,
		ClockSkew: s.SAMLClockSkew, GoogleDiscoveryURL: s.GoogleDiscoveryURL, AllowInsecureHTTP: s.FederationAllowHTTP}
	return cfg
}

func (s *serveCmd) Run(ctx context.Context, log *slog.Logger) error {
	cfg := s.serverConfig()
	if err := s.checkMailbox(log, cfg.BaseURL); err != nil {
		return err
	}
	token, tokenFrom, err := s.operatorToken(os.Stderr)
	if err != nil {
		return err
	}
	cfg.OperatorToken = token
	srv, err := server.New(ctx, cfg, server.Deps{Logger: log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		srv.Close()
		return err
	}
	stopMetrics, err := serveMetrics(s.MetricsAddr, srv.Metrics, log)
	if err != nil {
		ln.Close()
		srv.Close()
		return err
	}
	defer stopMetrics()
	workers, stopWorkers := context.WithCancel(context.Background())
	srv.Start(workers)
	hs := &http.Server{Handler: srv.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	logStartup(log, startup{addr: ln.Addr().String(), cfg: cfg, devMail: srv.DevMail, tokenFrom: tokenFrom})
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err = <-errc:
	case <-ctx.Done():
		log.Info("shutting down: draining requests")
		shut, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err = hs.Shutdown(shut)
		cancel()
	}
	stopWorkers()
	if cerr := srv.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func redactURL(s string) string {
	if i := strings.Index(s, "@"); i > 0 && strings.Contains(s, "://") {
		return s[:strings.Index(s, "://")+3] + "…" + s[i:]
	}
	return s
}

func (m *migrateCmd) Run(ctx context.Context) error {
	if m.Database == "" && m.SecretKey == "" {
		// migrate sets up a deployment as serve does: the SQLite file and
		// the key the other commands then find beside it.
		if _, err := platform.LoadOrCreateKey("", m.Data); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(m.Data, 0o700); err != nil && m.Database == "" {
		return err
	}
	dsn := m.config().DatabaseURL()
	res, err := sqlstore.Migrate(ctx, dsn)
	if err != nil {
		return err
	}
	fmt.Print(migrationText(redactURL(dsn), res))
	return nil
}

// migrationText tells the operator which database migrate worked on and
// what it did to the schema, so an upgrade step can be checked by reading.
func migrationText(db string, m *sqlstore.Migration) string {
	if len(m.Applied) == 0 {
		return fmt.Sprintf("database: %s\nschema version %d: already up to date\n", db, m.After)
	}
	noun := "migrations"
	if len(m.Applied) == 1 {
		noun = "migration"
	}
	return fmt.Sprintf("database: %s\nschema version %d -> %d: applied %d %s\n", db, m.Before, m.After, len(m.Applied), noun)
}

// quietServer opens the deployment c names for a command other than
// serve: one that exists (it never makes a new data directory, database or
// key), saying on stderr which database it is.
func quietServer(ctx context.Context, c common, log *slog.Logger) (*server.Server, error) {
	if err := c.existing(); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "database: %s\n", redactURL(c.config().DatabaseURL()))
	return server.New(ctx, c.config(), server.Deps{Logger: log})
}

func (t *tenantCreateCmd) Run(ctx context.Context, log *slog.Logger) error {
	srv, err := quietServer(ctx, t.common, log)
	if err != nil {
		return err
	}
	defer srv.Close()
	c, admin, err := srv.Admins.CreateTenant(ctx,
		tenants.Request{DisplayName: t.Name, Domains: t.Domain, DefaultLanguage: t.Language}, t.AdminEmail)
	if err != nil {
		return err
	}
	fmt.Printf("tenant id:      %s\ninitial domain: %s\ndomains:        %s\nadmin app id:   %s\nclient secret:  %s\n",
		c.Tenant.ID, c.Tenant.InitialDomain, strings.Join(c.Tenant.Domains, ", "), c.AppID, string(c.ClientSecret))
	if admin != nil {
		printAdmin(admin)
	}
	return nil
}

func (c *tenantSecretCmd) Run(ctx context.Context, log *slog.Logger) error {
	srv, err := quietServer(ctx, c.common, log)
	if err != nil {
		return err
	}
	defer srv.Close()
	t, err := srv.Tenants.Resolve(ctx, c.Tenant)
	if err != nil {
		return err
	}
	appID, secret, err := srv.Tenants.NewAdminSecret(ctx, t.ID)
	if err != nil {
		return err
	}
	fmt.Printf("tenant id:      %s\nadmin app id:   %s\nclient secret:  %s\n", t.ID, appID, string(secret))
	return nil
}

func (i *inviteCmd) Run(ctx context.Context, log *slog.Logger) error {
	srv, err := quietServer(ctx, i.common, log)
	if err != nil {
		return err
	}
	defer srv.Close()
	t, err := srv.Tenants.Resolve(ctx, i.Tenant)
	if err != nil {
		return err
	}
	res, err := srv.Invites.Invite(ctx, t, invite.Request{Email: i.Email, RedirectURL: i.RedirectURL,
		DisplayName: i.DisplayName, SendInvitationMessage: i.Send})
	if err != nil {
		return err
	}
	fmt.Printf("user id:    %s\nstatus:     %s\nredeem url: %s\n", res.User.ID, res.Invitation.Status, res.RedeemURL)
	if i.Send {
		fmt.Fprintf(os.Stderr, "the invitation mail is queued; a running server of this deployment sends it, with links to %s\n", strings.TrimSuffix(i.config().BaseURL, "/"))
	}
	return nil
}
