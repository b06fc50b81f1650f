package apps

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/store"
	"guestlist/internal/tenants"
)

// Secrets: what addPassword gives when the caller says nothing, and how
// many an application may hold (enough to rotate, not a dumping ground).
const (
	DefaultSecretLifetime = 2 * 365 * 24 * time.Hour
	MaxSecrets            = 20
)

// DefaultRole is the id of the only app role: Graph's default access,
// "assigned to the application".
const DefaultRole = "00000000-0000-0000-0000-000000000000"

// Service registers applications, their secrets and their assignments.
type Service struct {
	st   store.Store
	keys *platform.Keyring
	now  platform.Clock
}

// New returns a Service; keys hashes client secrets.
func New(st store.Store, keys *platform.Keyring, now platform.Clock) *Service {
	return &Service{st: st, keys: keys, now: now}
}

func forbidden(format string, args ...any) error {
	return core.Errorf(core.ErrForbidden, "Authorization_RequestDenied", format, args...)
}

// Create validates a (display name, redirect URIs, home page) and stores
// it as a new application of the tenant with new client, object and
// service principal ids. Errors: core.ErrInvalid.
func (s *Service) Create(ctx context.Context, tenantID string, a core.Application) (*core.Application, error) {
	if err := Validate(&a); err != nil {
		return nil, err
	}
	a.TenantID, a.IsAdmin, a.SecretHash, a.CreatedAt = tenantID, false, nil, s.now()
	a.AppID, a.ID, a.ServicePrincipalID = uuid.NewString(), uuid.NewString(), uuid.NewString()
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		if err := audit.Record(ctx, tx, a.CreatedAt, tenantID, audit.AddApplication, audit.App(&a)); err != nil {
			return err
		}
		return tx.CreateApplication(ctx, &a)
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// Update validates a and writes its display name, redirect URIs and home
// page. Errors: core.ErrInvalid, core.ErrNotFound.
func (s *Service) Update(ctx context.Context, a *core.Application) error {
	if err := Validate(a); err != nil {
		return err
	}
	return s.st.InTx(ctx, func(tx store.Tx) error {
		if err := audit.Record(ctx, tx, s.now(), a.TenantID, audit.UpdateApplication, audit.App(a)); err != nil {
			return err
		}
		return tx.UpdateApplication(ctx, a)
	})
}

// Delete removes an application (by object id) with its secrets and
// assignments, and revokes every token issued to it in the same
// transaction. The admin application cannot be deleted: the tenant's
// Graph access depends on it. Errors: core.ErrNotFound, core.ErrForbidden.
func (s *Service) Delete(ctx context.Context, tenantID, objectID string) error {
	return s.st.InTx(ctx, func(tx store.Tx) error {
		a, err := tx.ApplicationByID(ctx, tenantID, objectID)
		if err != nil {
			return err
		}
		if a.IsAdmin {
			return forbidden("the admin application %s cannot be deleted: the tenant's administration API signs in with it", a.AppID)
		}
		if err := tx.DeleteApplication(ctx, tenantID, a.AppID); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, s.now(), tenantID, audit.DeleteApplication, audit.App(a)); err != nil {
			return err
		}
		return tx.EndAppAccess(ctx, tenantID, a.AppID, s.now())
	})
}

// AddPassword makes a new client secret for the application (by object
// id), valid from now until end (zero: DefaultSecretLifetime from now).
// The secret is returned once and stored only as a keyed hash.
// Errors: core.ErrNotFound, core.ErrInvalid (end not in the future, a
// display name too long, MaxSecrets reached).
func (s *Service) AddPassword(ctx context.Context, tenantID, objectID, displayName string, end time.Time) (*core.AppSecret, platform.Secret, error) {
	now := s.now()
	if end.IsZero() {
		end = now.Add(DefaultSecretLifetime)
	} else if !end.After(now) {
		return nil, "", core.Invalidf("passwordCredential.endDateTime must be in the future")
	}
	displayName = strings.TrimSpace(displayName)
	if utf8.RuneCountInString(displayName) > MaxDisplayName {
		return nil, "", core.Invalidf("passwordCredential.displayName must be at most %d characters", MaxDisplayName)
	}
	var cred *core.AppSecret
	var secret platform.Secret
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		a, err := tx.ApplicationByID(ctx, tenantID, objectID)
		if err != nil {
			return err
		}
		if err := tx.Lock(ctx, tenantID, "app-secrets:"+a.AppID); err != nil {
			return err
		}
		have, err := tx.AppSecrets(ctx, tenantID, a.AppID)
		if err != nil {
			return err
		}
		if len(have) >= MaxSecrets {
			return core.Invalidf("the application already has %d password credentials; remove one first", len(have))
		}
		cred, secret = tenants.NewAppSecret(s.keys, tenantID, a.AppID, displayName, now, end)
		if err := audit.Record(ctx, tx, now, tenantID, audit.UpdateSecrets, audit.App(a, keyDescription(cred.KeyID, displayName, true))); err != nil {
			return err
		}
		return tx.AddAppSecret(ctx, cred)
	})
	if err != nil {
		return nil, "", err
	}
	return cred, secret, nil
}

