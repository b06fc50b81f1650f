package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// The audit and sign-in logs (R41, R43 8): the records GET
// /v1.0/auditLogs/directoryAudits and /signIns answer, newest first, a
// page at a time, filtered by time, user, application and (sign-ins)
// result, and exported as CSV (logcsv.go).

// logKind is one of the two logs.
type logKind string

const (
	auditLog  logKind = "audit"
	signInLog logKind = "signins"
)

// logQuery is a log page's filters as the form sends them.
type logQuery struct {
	From, To, User, App, Result string
}

func (q logQuery) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"from": q.From, "to": q.To, "user": q.User, "app": q.App, "result": q.Result} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// logFilter is a log query read into the store's terms.
type logFilter struct {
	store.LogFilter
	UserID string
	Result string // "", core.ResultSuccess, core.ResultFailure
}

type auditRow struct {
	At                 time.Time
	Activity, Category string
	By, Targets        string
	Result             string
}

type signInLogRow struct {
	At                 time.Time
	User, UPN, App, IP string
	Method             string
	OK                 bool
	Failure            string
}

type logsPage struct {
	base
	Kind    string
	Query   logQuery
	Apps    []option // Label is the application's name, not a message id
	Results []option
	Audits  []auditRow
	SignIns []signInLogRow
	Next    string
	First   string
	Export  string
	Error   string // message id
}

// logPageSize is how many records one page of a log shows.
const logPageSize = 50

// logs: GET /{tenant}/admin/logs/{kind}, and its export at
// /{tenant}/admin/logs/{kind}.csv.
func (c *Console) logs(w http.ResponseWriter, r *http.Request, v *visit) {
	if strings.HasSuffix(r.PathValue("kind"), ".csv") {
		c.logCSV(w, r, v)
		return
	}
	kind := logKind(r.PathValue("kind"))
	if kind != auditLog && kind != signInLog {
		c.message(w, v, http.StatusNotFound, "console.error.notfound")
		return
	}
	ctx := r.Context()
	q := readLogQuery(r.URL.Query())
	p := logsPage{base: c.base(v, "/logs/"+string(kind)), Kind: string(kind), Query: q}
	p.Return = r.URL.RequestURI()
	if err := c.logOptions(ctx, v, &p); err != nil {
		c.internal(w, v, err)
		return
	}
	f, err := c.logFilterOf(ctx, v, q)
	after, ok := parseCursor(r.URL.Query().Get("after"))
	if err != nil || !ok {
		p.Error = "console.error.logfilter"
		c.r.render(w, http.StatusBadRequest, "logs.html", p)
		return
	}
	f.Top, f.After = logPageSize+1, after
	p.Export = v.path("/logs/" + string(kind) + ".csv?" + q.values().Encode())
	var last store.Cursor
	var more bool
	if kind == auditLog {
		recs, err := c.Store.ListAudit(ctx, v.tenant.ID, auditFilter(f))
		if err != nil {
			c.internal(w, v, err)
			return
		}
		if more = len(recs) > logPageSize; more {
			recs = recs[:logPageSize]
			last = store.Cursor{CreatedAt: recs[len(recs)-1].At, ID: recs[len(recs)-1].ID}
		}
		for i := range recs {
			p.Audits = append(p.Audits, auditRowOf(&recs[i]))
		}
	} else {
		recs, err := c.Store.ListSignIns(ctx, v.tenant.ID, signInFilter(f))
		if err != nil {
			c.internal(w, v, err)
			return
		}
		if more = len(recs) > logPageSize; more {
			recs = recs[:logPageSize]
			last = store.Cursor{CreatedAt: recs[len(recs)-1].At, ID: recs[len(recs)-1].ID}
		}
		for _, s := range recs {
			p.SignIns = append(p.SignIns, signInLogRow{At: s.At, User: s.UserDisplayName, UPN: s.UserPrincipalName,
				App: s.AppDisplayName, IP: s.IPAddress, Method: "console.method." + string(s.Method), OK: s.ErrorCode == 0, Failure: s.FailureReason})
		}
	}
	base := v.path("/logs/" + string(kind) + "?")
	if more {
		nq := q.values()
		nq.Set("after", strconv.FormatInt(last.CreatedAt.UnixMicro(), 10)+"."+last.ID)
		p.Next = base + nq.Encode()
	}
	if !after.IsZero() {
		p.First = base + q.values().Encode()
	}
	c.r.render(w, http.StatusOK, "logs.html", p)
}

