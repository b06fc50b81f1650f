package apps

import (
	"context"
	"errors"

	"guestlist/internal/audit"
	"guestlist/internal/core"
	"guestlist/internal/store"
)

// SetAssignmentRequired sets the appRoleAssignmentRequired of the service
// principal spID. Turning it on ends, in the same transaction, the tokens
// at the application of every user who is not assigned to it, so no
// process keeps serving them; their sessions stay, for the tenant's other
// applications. It returns the application as stored. Errors:
// core.ErrNotFound, core.ErrInvalid (the admin application).
func (s *Service) SetAssignmentRequired(ctx context.Context, tenantID, spID string, required bool) (*core.Application, error) {
	var out *core.Application
	err := s.st.InTx(ctx, func(tx store.Tx) error {
		a, err := tx.ApplicationByServicePrincipal(ctx, tenantID, spID)
		if err != nil {
			return err
		}
		if a.IsAdmin {
			return core.Invalidf("the admin application signs in as itself: it has no users to assign")
		}
		if err := tx.SetAssignmentRequired(ctx, tenantID, a.AppID, required); err != nil {
			return err
		}
		a.AssignmentRequired = required
		if err := audit.Record(ctx, tx, s.now(), tenantID, audit.UpdateSP, audit.ServicePrincipal(a, audit.Set("AppRoleAssignmentRequired", !required, required))); err != nil {
			return err
		}
		out = a
		if !required {
			return nil
		}
		return tx.EndUnassignedAppAccess(ctx, tenantID, a.AppID, s.now())
	})
	return out, err
}

// AssignedTo lists one page of the assignments to the application whose
// service principal is spID, with their users, oldest first; one whose
// user went between the reads is left out, so a page may come out short.
// Errors: core.ErrNotFound.
func (s *Service) AssignedTo(ctx context.Context, tenantID, spID string, p store.Page) ([]Assignment, error) {
	a, err := s.st.ApplicationByServicePrincipal(ctx, tenantID, spID)
	if err != nil {
		return nil, err
	}
	list, err := s.st.AppAssignmentsPage(ctx, tenantID, a.AppID, p)
	if err != nil {
		return nil, err
	}
	out := make([]Assignment, 0, len(list))
	for _, x := range list {
		u, err := s.st.GetUser(ctx, tenantID, x.UserID)
		if errors.Is(err, core.ErrNotFound) {
			continue // deleted meanwhile
		} else if err != nil {
			return nil, err
		}
		out = append(out, Assignment{Assignment: x, User: u, App: a})
	}
	return out, nil
}
