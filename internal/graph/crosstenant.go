package graph

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"guestlist/internal/core"
	"guestlist/internal/platform"
)

// The redemption order (R10's last paragraph) in Graph's words: the
// invitationRedemptionIdentityProviderConfiguration of
// crossTenantAccessPolicyConfigurationDefault. Graph's b2bIdentityProvidersType
// names map onto the methods of R10 as follows.
const (
	idpAzureAD        = "azureActiveDirectory"    // R10 step 1, core.MethodHomeTenant
	idpFederation     = "externalFederation"      // step 2, core.MethodFederation
	idpSocial         = "socialIdentityProviders" // step 3, core.MethodGoogle
	fallbackDefault   = "defaultConfiguredIdp"    // steps 4 then 5: core.DefaultFallback()
	fallbackOTP       = "emailOneTimePasscode"    // step 5 only
	fallbackPersonal  = "microsoftAccount"        // step 4 only (and 6: sign up)
	crossTenantEntity = "policies/crossTenantAccessPolicy/default/$entity"
	redemptionProp    = "invitationRedemptionIdentityProviderConfiguration"
)

// primaryByName is Graph's name of each primary provider.
func primaryByName() map[string]core.Method {
	return map[string]core.Method{idpAzureAD: core.MethodHomeTenant, idpFederation: core.MethodFederation, idpSocial: core.MethodGoogle}
}

// fallbackByName is the fallbacks each of Graph's fallback names stands for.
func fallbackByName() map[string][]core.Method {
	return map[string][]core.Method{
		fallbackDefault:  core.DefaultFallback(),
		fallbackOTP:      {core.MethodOTP},
		fallbackPersonal: {core.MethodPersonal},
	}
}

// crossTenantDefaultJSON is Graph's crossTenantAccessPolicyConfigurationDefault
// with only the property guestlist implements.
type crossTenantDefaultJSON struct {
	Context          string         `json:"@odata.context"`
	IsServiceDefault bool           `json:"isServiceDefault"`
	Redemption       redemptionJSON `json:"invitationRedemptionIdentityProviderConfiguration"`
}

// redemptionJSON is Graph's defaultInvitationRedemptionIdentityProviderConfiguration.
type redemptionJSON struct {
	Primary  []string `json:"primaryIdentityProviderPrecedenceOrder"`
	Fallback string   `json:"fallbackIdentityProvider"`
}

// redemptionToGraph names o in Graph's terms. A fallback list Graph has no
// name for (the passcode before personal accounts, which only code can
// set) shows as its first fallback's name.
func redemptionToGraph(o core.RedemptionOrder) redemptionJSON {
	primary, fallback := splitOrder(o)
	names := make([]string, 0, len(primary))
	for _, m := range primary {
		for name, pm := range primaryByName() {
			if pm == m {
				names = append(names, name)
			}
		}
	}
	name := fallbackDefault
	switch {
	case slices.Equal(fallback, core.DefaultFallback()):
	case fallback[0] == core.MethodOTP:
		name = fallbackOTP
	default:
		name = fallbackPersonal
	}
	return redemptionJSON{Primary: names, Fallback: name}
}

// splitOrder is o's primary providers and fallbacks, with the defaults
// filled in.
func splitOrder(o core.RedemptionOrder) (primary, fallback []core.Method) {
	all := o.Methods()
	n := len(o.Primary)
	if n == 0 {
		n = len(core.DefaultPrimary())
	}
	return all[:n], all[n:]
}

func (a *API) getCrossTenantDefault(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	o := t.Redemption
	platform.WriteJSON(w, http.StatusOK, crossTenantDefaultJSON{
		Context:          a.context(r, crossTenantEntity),
		IsServiceDefault: len(o.Primary) == 0 && len(o.Fallback) == 0,
		Redemption:       redemptionToGraph(o),
	})
	return nil
}

