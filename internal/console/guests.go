package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
	"guestlist/internal/users"
)

// pageSize is how many guests one page of the list shows.
const pageSize = 50

type option struct {
	Value, Label string // Label is a message id
	Selected     bool
}

type guestRow struct {
	ID, Name, Mail string
	Source         string // message id, "" for none
	State          string // message id
	Blocked        bool
	// OTPOff: the guest redeemed with the email one-time passcode, which
	// the tenant has turned off, so they cannot sign in (R26).
	OTPOff     bool
	Invited    time.Time
	LastSignIn time.Time
}

type guestsPage struct {
	base
	Search  string
	Sources []option
	States  []option
	Guests  []guestRow
	Next    string // the next page's URL, "" on the last
	First   string // the first page's URL when this is a later one
	Error   string // message id
	Notice  string // message id
}

// guests: GET /{tenant}/admin/guests, "Users from other organizations"
// (R43 1): every invited user with their source (R12) and state,
// searched and filtered as Graph's users query would, newest first.
func (c *Console) guests(w http.ResponseWriter, r *http.Request, v *visit) {
	q := r.URL.Query()
	gq := users.GuestQuery{Search: strings.TrimSpace(q.Get("q")), Source: core.Source(q.Get("source")), State: q.Get("state")}
	p := guestsPage{base: c.base(v, "/guests"), Search: gq.Search}
	p.Return = r.URL.RequestURI()
	p.Sources = append(p.Sources, option{Value: "", Label: "console.filter.any"})
	for _, s := range core.Sources {
		p.Sources = append(p.Sources, option{Value: string(s), Label: "console.source." + string(s), Selected: s == gq.Source})
	}
	p.States = append(p.States, option{Value: "", Label: "console.filter.any"})
	for _, s := range []string{users.StatePending, users.StateAccepted, users.StateBlocked} {
		p.States = append(p.States, option{Value: s, Label: "console.state." + s, Selected: s == gq.State})
	}
	if q.Get("deleted") != "" {
		p.Notice = "console.guest.deleted"
	}
	f, err := gq.Filter()
	if err != nil {
		p.Error = "console.error.filter"
		c.r.render(w, http.StatusBadRequest, "guests.html", p)
		return
	}
	after, ok := parseCursor(q.Get("after"))
	if !ok {
		p.Error = "console.error.filter"
		c.r.render(w, http.StatusBadRequest, "guests.html", p)
		return
	}
	f.Top, f.After = pageSize+1, after
	list, err := c.Store.ListUsers(r.Context(), v.tenant.ID, f)
	if err != nil {
		c.internal(w, v, err)
		return
	}
	if len(list) > pageSize {
		list = list[:pageSize]
		last := list[len(list)-1]
		nq := url.Values{}
		for _, k := range []string{"q", "source", "state"} {
			if q.Get(k) != "" {
				nq.Set(k, q.Get(k))
			}
		}
		nq.Set("after", strconv.FormatInt(last.CreatedAt.UnixMicro(), 10)+"."+last.ID)
		p.Next = v.path("/guests?" + nq.Encode())
	}
	if !after.IsZero() {
		fq := url.Values{}
		for _, k := range []string{"q", "source", "state"} {
			if q.Get(k) != "" {
				fq.Set(k, q.Get(k))
			}
		}
		p.First = v.path("/guests?" + fq.Encode())
	}
	otpOn := c.Deploy.EmailOTPEnabled(v.tenant, c.Now())
	for i := range list {
		g := row(&list[i])
		g.OTPOff = !otpOn && list[i].ExternalUserState == core.StateAccepted && list[i].Method == core.MethodOTP
		p.Guests = append(p.Guests, g)
	}
	c.r.render(w, http.StatusOK, "guests.html", p)
}

func row(u *core.User) guestRow {
	g := guestRow{ID: u.ID, Name: u.DisplayName, Mail: u.Mail, Blocked: u.Blocked,
		Invited: u.CreatedAt, LastSignIn: u.LastSignInAt, State: "console.state.accepted"}
	if src := core.SourceOf(u); src != "" {
		g.Source = "console.source." + string(src)
	}
	if u.ExternalUserState == core.StatePendingAcceptance {
		g.State = "console.state.pending"
	}
	return g
}

// parseCursor reads the list position "<created µs>.<id>"; "" is the
// start.
func parseCursor(s string) (store.Cursor, bool) {
	if s == "" {
		return store.Cursor{}, true
	}
	at, id, ok := strings.Cut(s, ".")
	us, err := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || id == "" || len(id) > 64 || us <= 0 {
		return store.Cursor{}, false
	}
	return store.Cursor{CreatedAt: time.UnixMicro(us).UTC(), ID: id}, true
}
