package server

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"guestlist/internal/admins"
	"guestlist/internal/adminsession"
	"guestlist/internal/apps"
	"guestlist/internal/branding"
	"guestlist/internal/compose"
	"guestlist/internal/console"
	"guestlist/internal/core"
	"guestlist/internal/graph"
	"guestlist/internal/i18n"
	"guestlist/internal/idp"
	"guestlist/internal/idp/account"
	"guestlist/internal/idp/federation"
	"guestlist/internal/idp/google"
	"guestlist/internal/idp/home"
	"guestlist/internal/idp/member"
	"guestlist/internal/idp/oidcfed"
	"guestlist/internal/idp/otp"
	"guestlist/internal/idp/personal"
	"guestlist/internal/idp/saml"
	"guestlist/internal/invite"
	"guestlist/internal/mail"
	"guestlist/internal/mfa"
	"guestlist/internal/oidcop"
	"guestlist/internal/operator"
	"guestlist/internal/passcode"
	"guestlist/internal/password"
	"guestlist/internal/platform"
	"guestlist/internal/policy"
	"guestlist/internal/providers"
	"guestlist/internal/redeem"
	"guestlist/internal/roles"
	"guestlist/internal/store"
	"guestlist/internal/store/sqlstore"
	"guestlist/internal/tenants"
	"guestlist/internal/users"
	"guestlist/internal/web"
)

// Server is one assembled guestlist process.
type Server struct {
	Handler http.Handler
	Store   store.Store
	Tenants *tenants.Service
	// Admins names first administrators and mails their set-password
	// links (R43).
	Admins  *admins.Service
	Invites *invite.Service
	Worker  *mail.Worker
	Keys    *oidcop.Keys
	// Provider is the OpenID provider (exposed for the load driver's setup).
	Provider *oidcop.Provider
	// SAML is the SAML service provider; the admin API checks partners'
	// settings and metadata with it.
	SAML *saml.Protocol
	// OIDCFed speaks OpenID Connect to partners and Google; the admin
	// API checks a provider with it before saving (oidcfed.Check).
	OIDCFed *oidcfed.Protocol
	DevMail bool // outgoing mail stays in the dev mailbox
	// Metrics serves the Prometheus registry. It is not part of Handler:
	// the process's metrics are served on their own (loopback) address.
	Metrics http.Handler

	cfg       Config
	deps      Deps
	clientIPs *platform.ClientIPs
	probe     writeProbe
	log       *slog.Logger
	wg        sync.WaitGroup
}

// DatabaseURL is the database a configuration names: Database, or the
// SQLite file in DataDir.
func (c Config) DatabaseURL() string {
	if c.Database != "" {
		return c.Database
	}
	return filepath.Join(c.DataDir, "guestlist.db")
}

