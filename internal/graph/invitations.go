package graph

import (
	"context"
	"errors"
	"net/http"

	"guestlist/internal/core"
	"guestlist/internal/invite"
	"guestlist/internal/platform"
	"guestlist/internal/store"
)

type recipient struct {
	EmailAddress struct {
		Address string `json:"address"`
		Name    string `json:"name,omitempty"`
	} `json:"emailAddress"`
}

type messageInfoJSON struct {
	OdataType             string      `json:"@odata.type,omitempty"`
	CustomizedMessageBody *string     `json:"customizedMessageBody"`
	MessageLanguage       *string     `json:"messageLanguage"`
	CCRecipients          []recipient `json:"ccRecipients"`
}

type invitedUserJSON struct {
	OdataType string `json:"@odata.type,omitempty"`
	ID        string `json:"id"`
}

// invitationRequest is Graph's invitation resource as posted (SPEC R1).
type invitationRequest struct {
	OdataType               string           `json:"@odata.type"`
	InvitedUserEmailAddress string           `json:"invitedUserEmailAddress"`
	InviteRedirectURL       string           `json:"inviteRedirectUrl"`
	InvitedUserDisplayName  string           `json:"invitedUserDisplayName"`
	SendInvitationMessage   bool             `json:"sendInvitationMessage"`
	InvitedUserMessageInfo  *messageInfoJSON `json:"invitedUserMessageInfo"`
	InvitedUserType         string           `json:"invitedUserType"`
	ResetRedemption         bool             `json:"resetRedemption"`
	InvitedUser             *invitedUserJSON `json:"invitedUser"`
	// ExpirationDateTime is guestlist's own (SPEC R8; Graph has none).
	ExpirationDateTime *string `json:"expirationDateTime"`
}

// invitationJSON is the invitation as returned.
type invitationJSON struct {
	Context                 string          `json:"@odata.context,omitempty"`
	ID                      string          `json:"id"`
	InviteRedeemURL         string          `json:"inviteRedeemUrl,omitempty"`
	InvitedUserDisplayName  *string         `json:"invitedUserDisplayName"`
	InvitedUserType         string          `json:"invitedUserType"`
	InvitedUserEmailAddress string          `json:"invitedUserEmailAddress"`
	SendInvitationMessage   bool            `json:"sendInvitationMessage"`
	ResetRedemption         bool            `json:"resetRedemption"`
	InviteRedirectURL       string          `json:"inviteRedirectUrl"`
	Status                  string          `json:"status"`
	InvitedUserMessageInfo  messageInfoJSON `json:"invitedUserMessageInfo"`
	InvitedUser             invitedUserJSON `json:"invitedUser"`
	CreatedDateTime         string          `json:"createdDateTime,omitempty"`
	MessageDelivery         *deliveryJSON   `json:"messageDelivery,omitempty"`
	lifecycleJSON
}

// deliveryJSON is the invitation mail's delivery state (guestlist's
// addition to the resource, SPEC R8/R52): status queued, sent or failed;
// lastError is the sender's classification, naming no host or address.
type deliveryJSON struct {
	Status        string `json:"status"`
	Attempts      int    `json:"attempts"`
	LastError     string `json:"lastError,omitempty"`
	SentDateTime  string `json:"sentDateTime,omitempty"`
	NextAttemptAt string `json:"nextAttemptDateTime,omitempty"`
}

func (a *API) createInvitation(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var req invitationRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	ir := invite.Request{
		Email: req.InvitedUserEmailAddress, RedirectURL: req.InviteRedirectURL,
		DisplayName: req.InvitedUserDisplayName, SendInvitationMessage: req.SendInvitationMessage,
		UserType: req.InvitedUserType, ResetRedemption: req.ResetRedemption,
	}
	if req.InvitedUser != nil {
		ir.InvitedUserID = req.InvitedUser.ID
	}
	if mi := req.InvitedUserMessageInfo; mi != nil {
		if mi.CustomizedMessageBody != nil {
			ir.MessageInfo.CustomizedMessageBody = *mi.CustomizedMessageBody
		}
		if mi.MessageLanguage != nil {
			ir.MessageInfo.MessageLanguage = *mi.MessageLanguage
		}
		for _, rc := range mi.CCRecipients {
			ir.MessageInfo.CCRecipients = append(ir.MessageInfo.CCRecipients, rc.EmailAddress.Address)
		}
	}
	if !req.ResetRedemption && req.InvitedUserEmailAddress == "" {
		return core.Invalidf("invitedUserEmailAddress is required")
	}
	var err error
	if ir.ExpiresAt, err = expirationOf(req.ExpirationDateTime); err != nil {
		return err
	}
	res, err := a.invites.Invite(r.Context(), t, ir)
	if err != nil {
		return err
	}
	out := a.toInvitation(&res.Invitation)
	out.Context = a.context(r, "invitations/$entity")
	out.InviteRedeemURL = res.RedeemURL
	out.ResetRedemption = req.ResetRedemption // echoed like every request field (R1)
	platform.WriteJSON(w, http.StatusCreated, out)
	return nil
}

