package tenants

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"guestlist/internal/core"
	"guestlist/internal/i18n"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

// ClientSecretPurpose is the keyring purpose client secrets are hashed
// under; the token endpoint checks secrets with the same purpose.
const ClientSecretPurpose = "client-secret"

// Service creates tenants.
type Service struct {
	st     store.Store
	keys   *platform.Keyring
	now    platform.Clock
	domain string // deployment domain, e.g. guestlist.localhost
	// personal: the deployment offers personal accounts, so it has a
	// consumers tenant (R10 steps 4 and 6; not on the government
	// profile, R40).
	personal bool
}

// New returns a Service; domain is the deployment domain that initial
// domains are made under; personal says whether the deployment offers
// personal accounts (policy.Deployment.PersonalAccounts).
func New(st store.Store, keys *platform.Keyring, now platform.Clock, domain string, personal bool) *Service {
	return &Service{st: st, keys: keys, now: now, domain: domain, personal: personal}
}

// Request is what an operator gives for a new tenant.
type Request struct {
	DisplayName     string
	Domains         []string
	DefaultLanguage string
	// Then, if set, runs in the transaction that creates the tenant, after
	// the tenant and its admin application are written: what it writes
	// commits with them, and its error undoes them all (the first
	// administrator, R43).
	Then func(ctx context.Context, tx store.Tx, t *core.Tenant) error
}

// Created is a new tenant with its admin application's credentials; the
// secret is not stored and cannot be shown again.
type Created struct {
	Tenant       core.Tenant
	AppID        string
	ClientSecret platform.Secret
}