func readLogQuery(q url.Values) logQuery {
	g := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	return logQuery{From: g("from"), To: g("to"), User: g("user"), App: g("app"), Result: g("result")}
}

// logOptions fills the application and result choices.
func (c *Console) logOptions(ctx context.Context, v *visit, p *logsPage) error {
	apps, err := c.Store.ListApplications(ctx, v.tenant.ID)
	if err != nil {
		return err
	}
	p.Apps = append(p.Apps, option{Value: "", Label: v.loc.T("console.filter.any")})
	for _, a := range apps {
		p.Apps = append(p.Apps, option{Value: a.AppID, Label: a.DisplayName, Selected: a.AppID == p.Query.App})
	}
	for _, r := range []string{"", core.ResultSuccess, core.ResultFailure} {
		label := "console.filter.any"
		if r != "" {
			label = "console.logs.result." + r
		}
		p.Results = append(p.Results, option{Value: r, Label: label, Selected: r == p.Query.Result})
	}
	return nil
}

// errLogFilter is a filter the page cannot read.
var errLogFilter = errors.New("console: invalid log filter")

// logFilterOf reads q: times in UTC (a date alone is its whole day), a
// user by address or object id, an application by its application id.
func (c *Console) logFilterOf(ctx context.Context, v *visit, q logQuery) (logFilter, error) {
	var f logFilter
	var err error
	if f.Since, err = logTime(q.From, false); err != nil {
		return f, err
	}
	if f.Until, err = logTime(q.To, true); err != nil {
		return f, err
	}
	if len(q.App) > 64 || len(q.User) > 320 {
		return f, errLogFilter
	}
	f.AppID = q.App
	switch q.Result {
	case "", core.ResultSuccess, core.ResultFailure:
		f.Result = q.Result
	default:
		return f, errLogFilter
	}
	f.UserID = q.User
	if strings.Contains(q.User, "@") {
		addr, err := core.ParseAddress(q.User)
		if err != nil {
			return f, errLogFilter
		}
		u, err := c.Store.UserByMail(ctx, v.tenant.ID, addr.Key())
		switch {
		case err == nil:
			f.UserID = u.ID
		case errors.Is(err, core.ErrNotFound):
			f.UserID = "unknown:" + addr.Key() // matches no record
		default:
			return f, err
		}
	}
	return f, nil
}

// logTime reads a datetime-local value or a date, in UTC; until makes a
// date alone include its whole day.
func logTime(s string, until bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse("2006-01-02T15:04", s); err == nil {
		if until {
			t = t.Add(time.Minute) // the whole minute shown
		}
		return t, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, errLogFilter
	}
	if until {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

func auditFilter(f logFilter) store.AuditFilter {
	return store.AuditFilter{LogFilter: f.LogFilter, ActorUserID: f.UserID}
}

func signInFilter(f logFilter) store.SignInFilter {
	return store.SignInFilter{LogFilter: f.LogFilter, UserID: f.UserID, Status: f.Result}
}

func auditRowOf(r *core.AuditRecord) auditRow {
	return auditRow{At: r.At, Activity: r.Activity, Category: r.Category, By: initiator(r.Actor),
		Targets: targets(r.Targets), Result: r.Result}
}

// initiator names who made a change: a member, an application or the
// system.
func initiator(a core.Actor) string {
	switch {
	case a.UserPrincipalName != "":
		return a.UserPrincipalName
	case a.UserID != "":
		return a.UserID
	case a.AppDisplayName != "":
		return a.AppDisplayName
	}
	return a.AppID
}

func targets(ts []core.AuditTarget) string {
	var names []string
	for _, t := range ts {
		switch {
		case t.UserPrincipalName != "":
			names = append(names, t.UserPrincipalName)
		case t.DisplayName != "":
			names = append(names, t.DisplayName)
		default:
			names = append(names, t.ID)
		}
	}
	return strings.Join(names, "; ")
}