// toInvitation is the invitation as returned, its status as of now (an
// expired invitation's is computed, SPEC R8).
func (a *API) toInvitation(inv *core.Invitation) invitationJSON {
	out := invitationJSON{
		ID: inv.ID, InvitedUserType: inv.UserType, InvitedUserEmailAddress: inv.Email,
		SendInvitationMessage: inv.SendInvitationMessage, InviteRedirectURL: inv.RedirectURL,
		Status: inv.StatusAt(a.now()), InvitedUser: invitedUserJSON{ID: inv.UserID},
		CreatedDateTime: graphTime(inv.CreatedAt), lifecycleJSON: lifecycleOf(inv),
	}
	if inv.DisplayName != "" {
		out.InvitedUserDisplayName = &inv.DisplayName
	}
	mi := inv.MessageInfo
	if mi.CustomizedMessageBody != "" {
		out.InvitedUserMessageInfo.CustomizedMessageBody = &mi.CustomizedMessageBody
	}
	if mi.MessageLanguage != "" {
		out.InvitedUserMessageInfo.MessageLanguage = &mi.MessageLanguage
	}
	out.InvitedUserMessageInfo.CCRecipients = []recipient{}
	for _, cc := range mi.CCRecipients {
		var rc recipient
		rc.EmailAddress.Address = cc
		out.InvitedUserMessageInfo.CCRecipients = append(out.InvitedUserMessageInfo.CCRecipients, rc)
	}
	return out
}

func (a *API) getInvitation(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	inv, err := a.st.GetInvitation(r.Context(), t.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	return a.writeInvitation(w, r, inv)
}

// writeInvitation answers one invitation with its mail's delivery state.
func (a *API) writeInvitation(w http.ResponseWriter, r *http.Request, inv *core.Invitation) error {
	out := a.toInvitation(inv)
	out.Context = a.context(r, "invitations/$entity")
	var err error
	if out.MessageDelivery, err = a.delivery(r.Context(), inv); err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, out)
	return nil
}

// listInvitations lists invitations (guestlist's own: Graph has no list
// of invitations), pending ones unless $filter names another status, with
// their mail's delivery state, so an admin sees mail that could not be
// delivered (SPEC R8).
func (a *API) listInvitations(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	status, err := invitationStatusOf(r.URL.Query())
	if err != nil {
		return err
	}
	p, err := a.pageOf(r, t, "invitations")
	if err != nil {
		return err
	}
	pg := p.page()
	f := store.InvitationFilter{Status: status, Now: a.now(), Top: pg.Top, After: pg.After}
	invs, err := a.st.ListInvitations(r.Context(), t.ID, f)
	if err != nil {
		return err
	}
	invs, next := cut(a, r, p, invs, func(i *core.Invitation) store.Cursor { return store.Cursor{CreatedAt: i.CreatedAt, ID: i.ID} })
	out := make([]invitationJSON, 0, len(invs))
	for i := range invs {
		j := a.toInvitation(&invs[i])
		if j.MessageDelivery, err = a.delivery(r.Context(), &invs[i]); err != nil {
			return err
		}
		out = append(out, j)
	}
	a.writeCollection(w, r, "invitations", next, out)
	return nil
}

func (a *API) delivery(ctx context.Context, inv *core.Invitation) (*deliveryJSON, error) {
	if inv.MessageID == "" {
		return nil, nil
	}
	m, err := a.st.GetMail(ctx, inv.MessageID)
	if errors.Is(err, core.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	d := &deliveryJSON{Status: deliveryStatus(m.Status), Attempts: m.Attempts, LastError: m.LastError, SentDateTime: graphTime(m.SentAt)}
	if m.Status == core.MailPending {
		d.NextAttemptAt = graphTime(m.NextAttempt)
	}
	return d, nil
}