// New opens the store (applying migrations), loads or creates the keys and
// builds every surface. Close releases the store.
func New(ctx context.Context, cfg Config, deps Deps) (*Server, error) {
	if deps.Now == nil {
		deps.Now = platform.SystemClock
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Registry == nil {
		deps.Registry = prometheus.NewRegistry()
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	key, err := platform.LoadOrCreateKey(cfg.SecretKey, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	ring, err := platform.NewKeyring(key)
	if err != nil {
		return nil, err
	}
	if cfg.Database == "" {
		// The key may come from --secret-key, so nothing has made the
		// directory yet; SQLite would only say "unable to open (14)".
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	st, err := sqlstore.Open(ctx, cfg.DatabaseURL(), sqlstore.Options{Logger: deps.Logger, Migrate: true,
		MaxConns: cfg.DB.MaxConns, StatementTimeout: cfg.DB.StatementTimeout, TxRetries: cfg.DB.TxRetries})
	if err != nil && cfg.Database == "" {
		return nil, fmt.Errorf("open database %s: %w", cfg.DatabaseURL(), err)
	} else if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := checkKey(ctx, st, ring); err != nil {
		st.Close()
		return nil, err
	}
	s := &Server{Store: st, cfg: cfg, deps: deps, log: deps.Logger}
	if s.clientIPs, err = platform.NewClientIPs(cfg.TrustedProxies); err != nil {
		st.Close()
		return nil, fmt.Errorf("--trusted-proxies: %w", err)
	}
	if err := s.build(ctx, ring); err != nil {
		st.Close()
		return nil, err
	}
	return s, nil
}

// checkKey makes sure this process hashes secrets with the same server key
// as every other process of the deployment: otherwise codes, cookies and
// client secrets issued by one would fail on another, quietly.
func checkKey(ctx context.Context, st store.Store, ring *platform.Keyring) error {
	mine := ring.Hash("key-check", "guestlist")
	stored, err := st.KeyCheck(ctx, mine)
	if err != nil {
		return err
	}
	if !hmac.Equal(stored, mine) {
		return errors.New("the server key differs from the one this database was set up with: " +
			"every process of a deployment must use the same key (GUESTLIST_SECRET_KEY, or the same secret.key file)")
	}
	return nil
}

func (c *Config) check() error {
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return fmt.Errorf("--base-url must be an http(s) URL with no path, got %q", c.BaseURL)
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	if c.Domain == "" {
		c.Domain = "guestlist.localhost"
	}
	if c.Profile == "" {
		c.Profile = policy.ProfilePublic
	}
	if c.Profile != policy.ProfilePublic && c.Profile != policy.ProfileGovernment {
		return fmt.Errorf("--profile must be public or government")
	}
	if c.MailFrom == "" {
		c.MailFrom = "guestlist@" + u.Hostname()
		if !strings.Contains(u.Hostname(), ".") {
			c.MailFrom = "guestlist@" + c.Domain
		}
	}
	if c.PasscodeTTL > 0 {
		c.Passcode.TTL = c.PasscodeTTL
	}
	c.Federation.defaults()
	return nil
}

func (s *Server) build(ctx context.Context, ring *platform.Keyring) error {
	cfg, deps, st := s.cfg, s.deps, s.Store
	cat, err := i18n.New()
	if err != nil {
		return err
	}
	mails, err := compose.New(cat)
	if err != nil {
		return err
	}
	sender := deps.Sender
	if sender == nil {
		if cfg.SMTP == "" {
			sender, s.DevMail = mail.DevSender{}, true
		} else if sender, err = mail.NewSMTPSender(cfg.SMTP, cfg.MailFrom, deps.SMTPOpts...); err != nil {
			return err
		}
	}
	wopts := deps.MailWorker
	wopts.Now = deps.Now
	wopts.KeepBodies = s.DevMail
	if wopts.Metrics, err = mail.NewMetrics(deps.Registry); err != nil {
		return err
	}
	s.Worker = mail.NewWorker(st, sender, deps.Logger, wopts)

	keys, err := oidcop.NewKeys(ctx, st, deps.Now, oidcop.KeyPolicy{
		Algorithm: jose.SignatureAlgorithm(cfg.SigningAlg), RotateAfter: cfg.KeyRotation,
	})
	if err != nil {
		return err
	}
	s.Keys = keys
	deploy := policy.Deployment{Profile: cfg.Profile, OTPAutoEnable: cfg.OTPAutoEnable}
	s.Tenants = tenants.New(st, ring, deps.Now, cfg.Domain, deploy.PersonalAccounts())
	if deploy.PersonalAccounts() {
		// Personal accounts live in the consumers tenant (R10 steps 4
		// and 6), so it exists before the first request is served.
		if _, err := s.Tenants.EnsureConsumers(ctx); err != nil {
			return err
		}
	}
	limits := invite.DefaultMailLimits()
	if cfg.InviteMail != nil {
		limits = *cfg.InviteMail
	}
	s.Invites = invite.New(st, ring, deps.Now, cat, mails, cfg.BaseURL, s.Worker.Notify, limits)
	codeMetrics, err := passcode.NewMetrics(deps.Registry)
	if err != nil {
		return err
	}
	codes := passcode.New(st, ring, deps.Now, mails, cfg.Passcode, s.Worker.Notify, deps.Logger, codeMetrics)
	hasher, err := newHasher(cfg.PasswordCost)
	if err != nil {
		return err
	}
	accounts := account.New(st, hasher, deps.Now)
	methods := []idp.Method{otp.New(codes, deploy, deps.Now), home.New(st, accounts), member.New(accounts)}
	if deploy.PersonalAccounts() {
		methods = append(methods, personal.New(st, accounts))
	}
	broker := federation.NewBroker(st, ring, deps.Now, s.federationProtocols(ring))
	methods = append(methods, broker.Method(core.MethodFederation, federation.ByDomain),
		broker.Method(core.MethodGoogle, google.Find))
	flows := redeem.New(st, ring, deps.Now, deploy, redeem.Config{SessionTTL: cfg.SessionTTL,
		Passwords: redeem.PasswordRules{Hash: hasher.Hash, Check: password.Check}, Callback: broker}, methods...)
	tokens := oidcop.NewVerifier(keys, deps.Now, cfg.BaseURL)
	// The provider is built before the pages (they hand sign-ins back to
	// it); its refusals are shown by the pages once both exist.
	var pages *web.Pages
	provider, err := oidcop.NewProvider(st, keys, ring, deps.Now, s.Tenants, cfg.BaseURL, deps.Logger, oidcop.Options{
		LoginPath: func(tenantID, requestID string) string {
			return "/" + tenantID + "/signin/authorize?request=" + url.QueryEscape(requestID)
		},
		Access:         flows,
		Lifetimes:      oidcop.Lifetimes{RefreshFamily: cfg.RefreshMaxLifetime},
		LogoutPath:     func(tenantID string) string { return "/" + tenantID + "/signout" },
		AuthorizeLimit: cfg.AuthorizeLimit,
		RefusalPage: func(w http.ResponseWriter, r *http.Request, t *core.Tenant, why oidcop.Refusal) {
			pages.Refused(w, r, t, refusals[why])
		},
	})
	if err != nil {
		return err
	}
	s.Provider = provider
	people := users.New(st, deps.Now, hasher, password.Check)
	directoryRoles := roles.New(st, deps.Now)
	s.Admins = admins.New(st, ring, deps.Now, mails, s.Tenants, people, directoryRoles,
		admins.PasswordRules{Hash: hasher.Hash, Check: password.Check}, cfg.BaseURL, s.Worker.Notify)
	pages, err = web.New(s.Tenants, flows, codes, provider, cat, cfg.BaseURL, deps.Logger)
	if err != nil {
		return err
	}
	pages.SetAdmins(s.Admins)
	brand := branding.New(st, deps.Now)
	pages.UseBranding(brand)
	appSvc := apps.New(st, ring, deps.Now)
	idps := providers.New(st, ring, deps.Now, s.providerChecks())
	admin, err := console.New(console.Deps{Tenants: s.Tenants, Store: st, Invites: s.Invites, Users: people,
		Apps: appSvc, Flows: flows, Deploy: deploy, Providers: idps, MFA: mfa.New(st, ring, deps.Now), Branding: brand, Catalog: cat, Log: deps.Logger, Now: deps.Now, BaseURL: cfg.BaseURL,
		Sessions: adminsession.New(st, ring, deps.Now, accounts, cfg.AdminSessions)})
	if err != nil {
		return err
	}
	s.Handler = s.routes(pages, admin, provider, graph.New(st, ring, tokens, s.Invites, people, appSvc, flows, idps, directoryRoles, deploy, deps.Now, cfg.BaseURL, deps.Logger))
	return nil
}

// refusals names the provider's refused requests as the pages do.
var refusals = map[oidcop.Refusal]web.Refusal{
	oidcop.RefusedClient:      web.RefusedClient,
	oidcop.RefusedRedirectURI: web.RefusedRedirectURI,
	oidcop.RefusedRequest:     web.RefusedRequest,
}

func (s *Server) routes(pages *web.Pages, admin *console.Console, provider *oidcop.Provider, api *graph.API) http.Handler {
	mux := http.NewServeMux()
	pages.Routes(mux)
	admin.Routes(mux)
	api.Routes(mux)
	operator.New(s.Tenants, s.Admins, platform.Secret(s.cfg.OperatorToken), s.log).Routes(mux)
	provider.Routes(mux)
	s.SAML.Routes(mux, s.Tenants.Resolve)
	if s.DevMail {
		mux.Handle("GET /dev/mail", mail.DevMailboxHandler(s.Store, s.log))
		mux.Handle("GET /dev/mail/", mail.DevMailboxHandler(s.Store, s.log))
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", s.ready)
	reg := s.deps.Registry
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if st, ok := s.Store.(*sqlstore.Store); ok {
		// What the database is asked to do: statements and explicit
		// transactions (a round trip each, plus BEGIN and COMMIT).
		reg.MustRegister(
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "guestlist_db_statements_total",
				Help: "SQL statements run (queries and writes; BEGIN and COMMIT not counted)."},
				func() float64 { return float64(st.Stats().Statements) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "guestlist_db_transactions_total",
				Help: "Explicit database transactions begun."},
				func() float64 { return float64(st.Stats().Transactions) }))
	}
	s.Metrics = promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("guestlist is running. Guests arrive through the links in their invitations.\n"))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/v1.0/") || strings.HasPrefix(r.URL.Path, "/beta/") || strings.HasPrefix(r.URL.Path, "/operator/") || strings.Contains(r.URL.Path, "/oauth2/") {
			platform.WriteError(w, r, s.log, notFound(r))
			return
		}
		pages.NotFound(w, r)
	})
	secured := platform.SecurityHeaders(mux, strings.HasPrefix(s.cfg.BaseURL, "https://"))
	return platform.RequestIDs(platform.Middleware(s.clientIPs.Handler(secured), s.log, reg), s.deps.Now)
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.Store.Ping(ctx); err != nil {
		s.log.Warn("readyz: database unreachable", "err", err)
		http.Error(w, "database unreachable", http.StatusServiceUnavailable)
		return
	}
	// Reads alone do not show that the process can work: a full disk or a
	// stuck write lock still answers pings. One row, rewritten in place,
	// within the same time bound.
	if p, ok := s.Store.(store.Prober); ok {
		if err := s.probe.run(ctx, p, s.deps.Now()); err != nil {
			s.log.Warn("readyz: database refuses writes", "err", err)
			http.Error(w, "database refuses writes", http.StatusServiceUnavailable)
			return
		}
	}
	w.Write([]byte("ready\n"))
}