// Create validates r and stores the tenant and its admin application in one
// transaction. Errors: core.ErrInvalid, core.ErrConflict (a domain is taken).
func (s *Service) Create(ctx context.Context, r Request) (*Created, error) {
	name := strings.TrimSpace(r.DisplayName)
	if name == "" || len(name) > 256 {
		return nil, core.Invalidf("displayName is required (at most 256 characters)")
	}
	if !core.OneLine(name) {
		return nil, core.Invalidf("displayName must be one line without control characters")
	}
	seen := map[string]bool{}
	var domains []string
	for _, d := range r.Domains {
		n, err := core.DomainName(d)
		if err != nil {
			return nil, err
		}
		if strings.HasSuffix(n, "."+s.domain) || n == s.domain {
			return nil, core.Invalidf("%q is under the deployment's own domain and cannot be verified", d)
		}
		if !seen[n] {
			seen[n] = true
			domains = append(domains, n)
		}
	}
	lang := "en"
	if r.DefaultLanguage != "" {
		lang = supported(r.DefaultLanguage)
		if lang == "" {
			return nil, core.Invalidf("defaultLanguage must be one of %s", strings.Join(i18n.Languages, ", "))
		}
	}
	now := s.now()
	t := core.Tenant{
		ID: uuid.NewString(), DisplayName: name, Domains: domains, DefaultLanguage: lang,
		EmailOTP: core.OTPDefault, CreatedAt: now,
	}
	app := core.Application{
		TenantID: t.ID, AppID: uuid.NewString(), ID: uuid.NewString(), ServicePrincipalID: uuid.NewString(),
		DisplayName: name + " administration", IsAdmin: true, CreatedAt: now,
	}
	// The first secret does not expire: the operator hands it over once,
	// and the administrator can add expiring ones and remove it (Graph's
	// addPassword, removePassword).
	cred, secret := NewAppSecret(s.keys, t.ID, app.AppID, "Initial secret", now, time.Time{})
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		initial, err := s.freeInitialDomain(ctx, tx, core.Slug(name))
		if err != nil {
			return err
		}
		t.InitialDomain = initial
		if err := tx.CreateTenant(ctx, &t); err != nil {
			return err
		}
		if err := tx.CreateApplication(ctx, &app); err != nil {
			return err
		}
		if err := tx.AddAppSecret(ctx, cred); err != nil {
			return err
		}
		if r.Then != nil {
			return r.Then(ctx, tx, &t)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Created{Tenant: t, AppID: app.AppID, ClientSecret: secret}, nil
}

// freeInitialDomain picks slug.<domain>, or slug2, slug3 … when taken.
func (s *Service) freeInitialDomain(ctx context.Context, tx store.Tx, slug string) (string, error) {
	for i := 1; i < 1000; i++ {
		cand := slug + "." + s.domain
		if i > 1 {
			cand = fmt.Sprintf("%s%d.%s", slug, i, s.domain)
		}
		if cand == s.consumersDomain() {
			continue // reserved, even before the consumers tenant exists
		}
		_, err := tx.TenantByDomain(ctx, cand)
		if errors.Is(err, core.ErrNotFound) {
			return cand, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", core.Errorf(core.ErrConflict, "Request_MultipleObjectsWithSameKeyFound", "no free initial domain for %q", slug)
}

func supported(lang string) string {
	for _, l := range i18n.Languages {
		if strings.EqualFold(l, lang) {
			return l
		}
	}
	return ""
}

// Get returns a tenant the operator administers, by id; the consumers
// tenant is the deployment's own and is not one of them.
func (s *Service) Get(ctx context.Context, id string) (*core.Tenant, error) {
	if isConsumers(id) {
		return nil, core.NotFoundf("tenant %s not found", id)
	}
	return s.st.GetTenant(ctx, id)
}

// List returns every tenant the operator administers: all but the
// consumers tenant.
func (s *Service) List(ctx context.Context) ([]core.Tenant, error) {
	all, err := s.st.ListTenants(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(t core.Tenant) bool { return isConsumers(t.ID) }), nil
}

// Delete removes a tenant and everything in it. The consumers tenant is
// refused: deleting it would delete every personal account.
func (s *Service) Delete(ctx context.Context, id string) error {
	if isConsumers(id) {
		return core.Errorf(core.ErrForbidden, "Authorization_RequestDenied",
			"the personal accounts tenant belongs to the deployment and cannot be deleted")
	}
	return s.st.DeleteTenant(ctx, id)
}

// Resolve finds a tenant from the {tenant} segment of a URL: its id or any
// of its domains (SPEC R30), or "consumers" for the tenant of personal
// accounts where the deployment offers them (R10 steps 4 and 6, R40).
func (s *Service) Resolve(ctx context.Context, ref string) (*core.Tenant, error) {
	if strings.EqualFold(ref, core.ConsumersName) {
		ref = core.ConsumersTenantID
	}
	t, err := s.resolve(ctx, ref)
	if err == nil && t.ID == core.ConsumersTenantID && !s.personal {
		return nil, core.NotFoundf("tenant %q not found", ref)
	}
	return t, err
}

func (s *Service) resolve(ctx context.Context, ref string) (*core.Tenant, error) {
	if _, err := uuid.Parse(ref); err == nil {
		return s.st.GetTenant(ctx, strings.ToLower(ref))
	}
	d, err := core.DomainName(ref)
	if err != nil {
		return nil, core.NotFoundf("tenant %q not found", ref)
	}
	return s.st.TenantByDomain(ctx, d)
}

// NewAdminSecret adds a client secret to the tenant's admin application,
// for an operator whose administrators lost theirs: the old secrets keep
// working until an administrator removes them (removePassword). Like the
// first, it does not expire. Errors: core.ErrNotFound (no such tenant).
func (s *Service) NewAdminSecret(ctx context.Context, tenantID string) (appID string, secret platform.Secret, err error) {
	t, err := s.st.GetTenant(ctx, tenantID)
	if err != nil {
		return "", "", err
	}
	apps, err := s.st.ListApplications(ctx, t.ID)
	if err != nil {
		return "", "", err
	}
	for _, a := range apps {
		if !a.IsAdmin {
			continue
		}
		now := s.now()
		cred, secret := NewAppSecret(s.keys, t.ID, a.AppID, "Issued by the operator "+now.UTC().Format("2006-01-02"), now, time.Time{})
		if err := s.st.AddAppSecret(ctx, cred); err != nil {
			return "", "", err
		}
		return a.AppID, secret, nil
	}
	return "", "", core.NotFoundf("the tenant %s has no admin application", tenantID)
}
