package graph

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/platform"
)

// lifecycleJSON is what guestlist adds to Graph's invitation for its
// lifecycle (SPEC R8); Graph's invitation has none of it. Empty fields
// are left out, so a plain invitation reads as Graph's.
type lifecycleJSON struct {
	ExpirationDateTime string `json:"expirationDateTime,omitempty"`
	RevokedDateTime    string `json:"revokedDateTime,omitempty"`
	ResentCount        int    `json:"resentCount,omitempty"`
	LastResentDateTime string `json:"lastResentDateTime,omitempty"`
}

func lifecycleOf(inv *core.Invitation) lifecycleJSON {
	return lifecycleJSON{
		ExpirationDateTime: graphTime(inv.ExpiresAt), RevokedDateTime: graphTime(inv.RevokedAt),
		ResentCount: inv.ResentCount, LastResentDateTime: graphTime(inv.LastResentAt),
	}
}

// deliveryStatus names the outbox states for admins: a message waiting
// for its first or next attempt is queued.
func deliveryStatus(outbox string) string {
	if outbox == core.MailPending {
		return "queued"
	}
	return outbox
}

// expirationOf reads the request's expirationDateTime; nil or null is none.
func expirationOf(s *string) (time.Time, error) {
	if s == nil {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return time.Time{}, core.Invalidf("expirationDateTime must be a date and time such as 2030-01-31T00:00:00Z")
	}
	return t, nil
}

// invitationStatuses are the statuses GET /invitations filters on.
var invitationStatuses = []string{core.InvitationPending, core.InvitationCompleted, core.InvitationRevoked, core.InvitationExpired}

// invitationStatusOf reads the list's status: $filter=status eq '…', or
// the older ?status=…; PendingAcceptance when neither is given.
func invitationStatusOf(q url.Values) (string, error) {
	for k := range q {
		switch k {
		case "$filter", "$top", "$skiptoken", "$select", "$count", "status": // $select, $count: accepted, as on users
		default:
			if strings.HasPrefix(k, "$") {
				return "", unsupported("query option %s is not supported", k)
			}
		}
	}
	status := q.Get("status")
	conds, err := parseFilter(q.Get("$filter"))
	if err != nil {
		return "", err
	}
	for prop, val := range conds {
		if prop != "status" {
			return "", unsupported("filtering on %q is not supported (use status)", prop)
		}
		if status != "" && status != val {
			return "", core.Invalidf("status and $filter name different statuses")
		}
		status = val
	}
	if status == "" {
		return core.InvitationPending, nil
	}
	for _, s := range invitationStatuses {
		if s == status {
			return status, nil
		}
	}
	return "", core.Invalidf("status must be one of %s", strings.Join(invitationStatuses, ", "))
}

// resendInvitation is guestlist's own action (SPEC R8): the same link in
// a new mail. The answer is the invitation, its messageDelivery now the
// new mail's.
func (a *API) resendInvitation(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	inv, err := a.invites.Resend(r.Context(), t, r.PathValue("id"))
	if err != nil {
		return err
	}
	return a.writeInvitation(w, r, inv)
}

// revokeInvitation is guestlist's own action (SPEC R8): the link stops
// working; the pending guest stays until deleted.
func (a *API) revokeInvitation(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	inv, err := a.invites.Revoke(r.Context(), t, r.PathValue("id"))
	if err != nil {
		return err
	}
	return a.writeInvitation(w, r, inv)
}

// invitationPolicyJSON is guestlist's own policy resource (SPEC R8):
// the default validity of new invitations, null for none (Entra's way).
type invitationPolicyJSON struct {
	Context              string `json:"@odata.context,omitempty"`
	ID                   string `json:"id"`
	InvitationExpiryDays *int   `json:"invitationExpiryDays"`
}

func (a *API) getInvitationPolicy(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	days, err := a.invites.ExpiryDays(r.Context(), t)
	if err != nil {
		return err
	}
	out := invitationPolicyJSON{Context: a.context(r, "policies/invitationPolicy/$entity"), ID: "invitationPolicy"}
	if days > 0 {
		out.InvitationExpiryDays = &days
	}
	platform.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) patchInvitationPolicy(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var req struct {
		OdataType string `json:"@odata.type"`
		ID        string `json:"id"`
		// Raw, to tell null (no expiry) from a missing property.
		Days json.RawMessage `json:"invitationExpiryDays"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if len(req.Days) == 0 {
		return core.Invalidf("invitationExpiryDays is required: a number of days, or null for no expiry")
	}
	days := 0
	if string(req.Days) != "null" {
		if err := json.Unmarshal(req.Days, &days); err != nil || days == 0 {
			return core.Invalidf("invitationExpiryDays must be null (no expiry) or a whole number of days from 1")
		}
	}
	if err := a.invites.SetExpiryDays(r.Context(), t, days); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