// patchCrossTenantDefault changes the tenant's redemption order (R10). Of
// the resource only invitationRedemptionIdentityProviderConfiguration is
// implemented; a property left out of it keeps its value. The order is
// stored in full, so the answer is no longer the service default.
func (a *API) patchCrossTenantDefault(w http.ResponseWriter, r *http.Request, t *core.Tenant) error {
	var body map[string]json.RawMessage
	if err := decode(w, r, &body); err != nil {
		return err
	}
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if k != redemptionProp && k != "@odata.type" {
			return core.Invalidf("property %s is not supported; only %s can be changed", k, redemptionProp)
		}
	}
	raw, ok := body[redemptionProp]
	if !ok {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	o, err := redemptionFromGraph(raw, t.Redemption)
	if err != nil {
		return err
	}
	if err := a.signin.SetRedemptionOrder(r.Context(), t.ID, o); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// redemptionFromGraph reads Graph's configuration over the current order.
func redemptionFromGraph(raw json.RawMessage, current core.RedemptionOrder) (core.RedemptionOrder, error) {
	var in struct {
		OdataType string          `json:"@odata.type"`
		Primary   json.RawMessage `json:"primaryIdentityProviderPrecedenceOrder"`
		Fallback  json.RawMessage `json:"fallbackIdentityProvider"`
	}
	if isNull(raw) {
		return core.RedemptionOrder{}, core.Invalidf("%s must be an object", redemptionProp)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return core.RedemptionOrder{}, jsonError(err)
	}
	var out core.RedemptionOrder
	out.Primary, out.Fallback = splitOrder(current)
	if in.Primary != nil {
		p, err := primaryFromGraph(in.Primary)
		if err != nil {
			return core.RedemptionOrder{}, err
		}
		out.Primary = p
	}
	if in.Fallback != nil {
		f, err := fallbackFromGraph(in.Fallback)
		if err != nil {
			return core.RedemptionOrder{}, err
		}
		out.Fallback = f
	}
	return out, nil
}

// primaryFromGraph reads primaryIdentityProviderPrecedenceOrder: some of
// the three primary providers, in order, each once. A provider left out
// is not used (R10's last paragraph lets a tenant choose them); Entra's
// portal always orders all three, which is one such list.
func primaryFromGraph(raw json.RawMessage) ([]core.Method, error) {
	const prop = "primaryIdentityProviderPrecedenceOrder"
	var names []string
	if isNull(raw) || json.Unmarshal(raw, &names) != nil {
		return nil, core.Invalidf("%s must be an array of %s, %s or %s", prop, idpAzureAD, idpFederation, idpSocial)
	}
	if len(names) == 0 {
		return nil, core.Invalidf("%s must name at least one of %s, %s and %s", prop, idpAzureAD, idpFederation, idpSocial)
	}
	byName := primaryByName()
	out := make([]core.Method, 0, len(names))
	for i, name := range names {
		m, ok := byName[name]
		if !ok {
			return nil, core.Invalidf("%s: %q is not a primary identity provider; use %s, %s or %s", prop, name, idpAzureAD, idpFederation, idpSocial)
		}
		if slices.Contains(names[:i], name) {
			return nil, core.Invalidf("%s names %q more than once", prop, name)
		}
		out = append(out, m)
	}
	return out, nil
}

// fallbackFromGraph reads fallbackIdentityProvider, one of three names.
func fallbackFromGraph(raw json.RawMessage) ([]core.Method, error) {
	const prop = "fallbackIdentityProvider"
	var name string
	if err := json.Unmarshal(raw, &name); err != nil || isNull(raw) {
		return nil, core.Invalidf("%s must be one of %s, %s or %s", prop, fallbackDefault, fallbackOTP, fallbackPersonal)
	}
	f, ok := fallbackByName()[name]
	if !ok {
		return nil, core.Invalidf("%s: %q is not a fallback identity provider; use %s, %s or %s", prop, name, fallbackDefault, fallbackOTP, fallbackPersonal)
	}
	return f, nil
}

func isNull(raw json.RawMessage) bool { return strings.TrimSpace(string(raw)) == "null" }
