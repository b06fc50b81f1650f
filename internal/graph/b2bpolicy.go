package graph

import (
	"bytes"
	"encoding/json"
	"net/http"

	"guestlist/internal/core"
	"guestlist/internal/platform"
	"guestlist/internal/redeem"
)

// The B2B management policy (R9, R28) is Entra's legacy policy document
// {"B2BManagementPolicy": {...}}. guestlist serves it at
// /policies/b2bManagementPolicy in the shape Graph gives its legacy
// policies (tokenLifetimePolicy and the like): the document as the one
// string of "definition".

const featureOTP = "OneTimePasscode"

// b2bDocument is the policy document; only the parts guestlist applies.
type b2bDocument struct {
	B2BManagementPolicy *b2bManagementJ `json:"B2BManagementPolicy"`
}

type b2bManagementJ struct {
	PreviewPolicy                             *previewPolicyJ `json:"PreviewPolicy,omitempty"`
	InvitationsAllowedAndBlockedDomainsPolicy *domainsPolicyJ `json:"InvitationsAllowedAndBlockedDomainsPolicy,omitempty"`
}

type previewPolicyJ struct {
	Features []string `json:"Features"`
}

type domainsPolicyJ struct {
	AllowedDomains *[]string `json:"AllowedDomains,omitempty"`
	BlockedDomains *[]string `json:"BlockedDomains,omitempty"`
}

// b2bPolicyJSON is the resource as GET answers and PUT takes it.
type b2bPolicyJSON struct {
	Context     string   `json:"@odata.context,omitempty"`
	ID          string   `json:"id,omitempty"`
	DisplayName string   `json:"displayName,omitempty"`
	Definition  []string `json:"definition"`
}

func (a *API) getB2BPolicy(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	doc := b2bManagementJ{PreviewPolicy: &previewPolicyJ{Features: []string{}}}
	if a.deploy.EmailOTPEnabled(t, a.now()) {
		doc.PreviewPolicy.Features = []string{featureOTP}
	}
	list := append([]string{}, t.GuestDomains.Domains...)
	if t.GuestDomains.Kind == core.DomainsAllowed {
		doc.InvitationsAllowedAndBlockedDomainsPolicy = &domainsPolicyJ{AllowedDomains: &list}
	} else {
		doc.InvitationsAllowedAndBlockedDomainsPolicy = &domainsPolicyJ{BlockedDomains: &list}
	}
	def, err := json.Marshal(b2bDocument{B2BManagementPolicy: &doc})
	if err != nil {
		return err
	}
	platform.WriteJSON(w, http.StatusOK, b2bPolicyJSON{
		Context: a.context(r, "policies/b2bManagementPolicy/$entity"),
		ID:      "b2bManagementPolicy", DisplayName: "B2BManagementPolicy", Definition: []string{string(def)},
	})
	return nil
}

// putB2BPolicy takes {"definition": ["<document>"]} or the bare document.
// A part the document leaves out (PreviewPolicy, or
// InvitationsAllowedAndBlockedDomainsPolicy) is left as it is.
func (a *API) putB2BPolicy(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var req struct {
		OdataType   string          `json:"@odata.type"`
		ID          string          `json:"id"`
		DisplayName string          `json:"displayName"`
		Definition  []string        `json:"definition"`
		Bare        *b2bManagementJ `json:"B2BManagementPolicy"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	doc, err := b2bDefinition(req.Definition, req.Bare)
	if err != nil {
		return err
	}
	p, err := b2bChange(doc)
	if err != nil {
		return err
	}
	stored, err := a.signin.SetB2BPolicy(r.Context(), t.ID, p)
	if err != nil {
		return err
	}
	return a.getB2BPolicy(w, r, stored)
}

// b2bDefinition is the document of a PUT: the one string of definition,
// read as strictly as a body, or the bare document.
func b2bDefinition(def []string, bare *b2bManagementJ) (*b2bManagementJ, error) {
	switch {
	case def != nil && bare != nil:
		return nil, core.Invalidf("send either definition or the bare B2BManagementPolicy document, not both")
	case bare != nil:
		return bare, nil
	case len(def) != 1:
		return nil, core.Invalidf("definition must hold exactly one JSON string: {\"B2BManagementPolicy\": {...}}")
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(def[0])))
	dec.DisallowUnknownFields()
	var d b2bDocument
	if err := dec.Decode(&d); err != nil {
		e := jsonError(err)
		if pe, ok := core.PublicError(e); ok {
			return nil, core.Invalidf("definition: %s", pe.Message)
		}
		return nil, e
	}
	if dec.More() {
		return nil, core.Invalidf("definition: the document must be exactly one JSON object")
	}
	if d.B2BManagementPolicy == nil {
		return nil, core.Invalidf("definition: the document must be {\"B2BManagementPolicy\": {...}}")
	}
	return d.B2BManagementPolicy, nil
}

// b2bChange is what the document sets: OneTimePasscode in Features is
// email OTP on, its absence off (R28); one domain list, either kind,
// never both (R9).
func b2bChange(doc *b2bManagementJ) (redeem.B2BPolicy, error) {
	var p redeem.B2BPolicy
	if pp := doc.PreviewPolicy; pp != nil {
		on := false
		for _, f := range pp.Features {
			if f != featureOTP {
				return p, core.Invalidf("PreviewPolicy: unknown feature %q; the only one is %q", f, featureOTP)
			}
			on = true
		}
		p.OTP = &on
	}
	if dp := doc.InvitationsAllowedAndBlockedDomainsPolicy; dp != nil {
		g := core.GuestDomains{}
		switch {
		case dp.AllowedDomains != nil && dp.BlockedDomains != nil:
			return p, core.Invalidf("InvitationsAllowedAndBlockedDomainsPolicy: send AllowedDomains or BlockedDomains, not both")
		case dp.AllowedDomains != nil && len(*dp.AllowedDomains) > 0:
			g = core.GuestDomains{Kind: core.DomainsAllowed, Domains: *dp.AllowedDomains}
		case dp.BlockedDomains != nil && len(*dp.BlockedDomains) > 0:
			g = core.GuestDomains{Kind: core.DomainsBlocked, Domains: *dp.BlockedDomains}
		}
		p.Domains = &g
	}
	return p, nil
}
