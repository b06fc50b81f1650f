package users

import (
	"strings"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// Guest states the console filters by (R43): not redeemed yet, redeemed,
// or not allowed to sign in.
const (
	StatePending  = "pending"
	StateAccepted = "accepted"
	StateBlocked  = "blocked"
)

// GuestQuery is the console's "Users from other organizations" list:
// every user the tenant invited, narrowed by words of their name or
// address, their source (R12) and their state. It is a store filter like
// the one Graph's $filter and $search build, so both surfaces show the
// same users for the same question.
type GuestQuery struct {
	Search string      // words, each starting a word of the name, address or UPN
	Source core.Source // "" any
	State  string      // "" any, or StatePending …
}

// maxSearchWords bounds the work one search asks of the database.
const maxSearchWords = 8

// Filter is the store filter of q, newest first. Errors: core.ErrInvalid
// for an unknown source or state, or too many words.
func (q GuestQuery) Filter() (store.UserFilter, error) {
	and := store.And{store.Compare{Field: store.UserCreationType, Op: store.Eq, Value: core.CreationTypeInvitation}}
	words := strings.Fields(q.Search)
	if len(words) > maxSearchWords {
		return store.UserFilter{}, core.Errorf(core.ErrInvalid, "Request_BadRequest",
			"search with at most %d words", maxSearchWords)
	}
	for _, w := range words {
		and = append(and, store.Or{
			store.Match{Field: store.UserDisplayName, Kind: store.WordPrefix, Value: w},
			store.Match{Field: store.UserMail, Kind: store.WordPrefix, Value: w},
			store.Match{Field: store.UserPrincipalName, Kind: store.WordPrefix, Value: w},
		})
	}
	if q.Source != "" {
		e, err := sourceExpr(q.Source)
		if err != nil {
			return store.UserFilter{}, err
		}
		and = append(and, e)
	}
	switch q.State {
	case "":
	case StatePending:
		and = append(and, store.Compare{Field: store.UserExternalState, Op: store.Eq, Value: core.StatePendingAcceptance})
	case StateAccepted:
		and = append(and, store.Compare{Field: store.UserExternalState, Op: store.Eq, Value: core.StateAccepted})
	case StateBlocked:
		and = append(and, store.Compare{Field: store.UserAccountEnabled, Op: store.Eq, Value: false})
	default:
		return store.UserFilter{}, core.Errorf(core.ErrInvalid, "Request_BadRequest", "unknown state %q", q.State)
	}
	return store.UserFilter{Where: and, Order: store.UserOrder{Field: store.UserCreated, Desc: true}}, nil
}

// issuers are the fixed identity issuers of the sources that have one
// (R12); a federated guest's identity carries its provider's issuer URI.
var issuers = map[core.Source]string{
	core.SourceOTP:      core.MethodOTP.Issuer(),
	core.SourceExternal: core.MethodHomeTenant.Issuer(),
	core.SourcePersonal: core.MethodPersonal.Issuer(),
	core.SourceGoogle:   core.MethodGoogle.Issuer(),
}

// sourceExpr matches the guests of one source by what Graph shows of
// them: their state and their identities' issuer.
func sourceExpr(s core.Source) (store.Expr, error) {
	accepted := store.Compare{Field: store.UserExternalState, Op: store.Eq, Value: core.StateAccepted}
	if s == core.SourceInvited {
		return store.Compare{Field: store.UserExternalState, Op: store.Eq, Value: core.StatePendingAcceptance}, nil
	}
	if iss, ok := issuers[s]; ok {
		return store.And{accepted, store.IdentityAny{Issuer: iss}}, nil
	}
	if s != core.SourceFederated {
		return nil, core.Errorf(core.ErrInvalid, "Request_BadRequest", "unknown source %q", s)
	}
	var fixed store.Or
	for _, src := range []core.Source{core.SourceOTP, core.SourceExternal, core.SourcePersonal, core.SourceGoogle} {
		fixed = append(fixed, store.IdentityAny{Issuer: issuers[src]})
	}
	return store.And{accepted, store.Not{X: fixed}}, nil
}