// RemovePassword deletes the application's secret keyID. The admin
// application keeps at least one unexpired secret, so the administrator
// cannot lock the tenant's administration out. Errors: core.ErrNotFound,
// core.ErrForbidden.
func (s *Service) RemovePassword(ctx context.Context, tenantID, objectID, keyID string) error {
	return s.st.InTx(ctx, func(tx store.Tx) error {
		a, err := tx.ApplicationByID(ctx, tenantID, objectID)
		if err != nil {
			return err
		}
		if err := tx.Lock(ctx, tenantID, "app-secrets:"+a.AppID); err != nil {
			return err
		}
		if a.IsAdmin {
			if err := s.keepsOneSecret(ctx, tx, a, keyID); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, s.now(), tenantID, audit.UpdateSecrets, audit.App(a, keyDescription(keyID, "", false))); err != nil {
			return err
		}
		return tx.RemoveAppSecret(ctx, tenantID, a.AppID, keyID)
	})
}

// keepsOneSecret: the admin application must have an unexpired secret
// other than keyID.
func (s *Service) keepsOneSecret(ctx context.Context, tx store.Tx, a *core.Application, keyID string) error {
	have, err := tx.AppSecrets(ctx, a.TenantID, a.AppID)
	if err != nil {
		return err
	}
	now := s.now()
	for _, k := range have {
		if k.KeyID != keyID && (k.EndAt.IsZero() || now.Before(k.EndAt)) {
			return nil
		}
	}
	for _, k := range have {
		if k.KeyID == keyID {
			return forbidden("this is the admin application's last valid secret: add another (addPassword) before removing it")
		}
	}
	return nil // not one of its secrets: RemoveAppSecret says not found
}

// Assignment is an assignment with the user and application it joins.
type Assignment struct {
	core.Assignment
	User *core.User
	App  *core.Application
}

// Assign gives the user access to the application whose service principal
// is resourceID, whatever the user's state (a pending guest keeps the
// assignment when they redeem). Errors: core.ErrNotFound (user or
// resource), core.ErrInvalid (the admin application, or already
// assigned).
func (s *Service) Assign(ctx context.Context, tenantID, userID, resourceID string) (*Assignment, error) {
	var out Assignment
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, tenantID, userID)
		if err != nil {
			return err
		}
		a, err := tx.ApplicationByServicePrincipal(ctx, tenantID, resourceID)
		if errors.Is(err, core.ErrNotFound) {
			return core.NotFoundf("resourceId %s is not a service principal of this tenant", resourceID)
		} else if err != nil {
			return err
		}
		if a.IsAdmin {
			return core.Invalidf("the admin application cannot be assigned to users: it signs in as itself")
		}
		out = Assignment{User: u, App: a, Assignment: core.Assignment{
			TenantID: tenantID, ID: uuid.NewString(), UserID: u.ID, AppID: a.AppID, CreatedAt: s.now(),
		}}
		if err := audit.Record(ctx, tx, s.now(), tenantID, audit.AddAssignment, audit.User(u), audit.ServicePrincipal(a)); err != nil {
			return err
		}
		return tx.CreateAssignment(ctx, &out.Assignment)
	})
	if errors.Is(err, core.ErrConflict) {
		// Graph answers a duplicate assignment with 400, not 409.
		return nil, core.Invalidf("Permission being assigned already exists on the object: the user is already assigned to this application")
	}
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Assignments lists one page of the user's assignments (oldest first)
// with their applications; one whose application went between the reads
// is left out, so a page may come out short. Errors: core.ErrNotFound (no
// such user).
func (s *Service) Assignments(ctx context.Context, tenantID, userID string, p store.Page) (*core.User, []Assignment, error) {
	u, err := s.st.GetUser(ctx, tenantID, userID)
	if err != nil {
		return nil, nil, err
	}
	list, err := s.st.UserAssignmentsPage(ctx, tenantID, userID, p)
	if err != nil {
		return nil, nil, err
	}
	all, err := s.st.ListApplications(ctx, tenantID)
	if err != nil {
		return nil, nil, err
	}
	byAppID := make(map[string]*core.Application, len(all))
	for i := range all {
		byAppID[all[i].AppID] = &all[i]
	}
	out := make([]Assignment, 0, len(list))
	for _, x := range list {
		if a := byAppID[x.AppID]; a != nil {
			out = append(out, Assignment{Assignment: x, User: u, App: a})
		}
	}
	return u, out, nil
}

// Unassign removes the user's assignment id and, in the same transaction,
// revokes the user's tokens at that application: an application that
// requires assignment must not keep serving a removed user. Errors:
// core.ErrNotFound.
func (s *Service) Unassign(ctx context.Context, tenantID, userID, id string) error {
	return s.st.InTx(ctx, func(tx store.Tx) error {
		if _, err := tx.GetUser(ctx, tenantID, userID); err != nil {
			return err
		}
		list, err := tx.UserAssignments(ctx, tenantID, userID)
		if err != nil {
			return err
		}
		appID := ""
		for _, x := range list {
			if x.ID == id {
				appID = x.AppID
			}
		}
		if err := tx.DeleteAssignment(ctx, tenantID, userID, id); err != nil {
			return err
		}
		if err := recordUnassign(ctx, tx, s.now(), tenantID, userID, appID); err != nil {
			return err
		}
		return tx.EndUserAppAccess(ctx, tenantID, userID, appID, s.now())
	})
}