// Start runs the background workers until ctx ends; Close waits for them.
func (s *Server) Start(ctx context.Context) {
	s.wg.Add(3)
	go func() { defer s.wg.Done(); s.Worker.Run(ctx) }()
	go func() { defer s.wg.Done(); s.prune(ctx) }()
	go func() { defer s.wg.Done(); s.refreshMetadata(ctx) }()
}

// prune deletes expired flows, codes, sessions and old throttle events,
// and keeps the signing keys current.
func (s *Server) prune(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// A day back: throttle events count over windows up to a day
			// (invitation mail per recipient).
			if err := s.Store.Prune(ctx, s.deps.Now().Add(-25*time.Hour)); err != nil && !errors.Is(err, context.Canceled) {
				s.log.Warn("prune", "err", err)
			}
			s.pruneLogs(ctx)
			// Picks up a key another process rotated to, and rotates
			// when the signing key is due.
			if err := s.Keys.Maintain(ctx); err != nil && !errors.Is(err, context.Canceled) {
				s.log.Warn("signing keys", "err", err)
			}
		}
	}
}

// Close waits for the workers (after their context ended) and closes the
// store.
func (s *Server) Close() error {
	s.wg.Wait()
	return s.Store.Close()
}

// newHasher is the password hasher of the configured cost.
func newHasher(c PasswordCost) (*password.Hasher, error) {
	p := password.Default()
	if c.MemoryKiB != 0 {
		p.Memory = c.MemoryKiB
	}
	if c.Time != 0 {
		p.Time = c.Time
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("password cost: %w", err)
	}
	return password.NewHasher(p), nil
}

// pruneLogs deletes audit and sign-in records older than the retention.
func (s *Server) pruneLogs(ctx context.Context) {
	keep := s.cfg.AuditRetention
	if keep <= 0 {
		keep = DefaultAuditRetention
	}
	if err := s.Store.PruneLogs(ctx, s.deps.Now().Add(-keep)); err != nil && !errors.Is(err, context.Canceled) {
		s.log.Warn("prune audit logs", "err", err)
	}
}
